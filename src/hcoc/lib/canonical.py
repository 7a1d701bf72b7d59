"""Canonical JSON (RFC 8785, JCS) for exchange events.

Every event payload is stored as the exact bytes this module produces, so a later signature or hash
over an event is over bytes that never change, whatever the database or the Python version.
"""

import json
from typing import Any

import rfc8785


def canonical_dumps(value: Any) -> str:
    """Return the RFC 8785 canonical form of ``value`` as text (UTF-8 when encoded)."""
    return rfc8785.dumps(value).decode("utf-8")


def canonical_loads(text: str) -> Any:
    return json.loads(text)
