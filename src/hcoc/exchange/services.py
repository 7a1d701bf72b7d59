"""The one door through which events enter the exchange sequence."""

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from hcoc.lib.canonical import canonical_dumps

from .models import Event


def seq_reserve() -> int:
    """Lock the sequence and return the next seq. Call inside the writing transaction,
    immediately before `event_record`.

    Gap-free and ordered by commit: the lock is held until the transaction commits, so no other
    writer can take a number in between, and a rolled-back transaction leaves no hole (unlike a
    database SEQUENCE). On PostgreSQL, EXCLUSIVE mode still lets readers read the feed. On SQLite
    the IMMEDIATE transaction already holds the database's single write lock.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("seq_reserve must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Event._meta.db_table} IN EXCLUSIVE MODE")
    last = Event.objects.aggregate(m=Max("seq"))["m"] or 0
    return last + 1


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
    return Event.objects.create(
        seq=seq,
        kind=kind,
        at=at,
        state_id=state_id,
        subject=subject,
        version=version,
        payload=canonical_dumps(payload),
        actor_id=actor_id,
    )


def acknowledgements_record(
    *, actor, seqs: list[int] | None = None, up_to: int | None = None
) -> dict:
    """The actor's state confirms receipt of the given items (or of every item up to `up_to`).

    Acknowledging twice is harmless: the first acknowledgement (time, user) is kept.
    """
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from hcoc.accounts.access import require_state_member
    from hcoc.lib.errors import FieldProblem, InvalidInput

    from .models import Acknowledgement

    actor = require_state_member(actor)
    problems: list[FieldProblem] = []
    if (seqs is None) == (up_to is None):
        raise InvalidInput([FieldProblem("seqs", "give exactly one of seqs or up_to")])
    now = timezone.now()
    with transaction.atomic():
        last = Event.objects.aggregate(m=Max("seq"))["m"] or 0
        if up_to is not None:
            if up_to < 1 or up_to > last:
                raise InvalidInput(
                    [FieldProblem("up_to", f"must be between 1 and {last}, the last seq")]
                )
            already = Acknowledgement.objects.filter(
                state_id=actor.state_id, event_id=OuterRef("seq")
            )
            wanted = list(
                Event.objects.filter(seq__lte=up_to)
                .exclude(Exists(already))
                .values_list("seq", flat=True)
            )
        else:
            for i, s in enumerate(seqs or []):
                if s < 1 or s > last:
                    problems.append(FieldProblem(f"seqs[{i}]", f"no item with seq {s}"))
            if problems:
                raise InvalidInput(problems)
            have = set(
                Acknowledgement.objects.filter(
                    state_id=actor.state_id, event_id__in=seqs
                ).values_list("event_id", flat=True)
            )
            wanted = sorted(set(seqs or []) - have)
        Acknowledgement.objects.bulk_create(
            [
                Acknowledgement(state_id=actor.state_id, event_id=s, user=actor, at=now)
                for s in wanted
            ],
            batch_size=2000,
        )
    return {"state": actor.state_id, "acknowledged": len(wanted), "at": now}
