from django.conf import settings

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
