"""Whole numbers read from request text (query strings, form fields, path segments).

`str.isdigit()` is true for text `int()` refuses ("²") or reads as another script's digits ("٣"),
and `int()` reads "+5", " 5" and "5_000": neither is a check of what a client may send. The
databases' integers end at 2**63 - 1 (SQLite INTEGER, PostgreSQL bigint).
"""

import re

LARGEST_STORED = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def whole_number(text: object) -> int | None:
    """`text` as an int when it is ASCII digits alone (at most 19 of them: no sign, no space,
    no "²"); None otherwise. For a form field whose range the schema judges."""
    if not isinstance(text, str) or not _ASCII_DIGITS.fullmatch(text):
        return None
    return int(text)


def positive_int(text: object, *, maximum: int = LARGEST_STORED) -> int | None:
    """`text` as an int when it is written in ASCII digits alone and lies in 1..maximum;
    None for anything else (the caller answers 404, 422, or ignores it)."""
    value = whole_number(text)
    return value if value is not None and 1 <= value <= maximum else None
