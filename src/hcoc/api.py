"""The published API (/api/v1): authentication, problem details, and each app's router.

Errors are raised once (services raise hcoc.lib.errors) and mapped once, here, to RFC 9457
problem details. Nothing a client sends may produce a 500.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hcoc.api_auth import EXCHANGE
from hcoc.lib.errors import DomainError, FieldProblem

log = logging.getLogger(__name__)
PROBLEM_TYPE = "urn:hcoc:problem:"


def problem_response(
    status: int, title: str, detail: str, slug: str, errors: list[FieldProblem] | None = None
) -> JsonResponse:
    body = {"type": PROBLEM_TYPE + slug, "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = [e.as_dict() for e in errors]
    response = JsonResponse(body, status=status, content_type="application/problem+json")
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="hcoc"'
    return response


def field_path(loc: tuple | list) -> str:
    """('body', 'payload', 'impact_areas', 2, 'center') -> 'impact_areas[2].center'."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:]  # drop "body" and the operation's parameter name
    elif parts and parts[0] in ("query", "path", "header", "cookie"):
        parts = parts[1:]
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "body"


def _message(error: dict) -> str:
    msg = str(error.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if error.get("type") == "extra_forbidden":
        msg = "unknown field"
    if error.get("type") == "json_invalid":
        msg = "the body is not valid JSON"
    return msg


class HcocAPI(NinjaAPI):
    """The API, whose OpenAPI document also shows what the ledger's middleware adds to every POST:
    the optional `HCoC-Signature` header and the `receipts` member of a 2xx answer that wrote
    log entries (hcoc.ledger.middleware)."""

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        from hcoc.ledger.openapi import document_signatures_and_receipts

        document_signatures_and_receipts(schema)
        return schema


api = HcocAPI(
    title="HCoC Exchange API",
    version="1",
    description=(
        "The information exchange of the Hague Code of Conduct: pre-launch notifications, launch "
        "reports, annual declarations, the exchange feed and acknowledgements, and the transparency "
        "log that makes all of it checkable. Authenticate with `Authorization: Bearer <token>`. "
        "Errors are RFC 9457 problem details. Every POST accepts `Idempotency-Key`, and is signed "
        "with `HCoC-Signature` once the caller's state has registered a key; every 2xx answer "
        "that wrote log entries carries `receipts`."
    ),
    auth=EXCHANGE,
    urls_namespace="api-v1",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return problem_response(exc.status, exc.title, exc.detail, exc.type_slug, exc.errors)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [FieldProblem(field_path(e.get("loc", ())), _message(e)) for e in exc.errors]
    return problem_response(
        422, "Invalid input", f"{len(errors)} problem(s) in the request", "invalid-input", errors
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return problem_response(
        401, "Not authenticated", "A valid bearer token is required.", "not-authenticated"
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    message = str(exc.message)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        return problem_response(
            400,
            "Bad request",
            "The request body is not valid JSON.",
            "bad-request",
            [FieldProblem("body", "not valid JSON")],
        )
    slug = {400: "bad-request", 404: "not-found", 405: "method-not-allowed"}.get(
        exc.status_code, "error"
    )
    return problem_response(exc.status_code, message, message, slug)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(404, "Not found", "Not found.", "not-found")


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return problem_response(
        413, "Payload too large", "The request body is too large.", "payload-too-large"
    )


@api.exception_handler(Exception)
def _unexpected(request, exc):
    log.exception("unhandled error in %s %s", request.method, request.path)
    return problem_response(
        500, "Internal error", "An unexpected error occurred; it has been logged.", "internal"
    )


from hcoc.compliance.api import router as compliance_router  # noqa: E402
from hcoc.declarations.api import router as declarations_router  # noqa: E402
from hcoc.exchange.api import router as exchange_router  # noqa: E402
from hcoc.ledger.api import router as ledger_router  # noqa: E402
from hcoc.meetings.api import router as meetings_router  # noqa: E402
from hcoc.notifications.api import router as notifications_router  # noqa: E402
from hcoc.observers.api import router as observers_router  # noqa: E402
from hcoc.sites.api import router as sites_router  # noqa: E402
from hcoc.states.api import router as states_router  # noqa: E402

api.add_router("", states_router)
api.add_router("", sites_router)
api.add_router("", notifications_router)
api.add_router("", declarations_router)
api.add_router("", exchange_router)
api.add_router("", compliance_router)
api.add_router("", ledger_router)
api.add_router("", observers_router)
api.add_router("", meetings_router)
