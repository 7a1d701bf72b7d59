"""Canonical JSON (RFC 8785, JCS) for exchange events.

Every event payload is stored as the exact bytes this module produces, so a later signature or hash
over an event is over bytes that never change, whatever the database or the Python version.
"""

import json
import uuid
from typing import Any

import rfc8785

# The largest integer JCS takes (rfc8785's domain), and the smallest magnitude of a float that is
# not a whole number for which Python's repr is the ECMAScript form (below it repr writes
# an exponent, `1e-05`, where ECMAScript writes `0.00001`).
_SAFE = 2**53 - 1
_SMALLEST_PLAIN = 1e-4


class _NotPlain(Exception):
    """A value whose JSON by Python's encoder may differ from RFC 8785: the reference encoder
    decides."""


def _plain(v: Any) -> Any:
    """`v` with every float that ECMAScript writes as an integer made an int, so that Python's
    C JSON encoder writes exactly what RFC 8785 asks; _NotPlain for anything else it could
    write differently (an exponent, a key outside ASCII, whose order could differ, a key that is
    not text, an integer out of JCS's range, a type JSON has not). Subclasses of text and numbers
    (the models' choices, enums) are written as their value, as the reference does."""
    t = type(v)
    if t is str or v is None or t is bool:
        return v
    if t is float:
        if v.is_integer():
            if -_SAFE <= v <= _SAFE:
                return int(v)  # 2.0 is `2`, -0.0 is `0`
        elif _SMALLEST_PLAIN <= abs(v) < 2**53:  # not whole, not infinite: repr is plain
            return v
        raise _NotPlain
    if t is int:
        if -_SAFE <= v <= _SAFE:
            return v
        raise _NotPlain
    if t is dict:
        out = {}
        for k, x in v.items():
            if type(k) is not str or not k.isascii():
                raise _NotPlain
            out[k] = _plain(x)
        return out
    if t is list or t is tuple:
        return [_plain(x) for x in v]
    if isinstance(v, str):
        return str.__str__(v)  # its text, whatever its __str__ says (an enum's says its name)
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return _plain(int(v))
    if isinstance(v, float):
        return _plain(float(v))
    raise _NotPlain  # other types: the reference encoder refuses them


def canonical_dumps(value: Any) -> str:
    """Return the RFC 8785 canonical form of ``value`` as text (UTF-8 when encoded).

    Python's C JSON encoder, sorting keys and without spaces, writes RFC 8785's bytes for text
    (the same escapes), integers, and floats that are neither whole nor below 1e-4 (both write the
    shortest digits that read back to the same float): `_plain` makes whole floats ints and
    leaves anything else to `rfc8785`, the reference, about 10 times slower on a notification's
    geometry of a few hundred coordinates. tests/log/test_canonical.py checks both agree.
    """
    try:
        text = json.dumps(
            _plain(value),
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
            allow_nan=False,
        )
        text.encode("utf-8")  # a lone surrogate: the reference refuses it
        return text
    except (_NotPlain, UnicodeEncodeError, RecursionError):
        return rfc8785.dumps(value).decode("utf-8")


def canonical_loads(text: str) -> Any:
    return json.loads(text)


class Canonical(str):
    """Text that is already RFC 8785 canonical JSON, to be embedded as it is by
    `canonical_dumps_embedding` (so a stored payload is not parsed and serialised again)."""


def canonical_dumps_embedding(value: Any) -> str:
    """`canonical_dumps`, where `Canonical` values are embedded verbatim.

    RFC 8785 is compositional: an object's members are sorted by name and each value is
    serialised on its own, so a canonical value can be put in place of a placeholder. The result
    is byte for byte what canonical_dumps gives for the parsed value (tests/log/test_canonical.py).
    """
    parts: dict[str, str] = {}
    marker = "hcoc-embedded-" + uuid.uuid4().hex + "-"

    def walk(v):
        if isinstance(v, Canonical):
            token = f"{marker}{len(parts)}"
            parts[token] = str(v)
            return token
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        return v

    def parsed(v):
        if isinstance(v, Canonical):
            return json.loads(v)
        if isinstance(v, dict):
            return {k: parsed(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [parsed(x) for x in v]
        return v

    text = canonical_dumps(walk(value))
    for token, embedded in parts.items():
        quoted = f'"{token}"'
        if text.count(quoted) != 1:  # the marker is random: this cannot happen, but never guess
            return canonical_dumps(parsed(value))
        text = text.replace(quoted, embedded)
    return text
