from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.html import escape

from hcoc.lib.jsonbody import text_problem
from hcoc.ui.http import not_found, problem_response

# No inline scripts or styles anywhere: every script and stylesheet is a file under /static/.
# Data for scripts travels in <script type="application/json"> blocks, which are never executed.
POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The API's documentation page is ninja's Swagger UI, which needs inline styles.
DOCS_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        docs = request.path.startswith("/api/v1/docs")
        response.setdefault("Content-Security-Policy", DOCS_POLICY if docs else POLICY)
        response.setdefault("Referrer-Policy", "same-origin")
        if settings.HTTPS:
            response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class UnstorableTextMiddleware:
    """A page never passes text the databases cannot store to a query: NUL (which PostgreSQL
    refuses in text, a 500 until issue 10) or a lone UTF-16 surrogate, in the path, the query
    string, a form field or a cookie (a quoted cookie may carry "\\000"). A path with one names
    nothing (404); anything else is a bad request (400). The API answers the same text itself,
    naming the field (hcoc.api.RequestParser), so under /api/ only cookies are looked at here.
    Before the session middleware, which looks the session cookie up in the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        cookie = next((n for n, v in request.COOKIES.items() if text_problem(n + v)), None)
        if cookie is not None:
            detail = (
                f"The cookie {cookie} contains a NUL character (U+0000), which no cookie of "
                "this site has."
            )
            if api:
                return problem_response(400, "Bad request", detail, "bad-request")
            return HttpResponseBadRequest(f"<h1>Bad request</h1><p>{escape(detail)}</p>")
        if api:
            return self.get_response(request)
        if text_problem(request.path):
            return not_found(request)
        fields = [request.GET]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            fields.append(request.POST)
        for data in fields:
            for name, values in data.lists():
                if any(text_problem(v) for v in [name, *values] if isinstance(v, str)):
                    return HttpResponseBadRequest(
                        f"<h1>Bad request</h1><p>The field {escape(name)} contains a NUL "
                        "character (U+0000), which no form of this site takes.</p>"
                    )
        return self.get_response(request)


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class LanguageMiddleware:
    """The language a page is read in (issue 27): the signed-in user's own choice (stored on the
    user, so it follows them to any browser), else the language cookie (set by the language
    switch), else the browser's Accept-Language, else English.

    The API is the published contract: its bytes are the same whatever language is asked
    (tests/i18n/test_languages.py), so under /api/ the default language is always active."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        language = settings.LANGUAGE_CODE if api else self.language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        if not api:
            # The same address answers in another language for another reader.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            response.headers.setdefault("Content-Language", language)
        return response

    @staticmethod
    def language_for(request) -> str:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None else ""
        if chosen and translation.check_for_language(chosen) and chosen in LANGUAGE_CODES:
            return chosen
        return translation.get_language_from_request(request)


LANGUAGE_CODES = frozenset(dict(settings.LANGUAGES))
