"""The node's writes, one door each: what it verified, its contact with the exchange, the
acknowledgements its users make, and what it finds wrong with the relay."""

import json
import logging
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from hcoc.lib.timeutil import parse_rfc3339, shown_utc

from .models import Checkpoint, Finding, Item, NodeStatus, QueuedAcknowledgement, VerifiedEntry

log = logging.getLogger("hcoc.node")


def status() -> NodeStatus:
    return NodeStatus.objects.get_or_create(id=1)[0]


def item_row(item: dict) -> tuple:
    """A feed item as the node keeps it until its run has verified, and stores it: (seq, kind,
    state, subject, at as served, its JSON text). Text, not the parsed item: a catch-up holds
    every item it read until the end of the run, and 100,000 parsed items took hundreds of MiB.
    Total for any JSON object (what the relay served is checked by the verifier, not here)."""
    return (
        item.get("seq"),
        item.get("kind"),
        item.get("state") or "",
        item.get("subject") or "",
        item.get("at"),
        json.dumps(item, separators=(",", ":"), ensure_ascii=False),
    )


def verified_store(*, keys: dict, vkey: str, resume: dict, entries, items, notes) -> int:
    """Keep what one verification run checked (the entries after the saved state, their feed
    items and the checkpoints of sizes the tree reached), and the verifier's state to go on
    from, in one transaction: a crash keeps all of it or none. `items` as item_row makes them.
    Returns the items stored."""
    now = timezone.now()
    size = resume["size"]
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic():
        stored_at = adapt(now)
        _insert_many(
            VerifiedEntry,
            ("index", "leaf", "leaf_hash", "seq", "stored_at"),
            [
                (e["index"], e["leaf"], e.get("leaf_hash") or "", e.get("seq"), stored_at)
                for e in entries
                if e["index"] < size
            ],
        )
        rows = [
            (seq, kind, state, subject, adapt(parse_rfc3339(at)), text)
            for seq, kind, state, subject, at, text in items
            if seq < resume["next_seq"]
        ]
        _insert_many(Item, ("seq", "kind", "state", "subject", "at", "text"), rows)
        Checkpoint.objects.bulk_create(
            [Checkpoint(size=n_size, note=text) for n_size, text in notes if n_size <= size],
            ignore_conflicts=True,
        )
        NodeStatus.objects.update_or_create(
            id=1,
            defaults={
                "keys": json.dumps(keys),
                "vkey": vkey,
                "resume": json.dumps(resume),
                "last_heard_at": now,
                "down_since": None,
                "last_failure": "",
            },
        )
    return len(rows)


def _insert_many(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """What bulk_create(ignore_conflicts=True) does, as one INSERT prepared once and run over
    every row (executemany): a catch-up stores hundreds of thousands of rows, and building a
    model instance and a statement of a few hundred rows at a time cost more than the
    verifying (docs/benchmarks.md, *National node*). The rows are already in the columns'
    database types (datetimes through the backend's own adapter). ON CONFLICT DO NOTHING, on
    SQLite and PostgreSQL alike: a row the node holds already is kept as it was verified."""
    if not rows:
        return
    qn = connection.ops.quote_name
    names = ", ".join(qn(model._meta.get_field(c).column) for c in columns)
    values = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES ({values}) "  # noqa: S608 (names from the model, values as parameters)
            "ON CONFLICT DO NOTHING",
            rows,
        )


def contact_ok() -> None:
    NodeStatus.objects.update_or_create(
        id=1, defaults={"last_heard_at": timezone.now(), "down_since": None, "last_failure": ""}
    )


def contact_failed(why: str) -> None:
    """The exchange did not answer: the pages say since when nothing came."""
    with transaction.atomic():
        current = status()
        current.down_since = current.down_since or timezone.now()
        current.last_failure = why[:2000]
        current.save(update_fields=["down_since", "last_failure"])


def checkpoint_cosigned(size: int) -> None:
    Checkpoint.objects.filter(size=size).update(cosigned_at=timezone.now())


def acknowledgement_queue(*, seqs: list[int]) -> QueuedAcknowledgement:
    """An acknowledgement made on the node: stored before anything is sent, with the key that
    makes its forwarding happen once however often it is retried."""
    return QueuedAcknowledgement.objects.create(
        seqs=sorted(set(seqs)), idempotency_key=str(uuid.uuid4()), queued_at=timezone.now()
    )


def acknowledgement_forwarded(ack: QueuedAcknowledgement, *, answer: str, refused: bool) -> None:
    ack.sent_at = timezone.now()
    ack.answer = answer[:4000]
    ack.refused = refused
    ack.save(update_fields=["sent_at", "answer", "refused"])


def finding_record(text: str) -> bool:
    """Keep a finding (once: the same words are the same finding) and e-mail it to the node's
    admins. Returns whether it was new."""
    finding, created = Finding.objects.get_or_create(
        text=text, defaults={"found_at": timezone.now()}
    )
    if not created:
        return False
    log.warning("finding: %s", text)
    admins = settings.NODE_ADMINS
    if admins:
        send_mail(
            "HCoC node: the exchange showed this node something it must not",
            f"Found {shown_utc(finding.found_at)}:\n\n{text}\n\n"
            "The node keeps serving what it verified before. See its log page.",
            settings.DEFAULT_FROM_EMAIL,
            admins,
        )
        finding.emailed_at = timezone.now()
        finding.save(update_fields=["emailed_at"])
    return True
