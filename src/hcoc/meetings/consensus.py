"""The consensus rule, free of Django so that it can be proved by properties alone.

A proposal is adopted when no state that counts has `object` as its last position at the moment
of the call. Only the states in `present` count: a state that is absent at the call (never came,
or checked out) can neither object nor block, whatever it said while it was in the room.
Positions taken after the call (`at`) do not exist for the call.
"""

from collections.abc import Iterable
from datetime import datetime

ADOPTED = "adopted"
NOT_ADOPTED = "not_adopted"
OBJECT = "object"


def final_positions(positions: Iterable[tuple[str, str, datetime]], at: datetime) -> dict[str, str]:
    """Each state's last position taken at or before `at`. Positions are given in the order they
    were taken; equal times keep that order (the later row wins)."""
    last: dict[str, tuple[datetime, int, str]] = {}
    for i, (state, position, when) in enumerate(positions):
        if when > at:
            continue
        if state not in last or (when, i) >= last[state][:2]:
            last[state] = (when, i, position)
    return {state: p for state, (_when, _i, p) in last.items()}


def outcome(
    present: set[str], positions: Iterable[tuple[str, str, datetime]], at: datetime
) -> tuple[str, dict[str, str]]:
    """(outcome, counted): counted maps each present state that took a position to its last one."""
    counted = {s: p for s, p in final_positions(positions, at).items() if s in present}
    return (NOT_ADOPTED if OBJECT in counted.values() else ADOPTED), counted
