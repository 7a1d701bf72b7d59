"""Differences between consecutive versions, for the pages that show every version."""

from typing import Any


def rows_with_changes(versions: list[dict[str, Any]], *, removed: str) -> list[list[dict]]:
    """For each flat mapping (oldest first), its rows {key, value, changed} against the one
    before; keys the version dropped are listed with the value `removed`."""
    out, before = [], None
    for flat in versions:
        rows = [
            {"key": k, "value": v, "changed": before is not None and before.get(k) != v}
            for k, v in flat.items()
        ]
        if before is not None:
            rows += [{"key": k, "value": removed, "changed": True} for k in before if k not in flat]
        out.append(rows)
        before = flat
    return out
