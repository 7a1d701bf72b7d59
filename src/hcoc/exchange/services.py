"""The one door through which events enter the exchange sequence (event_transaction), and the
states' acknowledgements of what they received."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.ledger.models import LeafType
from hcoc.ledger.services import leaf_append, sequence_lock
from hcoc.lib.canonical import Canonical, canonical_dumps
from hcoc.lib.errors import FieldProblem, InvalidInput
from hcoc.states.access import require_state_member

from .models import Acknowledgement, Event
from .news import announce
from .selectors import event_item_text


class EventDraft:
    """The one event a write publishes: its seq and its time, both decided under the lock.

    Date everything the write stores as happening now with `.at`, store `.seq` where the write
    keeps it, then call `.publish(...)` once. Gap-free and ordered by commit: the lock is held
    until the transaction commits, so no other writer can take a number in between, and a
    rolled-back transaction leaves no hole (unlike a database SEQUENCE).
    """

    def __init__(self, seq: int, at: datetime):
        self.seq, self.at, self.event = seq, at, None

    def publish(
        self,
        *,
        kind: str,
        state: str,
        subject: str,
        payload: dict[str, Any],
        actor,
        version: int | None = None,
    ) -> Event:
        """Write the event and its transparency-log leaf, in the write's transaction. The leaf
        holds the feed item exactly as GET /feed serves it: its canonical text is made once
        (selectors.event_item_text), stored as `Event.item`, which /feed and /inbox join, and
        embedded as it is in the leaf, so a verifier can compare."""
        if self.event is not None:
            raise RuntimeError(f"event {self.seq} is already published; a write publishes one")
        actor_id = actor.pk if actor is not None else None
        event = Event(
            seq=self.seq,
            kind=kind,
            at=self.at,
            state_id=state,
            subject=subject,
            version=version,
            payload=canonical_dumps(payload),
            actor_id=actor_id,
        )
        event.item = event_item_text(event)
        event.save(force_insert=True)
        self.event = event
        leaf_append(
            type=LeafType.EVENT,
            at=self.at,
            state=state,
            body={"event": Canonical(event.item)},
            actor_id=actor_id,
            seq=self.seq,
        )
        announce(seq=self.seq)  # on commit: every server's streams wake (exchange.news)
        return self.event


@contextmanager
def event_transaction() -> Iterator[EventDraft]:
    """The one door through which a write enters the exchange: a transaction (a savepoint when
    the caller already holds one, e.g. after locking a meeting's row), the exchange's one write
    lock, and the next seq with the event's time (ledger.services.sequence_lock: taken under the
    lock, never before the log's last leaf). Everything written inside commits with the event and
    its leaf, or nothing does.

        with event_transaction() as event:
            ... store rows dated event.at ...
            event.publish(kind=..., state=..., subject=..., payload=..., actor=...)
    """
    with transaction.atomic():
        at = sequence_lock()
        last = Event.objects.aggregate(m=Max("seq"))["m"] or 0
        yield EventDraft(last + 1, at)


def number_next(queryset, field: str) -> int:
    """The next number after the largest `field` in `queryset` (1 for the first): references
    such as FRA-2026-0007. Call inside `event_transaction()` (under `sequence_lock()`): the lock is held
    until commit, so max + 1 cannot be taken twice; a unique constraint is the backstop."""
    return (queryset.aggregate(m=Max(field))["m"] or 0) + 1


def acknowledgements_record(
    *, actor, seqs: list[int] | None = None, up_to: int | None = None
) -> dict:
    """The actor's state confirms receipt of the given items (or of every item up to `up_to`).

    Acknowledging twice is harmless: the first acknowledgement (time, user) is kept.
    """
    actor = require_state_member(actor)
    problems: list[FieldProblem] = []
    if (seqs is None) == (up_to is None):
        raise InvalidInput([FieldProblem("seqs", _("give exactly one of seqs or up_to"))])
    last = Event.objects.aggregate(m=Max("seq"))["m"] or 0
    if up_to is not None:
        if up_to < 1 or up_to > last:
            raise InvalidInput(
                [
                    FieldProblem(
                        "up_to", _("must be between 1 and %(last)s, the last seq") % {"last": last}
                    )
                ]
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
            problems.append(FieldProblem(f"seqs[{i}]", _("no item with seq %(s)s") % {"s": s}))
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
            count = leaf.pop("count_before", 0) + len(wanted)
            leaf_append(
                type=LeafType.ACKNOWLEDGEMENT,
                at=now,
                state=actor.state_id,
                body={"acknowledgement": {**leaf, "newly_acknowledged": count}},
                actor_id=actor.pk,
            )
        if wanted:
            announce()  # the live pages redraw their acknowledgement lists
    return len(wanted), now
