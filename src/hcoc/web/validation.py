"""Page forms validate with the API's own schemas and rules, so people see the same messages.

problems = validate(PLNIn, body)          # {} when valid
problems["window.closes"] -> ["must be after window.opens"]
"""

from collections import defaultdict

from pydantic import ValidationError

from hcoc.lib.errors import DomainError
from hcoc.lib.problems import field_path, validation_message


def problems_of(exc: ValidationError | DomainError) -> dict[str, list[str]]:
    """Field path (as in the API's problem details) -> messages."""
    out: dict[str, list[str]] = defaultdict(list)
    if isinstance(exc, ValidationError):
        for e in exc.errors():
            out[field_path(("body", "payload", *e["loc"]))].append(validation_message(e))
    else:
        for p in exc.errors:
            out[p.field].append(p.message)
        if not exc.errors:
            out["__all__"].append(exc.detail)
    return dict(out)


def validate(schema, body: dict):
    """(model, {}) when valid; (None, problems) when not."""
    try:
        return schema.model_validate(body), {}
    except ValidationError as e:
        return None, problems_of(e)
