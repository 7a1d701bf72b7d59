"""Problem answers (RFC 9457) from anywhere in front of an API operation or a page, and the
project's 404 and 500 handlers: problem details under /api/, plain pages elsewhere."""

from django.http import HttpResponseNotFound, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static

from hcoc.lib.errors import FieldProblem
from hcoc.lib.problems import PROBLEM_MEDIA_TYPE, problem_document


def problem_response(
    status: int, title: str, detail: str, slug: str, errors: list[FieldProblem] | None = None
) -> JsonResponse:
    body = problem_document(status, title, detail, slug, errors)
    response = JsonResponse(body, status=status, content_type=PROBLEM_MEDIA_TYPE)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="hcoc"'
    return response


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the site's SVG icon
    (ui/base.html links it too) instead of a 404 in every log."""
    return redirect(static("hcoc/favicon.svg"), permanent=True)


def _wants_problem(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """Unknown URLs: problem details under /api/, a plain page elsewhere."""
    if _wants_problem(request):
        return problem_response(404, "Not found", f"No endpoint at {request.path}.", "not-found")
    return HttpResponseNotFound("<h1>Not found</h1>")


def server_error(request):
    if _wants_problem(request):
        return problem_response(
            500, "Internal error", "An unexpected error occurred; it has been logged.", "internal"
        )
    return HttpResponseServerError("<h1>Server error</h1>")
