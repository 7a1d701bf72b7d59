"""Every problem of a request in one answer.

Pydantic checks shapes; some rules need the database or the clock (a site exists, a window has
not closed yet). A schema that has such rules runs them on the raw input *alongside* pydantic's
own checks, so a client learns of an unknown site and a wrong type in the same answer. Rules
read the raw input tolerantly: they judge only what is well-formed and leave the rest to pydantic.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def dig(data: Any, *path: str | int) -> Any:
    """data[path0][path1]... or None where the input is not shaped so."""
    for key in path:
        if isinstance(key, int):
            if not isinstance(data, list) or not -len(data) <= key < len(data):
                return None
        elif not isinstance(data, dict):
            return None
        else:
            if key not in data:
                return None
        data = data[key]
    return data


def aware_time(value: Any) -> datetime | None:
    """An RFC 3339 text with a zone, as UTC; None for anything else (pydantic reports those)."""
    if not isinstance(value, str) or "T" not in value.upper():
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def validate_with_rules(cls, data: Any, handler, problems: list[Problem]):
    """Run pydantic (`handler`) and merge `problems` into one ValidationError."""
    extra = [
        {"type": PydanticCustomError("rule", message), "loc": loc, "input": dig(data, *loc)}
        for loc, message in problems
    ]
    try:
        model = handler(data)
    except ValidationError as e:
        if not extra:
            raise
        # Re-wrap each error with its own type name and rendered message: pydantic accepts
        # only its built-in types by name, and nested models may have raised "rule" errors.
        kept = [
            {
                "type": PydanticCustomError(err["type"], err["msg"]),
                "loc": err["loc"],
                "input": err.get("input"),
            }
            for err in e.errors()
        ]
        raise ValidationError.from_exception_data(cls.__name__, [*kept, *extra]) from None
    if extra:
        raise ValidationError.from_exception_data(cls.__name__, extra)
    return model


@contextmanager
def context_value(var, value) -> Iterator[None]:
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)
