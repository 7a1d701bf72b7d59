"""JSON as a request carries it, read defensively (no Django here: `hcoc.ledger.client` uses it).

The validators, RFC 8785 canonical JSON and the log all recurse into a body, and Python's
recursion limit is not an input check: a body is refused beyond MAX_DEPTH levels of nesting.
Text the databases cannot store (PostgreSQL refuses U+0000 in text; neither database takes a lone
UTF-16 surrogate, which `json.loads` lets through from "\\ud800") is found here, with its place,
so the API can answer 422 naming the field instead of failing on the write.
"""

import json
from collections.abc import Iterator
from typing import Any

# The deepest body the API takes: its formats nest four levels (impact_areas[0].center.lat).
MAX_DEPTH = 32

Loc = tuple[str | int, ...]


class JsonTooDeep(ValueError):
    def __init__(self, limit: int = MAX_DEPTH) -> None:
        super().__init__(f"is nested more than {limit} levels deep")
        self.limit = limit


def depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than `limit` (a top-level object is level 1).
    Iterative, so any depth is measured without recursion."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level > limit:
            return True
        stack.extend((child, level + 1) for child in children)
    return False


def loads_bounded(raw: str | bytes, limit: int = MAX_DEPTH) -> Any:
    """`json.loads`, raising JsonTooDeep (a ValueError) for a document nested deeper than
    `limit`, also where the parser itself would run out of stack (RecursionError)."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise JsonTooDeep(limit) from None
    if depth_exceeds(value, limit):
        raise JsonTooDeep(limit)
    return value


def text_problem(text: str) -> str | None:
    """Why the databases cannot store `text`, or None."""
    if "\x00" in text:
        return "must not contain the NUL character (U+0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be Unicode text (a lone UTF-16 surrogate such as \\ud800 is not)"
    return None


def unstorable_text(value: Any) -> Iterator[tuple[Loc, str]]:
    """(place, message) for every string (or member name) of a parsed JSON value that the
    databases cannot store, in document order; places as pydantic gives them:
    ("impact_areas", 2, "description")."""
    stack: list[tuple[Any, Loc]] = [(value, ())]
    while stack:
        item, loc = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                yield loc, problem
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                problem = text_problem(key)
                if problem:
                    yield (*loc, key), f"a member name {problem}"
                else:
                    children.append((child, (*loc, key)))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(reversed([(child, (*loc, i)) for i, child in enumerate(item)]))
