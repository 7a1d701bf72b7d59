"""Error handlers: problem details under /api/, plain pages elsewhere."""


def _wants_problem(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """Unknown URLs: problem details under /api/, a plain page elsewhere."""
    from django.http import HttpResponseNotFound

    from hcoc.api import problem_response

    if _wants_problem(request):
        return problem_response(404, "Not found", f"No endpoint at {request.path}.", "not-found")
    return HttpResponseNotFound("<h1>Not found</h1>")


def server_error(request):
    from django.http import HttpResponseServerError

    from hcoc.api import problem_response

    if _wants_problem(request):
        return problem_response(
            500, "Internal error", "An unexpected error occurred; it has been logged.", "internal"
        )
    return HttpResponseServerError("<h1>Server error</h1>")
