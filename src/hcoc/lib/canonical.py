"""Canonical JSON (RFC 8785, JCS) for exchange events.

Every event payload is stored as the exact bytes this module produces, so a later signature or hash
over an event is over bytes that never change, whatever the database or the Python version.
"""

import json
import uuid
from typing import Any

import rfc8785


def canonical_dumps(value: Any) -> str:
    """Return the RFC 8785 canonical form of ``value`` as text (UTF-8 when encoded)."""
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
