"""The one door through which events enter the exchange sequence."""

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from hcoc.accounts.access import require_state_member
from hcoc.lib.canonical import canonical_dumps
from hcoc.lib.errors import FieldProblem, InvalidInput

from .models import Acknowledgement, Event


def sequence_lock() -> None:
    """Take the exchange's one write lock: the event sequence and the transparency log are
    appended under it. Call inside the writing transaction; it is held until commit.

    On PostgreSQL, EXCLUSIVE mode still lets readers read the feed. On SQLite the IMMEDIATE
    transaction already holds the database's single write lock.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_lock must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Event._meta.db_table} IN EXCLUSIVE MODE")


def seq_reserve() -> int:
    """Lock the sequence and return the next seq. Call inside the writing transaction,
    immediately before `event_record`.

    Gap-free and ordered by commit: the lock is held until the transaction commits, so no other
    writer can take a number in between, and a rolled-back transaction leaves no hole (unlike a
    database SEQUENCE).
    """
    sequence_lock()
    last = Event.objects.aggregate(m=Max("seq"))["m"] or 0
    return last + 1


def number_next(queryset, field: str) -> int:
    """The next number after the largest `field` in `queryset` (1 for the first): references
    such as FRA-2026-0007. Call under `sequence_lock()` (after `seq_reserve()`): the lock is held
    until commit, so max + 1 cannot be taken twice; a unique constraint is the backstop."""
    return (queryset.aggregate(m=Max(field))["m"] or 0) + 1


def event_record(
    *,
    seq: int,
    kind: str,
    at: datetime,
    state_id: str,
    subject: str,
    version: int | None,
    payload: dict[str, Any],
    actor_id: int | None,
) -> Event:
    """Write the event and its transparency-log leaf, in the caller's transaction."""
    from hcoc.ledger.models import LeafType
    from hcoc.ledger.services import leaf_append

    from .selectors import event_as_item

    event = Event.objects.create(
        seq=seq,
        kind=kind,
        at=at,
        state_id=state_id,
        subject=subject,
        version=version,
        payload=canonical_dumps(payload),
        actor_id=actor_id,
    )
    # The leaf holds the feed item exactly as GET /feed serves it (selectors.event_as_item),
    # so a verifier can compare; the payload is embedded as stored, not serialised again.
    leaf_append(
        type=LeafType.EVENT,
        at=at,
        state=state_id,
        body={"event": event_as_item(event, payload_as_stored=True)},
        actor_id=actor_id,
        seq=seq,
    )
    return event


def acknowledgements_record(
    *, actor, seqs: list[int] | None = None, up_to: int | None = None
) -> dict:
    """The actor's state confirms receipt of the given items (or of every item up to `up_to`).

    Acknowledging twice is harmless: the first acknowledgement (time, user) is kept.
    """
    actor = require_state_member(actor)
    problems: list[FieldProblem] = []
    if (seqs is None) == (up_to is None):
        raise InvalidInput([FieldProblem("seqs", "give exactly one of seqs or up_to")])
    now = timezone.now()
    last = Event.objects.aggregate(m=Max("seq"))["m"] or 0
    if up_to is not None:
        if up_to < 1 or up_to > last:
            raise InvalidInput(
                [FieldProblem("up_to", f"must be between 1 and {last}, the last seq")]
            )
        # In chunks, each its own transaction: acknowledging a long history never holds the
        # write lock for long, and a retry after a failure simply carries on (acks are idempotent).
        # The last chunk also writes the log leaf that records the whole acknowledgement.
        count, start = 0, 0
        while start < up_to:
            end = min(start + ACK_CHUNK, up_to)
            leaf = {"up_to": up_to, "count_before": count} if end == up_to else None
            count += _acknowledge(actor, range(start + 1, end + 1), now, leaf=leaf)
            start += ACK_CHUNK
        return {"state": actor.state_id, "acknowledged": count, "at": now}
    for i, s in enumerate(seqs or []):
        if s < 1 or s > last:
            problems.append(FieldProblem(f"seqs[{i}]", f"no item with seq {s}"))
    if problems:
        raise InvalidInput(problems)
    return {
        "state": actor.state_id,
        "acknowledged": _acknowledge(actor, seqs or [], now, leaf={"seqs": seqs}),
        "at": now,
    }


ACK_CHUNK = 5000


def _acknowledge(actor, seqs, now, *, leaf: dict | None = None) -> int:
    """Record the actor state's receipt of those seqs it has not acknowledged yet; with `leaf`,
    also the transparency-log leaf that records the acknowledgement (a signed receipt when the
    request was signed)."""
    seqs = list(seqs)
    with transaction.atomic():
        if leaf is not None:
            sequence_lock()
        have = set(
            Acknowledgement.objects.filter(
                state_id=actor.state_id, event_id__gte=min(seqs), event_id__lte=max(seqs)
            ).values_list("event_id", flat=True)
        )
        wanted = sorted(set(seqs) - have)
        Acknowledgement.objects.bulk_create(
            [
                Acknowledgement(state_id=actor.state_id, event_id=s, user=actor, at=now)
                for s in wanted
            ],
            batch_size=2000,
        )
        if leaf is not None:
            from hcoc.ledger.models import LeafType
            from hcoc.ledger.services import leaf_append

            count = leaf.pop("count_before", 0) + len(wanted)
            leaf_append(
                type=LeafType.ACKNOWLEDGEMENT,
                at=now,
                state=actor.state_id,
                body={"acknowledgement": {**leaf, "newly_acknowledged": count}},
                actor_id=actor.pk,
            )
    return len(wanted)
