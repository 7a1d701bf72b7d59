"""RFC 9457 problem details, as the API and every middleware in front of it answer them.

Django-free: this builds the document; `hcoc.ui.http.problem_response` sends it. Field paths
are the ones docs/formats.md uses in `errors[].field` (`impact_areas[2].center`), also on pages, so
people and programs read the same names.
"""

from .errors import FieldProblem

PROBLEM_TYPE = "urn:hcoc:problem:"
PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_document(
    status: int, title: str, detail: str, slug: str, errors: list[FieldProblem] | None = None
) -> dict:
    body = {"type": PROBLEM_TYPE + slug, "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = [e.as_dict() for e in errors]
    return body


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


def validation_message(error: dict) -> str:
    """The message of one pydantic error, without pydantic's prefixes."""
    msg = str(error.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if error.get("type") == "extra_forbidden":
        msg = "unknown field"
    if error.get("type") == "json_invalid":
        msg = "the body is not valid JSON"
    return msg
