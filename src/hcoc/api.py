"""The published API (/api/v1): authentication, problem details, and each app's router.

Errors are raised once (services raise hcoc.lib.errors) and mapped once, here, to RFC 9457
problem details. Nothing a client sends may produce a 500.
"""

import functools
import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from hcoc.api_openapi import document_responses
from hcoc.compliance.api import router as compliance_router
from hcoc.declarations.api import router as declarations_router
from hcoc.delivery.api import router as delivery_router
from hcoc.delivery.stream import stream_router
from hcoc.exchange.api import router as exchange_router
from hcoc.ledger.api import router as ledger_router
from hcoc.ledger.openapi import document_signatures_and_receipts
from hcoc.lib.errors import (
    DomainError,
    FieldProblem,
    InvalidInput,
    NotFound,
    UnsupportedMediaType,
)
from hcoc.lib.jsonbody import MAX_DEPTH, JsonTooDeep, loads_bounded, text_problem, unstorable_text
from hcoc.lib.problems import field_path, validation_message
from hcoc.meetings.api import router as meetings_router
from hcoc.notifications.api import router as notifications_router
from hcoc.observers.api import router as observers_router
from hcoc.registry.api import router as registry_router
from hcoc.sites.api import router as sites_router
from hcoc.ui.doors import EXCHANGE
from hcoc.ui.http import problem_response

log = logging.getLogger(__name__)
JSON_CHARSETS = {"utf-8", "utf8"}
MULTIPART = "multipart/form-data"


def _loc_path(loc: tuple) -> str:
    return field_path(("body", "payload", *loc)) if loc else "body"


class RequestParser(Parser):
    """What the API reads from a request, refused before any validator or database sees it:

    - a JSON body only as `Content-Type: application/json`, in UTF-8 (a `charset` other than
      utf-8 is 415, as is any other media type or none; docs/formats.md, Requests);
    - no body nested more than MAX_DEPTH levels (400);
    - no text the databases cannot store, in the body or the query string (422 naming the field):
      NUL, or a lone UTF-16 surrogate;
    - multipart operations (meeting documents) only as multipart/form-data (415).

    django-ninja wraps what parse_body raises in HttpError(400, "Cannot parse request body");
    `_http_error` unwraps our own errors again."""

    def parse_body(self, request):
        media_type = (request.content_type or "").lower()
        charset = request.content_params.get("charset")
        if media_type != "application/json" or (
            charset is not None and charset.lower() not in JSON_CHARSETS
        ):
            sent = request.META.get("CONTENT_TYPE") or "no Content-Type"
            raise UnsupportedMediaType(
                f"A request body must be sent as Content-Type: application/json (UTF-8); this one "
                f"was sent as {sent}.",
                [FieldProblem("Content-Type", "must be application/json (charset utf-8, if any)")],
            )
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise DomainError(
                "The request body is not UTF-8 text.",
                [FieldProblem("body", "must be JSON encoded in UTF-8")],
            ) from None
        try:
            value = loads_bounded(text)
        except JsonTooDeep as e:
            raise DomainError(
                f"The request body is nested more than {MAX_DEPTH} levels deep.",
                [FieldProblem("body", str(e))],
            ) from None
        except ValueError:
            raise DomainError(
                "The request body is not valid JSON.", [FieldProblem("body", "not valid JSON")]
            ) from None
        problems = [FieldProblem(_loc_path(loc), m) for loc, m in unstorable_text(value)]
        if problems:
            raise InvalidInput(problems)
        return value

    def parse_querydict(self, data, list_fields, request):
        if data is request.GET:
            problems = [
                FieldProblem(name, problem)
                for name, values in data.lists()
                for value in values
                if (problem := text_problem(value))
            ]
            if problems:
                raise InvalidInput(problems)
        else:  # request.FILES or request.POST: a multipart operation
            media_type = (request.content_type or "").lower()
            if media_type != MULTIPART and (media_type or _carries_body(request)):
                raise UnsupportedMediaType(
                    f"This operation takes {MULTIPART}; the body was sent as "
                    f"{request.META.get('CONTENT_TYPE') or 'no Content-Type'}.",
                    [FieldProblem("Content-Type", f"must be {MULTIPART}")],
                )
        return super().parse_querydict(data, list_fields, request)


def _carries_body(request) -> bool:
    meta = request.META
    return meta.get("CONTENT_LENGTH", "") not in ("", "0") or "HTTP_TRANSFER_ENCODING" in meta


def refuse_unusable_path(run):
    """Runs before an operation's door: a path segment with text no reference or number of the
    exchange contains (NUL, a lone surrogate) names nothing that exists, so 404 at once, before
    the door looks it up in the database (PostgreSQL refuses NUL in a query)."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        for name, value in kwargs.items():
            problem = text_problem(value) if isinstance(value, str) else None
            if problem:
                return _domain_error(
                    request,
                    NotFound(f"No such {name}.", [FieldProblem(name, problem)]),
                )
        return run(request, *args, **kwargs)

    return wrapper


class HcocAPI(NinjaAPI):
    """The API, whose OpenAPI document also shows what the ledger's middleware adds to every POST:
    the optional `HCoC-Signature` header and the `receipts` member of a 2xx answer that wrote
    log entries (hcoc.ledger.middleware); and every problem answer, as hcoc.api_openapi says."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas: dict[str, dict] = {}

    def get_openapi_schema(self, **kwargs):
        """Built once per process and path prefix, then served as built: GET openapi.json needs
        no token, and building the document takes about 0.1 CPU-second, so one client within the
        per-address limit could otherwise keep the server's cores busy. Callers must not change
        the returned document."""
        prefix = kwargs.get("path_prefix")
        if prefix is None:
            prefix = self.get_root_path(kwargs.get("path_params") or {})
        schema = self._schemas.get(prefix)
        if schema is None:
            schema = super().get_openapi_schema(path_prefix=prefix)
            document_signatures_and_receipts(schema)
            document_responses(schema, prefix=prefix.rstrip("/"))
            self._schemas[prefix] = schema
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
    parser=RequestParser(),
)
api.add_decorator(refuse_unusable_path, mode="view")


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return problem_response(exc.status, exc.title, exc.detail, exc.type_slug, exc.errors)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [FieldProblem(field_path(e.get("loc", ())), validation_message(e)) for e in exc.errors]
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
    if isinstance(exc.__cause__, DomainError):  # raised by RequestParser.parse_body
        return _domain_error(request, exc.__cause__)
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


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request, exc):
    return problem_response(
        400,
        "Bad request",
        f"The request body is not well-formed {MULTIPART}: {exc}",
        "bad-request",
        [FieldProblem("body", f"must be well-formed {MULTIPART}, with a boundary")],
    )


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    # Django's own refusals of a request (too many fields or files, a malformed header).
    return problem_response(400, "Bad request", str(exc) or "Bad request.", "bad-request")


@api.exception_handler(Exception)
def _unexpected(request, exc):
    log.exception("unhandled error in %s %s", request.method, request.path)
    return problem_response(
        500, "Internal error", "An unexpected error occurred; it has been logged.", "internal"
    )


api.add_router("", registry_router)
api.add_router("", sites_router)
api.add_router("", notifications_router)
api.add_router("", declarations_router)
api.add_router("", exchange_router)
api.add_router("", stream_router)
api.add_router("", compliance_router)
api.add_router("", ledger_router)
api.add_router("", observers_router)
api.add_router("", meetings_router)
api.add_router("", delivery_router)
