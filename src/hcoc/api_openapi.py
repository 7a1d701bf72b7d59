"""What the OpenAPI document says beyond what django-ninja derives from the operations: every
problem answer an operation can give (RFC 9457, `application/problem+json`, schema `Problem`),
the answers that are not JSON, and links from an answer to the operations that take what it
names (so a client, or a fuzzer's stateful phase, can follow a notification from its creation).

tests/api/test_api_fuzz.py holds the API to this document: a status, content type or body that the
document does not describe fails it.
"""

PROBLEM_JSON = "application/problem+json"

PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": (
        "RFC 9457 problem details. `errors` names each field at fault (a body field path such as "
        "`impact_areas[2].center.lat`, a query or path parameter, or a header such as "
        "`Content-Type`), with every problem found in one answer."
    ),
    "type": "object",
    "properties": {
        "type": {"type": "string", "examples": ["urn:hcoc:problem:invalid-input"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}

PROBLEMS = {
    400: "Bad request: a body that is not JSON in UTF-8, nested too deeply, not well-formed "
    "multipart, or a signature request that cannot be read",
    401: "No bearer token, or not a valid one; or a signature required and missing or wrong",
    403: "Authenticated, but not allowed to do this",
    404: "Not found, or not visible to the caller",
    409: "The state of the object forbids it; a replayed signature; a retry still in progress",
    413: "The request body is too large",
    415: "The body is not sent as the operation's media type (application/json, in UTF-8)",
    422: "Invalid input: every problem at once, each with its field",
    429: "Too many requests; see Retry-After",
    500: "An unexpected error of the exchange's own (logged); never the answer to what a client "
    "sent",
}
HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}}},
    429: {"Retry-After": {"schema": {"type": "string"}, "description": "seconds to wait"}},
}

DOCUMENT_TYPES = [
    "application/pdf",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
]
# Answers that are not JSON: (path under /api/v1, media types of the 200 answer).
NOT_JSON = {
    "/log/checkpoint": ["text/plain"],
    "/meetings/{number}/documents/{document_id}": DOCUMENT_TYPES,
}

# Server-Sent Events answers: (path under /api/v1) -> the schema of one event (the form OpenAPI
# 3.2 gives sequential media types; schemathesis checks each event of the answer against it).
SSE_EVENT = {
    "title": "FeedEvent",
    "description": (
        "One event of the stream: `id` the item's seq, `event` its kind, `data` the feed item "
        "(FeedItem) as JSON on one line. Comment lines (`: heartbeat`) carry no event."
    ),
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "event": {"type": "string", "examples": ["notification.submitted"]},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {"$ref": "#/components/schemas/FeedItem"},
        },
        "retry": {"type": "integer"},
    },
    "required": ["data"],
}
EVENT_STREAMS = {"/feed/stream": SSE_EVENT}

# (method, path) of a 2xx answer -> links: name -> (method, path, {parameter: runtime expression}).
LINKS: dict[tuple[str, str], dict[str, tuple[str, str, dict[str, str]]]] = {}


def _link_from(method: str, path: str, links: dict) -> None:
    LINKS[(method, path)] = links


_REFERENCE = {"reference": "$response.body#/reference"}
for _source in ("/notifications", "/unnotified-launches", "/imports/notifications"):
    _link_from(
        "post",
        _source,
        {
            "GetNotification": ("get", "/notifications/{reference}", _REFERENCE),
            "GetVersions": ("get", "/notifications/{reference}/versions", _REFERENCE),
            "Amend": ("post", "/notifications/{reference}/amendments", _REFERENCE),
            "Cancel": ("post", "/notifications/{reference}/cancellation", _REFERENCE),
            "ReportLaunch": ("post", "/notifications/{reference}/launch-report", _REFERENCE),
        },
    )
_link_from(
    "get",
    "/notifications",
    {
        "GetFirstNotification": (
            "get",
            "/notifications/{reference}",
            {"reference": "$response.body#/items/0/reference"},
        )
    },
)
_DECLARATION = {"state": "$response.body#/state", "year": "$response.body#/year"}
_link_from(
    "post",
    "/declarations",
    {
        "GetDeclaration": ("get", "/declarations/{state}/{year}", _DECLARATION),
        "GetDeclarationVersions": ("get", "/declarations/{state}/{year}/versions", _DECLARATION),
    },
)
_link_from(
    "post",
    "/invitations",
    {
        "GetInvitation": ("get", "/invitations/{reference}", _REFERENCE),
        "Reply": ("post", "/invitations/{reference}/replies", _REFERENCE),
        "Confirm": ("post", "/invitations/{reference}/confirmations", _REFERENCE),
        "Withdraw": ("post", "/invitations/{reference}/withdraw", _REFERENCE),
    },
)
_NUMBER = {"number": "$response.body#/number"}
_link_from(
    "post",
    "/meetings",
    {
        "GetMeeting": ("get", "/meetings/{number}", _NUMBER),
        "Open": ("post", "/meetings/{number}/open", _NUMBER),
        "AddAgendaItem": ("post", "/meetings/{number}/agenda", _NUMBER),
        "Attend": ("post", "/meetings/{number}/attendance", _NUMBER),
        "Table": ("post", "/meetings/{number}/proposals", _NUMBER),
        "Close": ("post", "/meetings/{number}/close", _NUMBER),
    },
)
_link_from(
    "post",
    "/meetings/{number}/proposals",
    {
        "GetProposal": ("get", "/proposals/{reference}", _REFERENCE),
        "TakePosition": ("post", "/proposals/{reference}/positions", _REFERENCE),
        "Call": ("post", "/proposals/{reference}/call", _REFERENCE),
    },
)
_link_from(
    "post",
    "/proposals/{reference}/call",
    {"GetDecision": ("get", "/decisions/{reference}", _REFERENCE)},
)
_link_from(
    "post",
    "/meetings/{number}/documents",
    {
        "GetDocument": (
            "get",
            "/meetings/{number}/documents/{document_id}",
            {"number": "$request.path.number", "document_id": "$response.body#/id"},
        )
    },
)
_link_from(
    "post",
    "/states/{iso3}/keys",
    {
        "Revoke": (
            "post",
            "/states/{iso3}/keys/{key_id}/revoke",
            {"iso3": "$response.body#/state", "key_id": "$response.body#/key_id"},
        )
    },
)
_ENDPOINT = {"endpoint_id": "$response.body#/id"}
_link_from(
    "post",
    "/webhooks",
    {
        "GetDeliveries": ("get", "/webhooks/{endpoint_id}/deliveries", _ENDPOINT),
        "Replay": ("post", "/webhooks/{endpoint_id}/replay", _ENDPOINT),
        "Delete": ("delete", "/webhooks/{endpoint_id}", _ENDPOINT),
    },
)


def _problem_response(status: int) -> dict:
    response = {
        "description": PROBLEMS[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status in HEADERS:
        response["headers"] = HEADERS[status]
    return response


def problem_statuses(method: str, operation: dict) -> list[int]:
    """The problem answers an operation can give. Every request may be refused for a bad token
    (401, also on public operations), a path or query the API cannot take (404, 422, 400) or the
    rate limit (429), and any may meet a fault of the exchange's own (500, a problem like the
    others). Operations behind a token also refuse callers (403). A POST may meet a signature or
    idempotency conflict (409), a body too large (413), and, if it takes a body, one in the wrong
    media type (415)."""
    statuses = {400, 401, 404, 422, 429, 500}
    if operation.get("security") or method == "post":
        statuses.add(403)
    if method == "post":
        statuses |= {409, 413}
        if "requestBody" in operation:
            statuses.add(415)
    return sorted(statuses)


def document_responses(schema: dict, prefix: str = "/api/v1") -> None:
    """Add Problem, every operation's problem answers, the non-JSON answers and the links."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ids = {
        (method, path.removeprefix(prefix)): op["operationId"]
        for path, operations in schema.get("paths", {}).items()
        for method, op in operations.items()
        if isinstance(op, dict) and "operationId" in op
    }
    for path, operations in schema.get("paths", {}).items():
        short = path.removeprefix(prefix)
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"] = {
                str(status): response for status, response in operation["responses"].items()
            }
            for status in problem_statuses(method, operation):
                responses.setdefault(str(status), _problem_response(status))
            if method == "get" and short in NOT_JSON:
                responses["200"]["content"] = {
                    media_type: {"schema": {"type": "string"}}
                    if media_type.startswith("text/")
                    else {"schema": {"type": "string", "format": "binary"}}
                    for media_type in NOT_JSON[short]
                }
            if method == "get" and short in EVENT_STREAMS:
                responses["200"]["content"] = {
                    "text/event-stream": {
                        # The whole answer as its events (OpenAPI 3.1 readers), and one event.
                        "schema": {"type": "array", "items": EVENT_STREAMS[short]},
                        "itemSchema": EVENT_STREAMS[short],
                    }
                }
            links = LINKS.get((method, short))
            if links:
                success = next(s for s in responses if s.startswith("2"))
                responses[success]["links"] = {
                    name: {"operationId": ids[(target_method, target)], "parameters": parameters}
                    for name, (target_method, target, parameters) in links.items()
                }
