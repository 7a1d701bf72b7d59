"""The one door through which events enter the exchange sequence."""

from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from hcoc.ledger.models import LeafType, LogEntry
from hcoc.lib.canonical import canonical_dumps
from hcoc.lib.errors import FieldProblem, InvalidInput
from hcoc.states.access import require_state_member

from .models import Acknowledgement, Event


def sequence_lock() -> datetime:
    """Take the exchange's one write lock and return the time of what is written under it.

    The event sequence and the transparency log are appended under this lock; call it inside the
    writing transaction (it is held until commit). On PostgreSQL, EXCLUSIVE mode still lets
    readers read the feed. On SQLite the IMMEDIATE transaction already holds the database's single
    write lock.

    Order is truth: the time is read only once the lock is held, so commit order and time order
    agree, and it is never earlier than the log's last leaf (a clock stepped back by NTP must not
    make an honest exchange look like a forger to every state's verifier). Every leaf and event
    is dated with this time; `leaf_append` refuses one dated before the leaf before it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_lock must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Event._meta.db_table} IN EXCLUSIVE MODE")
    now = timezone.now()
    last = LogEntry.objects.order_by("-index").values_list("at", flat=True).first()
    return max(now, last) if last is not None else now


class Reservation(NamedTuple):
    """The next seq and the time of the event that takes it, both decided under the lock."""

    seq: int
    at: datetime


def seq_reserve() -> Reservation:
    """Lock the sequence and return the next seq with the event's time. Call inside the writing
    transaction, immediately before `event_record`; date the event (and everything the
    action stores as happening now) with `.at`.

    Gap-free and ordered by commit: the lock is held until the transaction commits, so no other
    writer can take a number in between, and a rolled-back transaction leaves no hole (unlike a
    database SEQUENCE).
    """
    at = sequence_lock()
    last = Event.objects.aggregate(m=Max("seq"))["m"] or 0
    return Reservation(last + 1, at)


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
    # Inside the function: ledger.services imports this module for sequence_lock (issue 14
    # moves the lock into the log's layer and removes this cycle).
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
            newly, at = _acknowledge(actor, range(start + 1, end + 1), leaf=leaf)
            count += newly
            start += ACK_CHUNK
        return {"state": actor.state_id, "acknowledged": count, "at": at}
    for i, s in enumerate(seqs or []):
        if s < 1 or s > last:
            problems.append(FieldProblem(f"seqs[{i}]", f"no item with seq {s}"))
    if problems:
        raise InvalidInput(problems)
    newly, at = _acknowledge(actor, seqs or [], leaf={"seqs": seqs})
    return {"state": actor.state_id, "acknowledged": newly, "at": at}


ACK_CHUNK = 5000


def _acknowledge(actor, seqs, *, leaf: dict | None = None) -> tuple[int, datetime]:
    """Record the actor state's receipt of those seqs it has not acknowledged yet; with `leaf`,
    also the transparency-log leaf that records the acknowledgement (a signed receipt when the
    request was signed). Returns how many were new and the time they were recorded: for the
    chunk with the leaf, the time taken under the sequence lock, which dates the leaf."""
    seqs = list(seqs)
    with transaction.atomic():
        now = sequence_lock() if leaf is not None else timezone.now()
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
            from hcoc.ledger.services import leaf_append  # see event_record

            count = leaf.pop("count_before", 0) + len(wanted)
            leaf_append(
                type=LeafType.ACKNOWLEDGEMENT,
                at=now,
                state=actor.state_id,
                body={"acknowledgement": {**leaf, "newly_acknowledged": count}},
                actor_id=actor.pk,
            )
    return len(wanted), now
