"""The node's reads: its verified copy, and what its pages say about the exchange."""

import json

from django.conf import settings
from django.db.models import Max

from hcoc.lib.timeutil import shown_utc

from .models import Checkpoint, Finding, Item, NodeStatus, QueuedAcknowledgement, VerifiedEntry

PAGE = 1000


def status() -> NodeStatus:
    return NodeStatus.objects.filter(id=1).first() or NodeStatus(id=1)


def silence(current: NodeStatus | None = None) -> str:
    """The banner's words when the exchange has not answered, else ''."""
    current = current or status()
    if current.down_since is None and current.last_heard_at is not None:
        return ""
    if current.last_heard_at is None:
        return "No word from the exchange yet: this node has not verified anything from it."
    return f"No word from the exchange since {shown_utc(current.last_heard_at)}."


def feed_page(*, after: int, limit: int) -> dict:
    rows = list(Item.objects.filter(seq__gt=after).order_by("seq")[: limit + 1])
    page = rows[:limit]
    return {
        "items": [json.loads(i.text) for i in page],
        "last_seq": page[-1].seq if page else after,
        "more": len(rows) > limit,
    }


def acknowledged_here() -> dict[int, QueuedAcknowledgement]:
    """seq -> the node's acknowledgement of it (queued or forwarded)."""
    out = {}
    for ack in QueuedAcknowledgement.objects.order_by("id"):
        for seq in ack.seqs:
            out.setdefault(seq, ack)
    return out


def inbox(*, limit: int = 200) -> list[Item]:
    """Items from other states that no one acknowledged on this node, newest first."""
    done = set(acknowledged_here())
    rows = Item.objects.exclude(state=settings.NODE_STATE).order_by("-seq")
    return [i for i in rows[: limit + len(done)] if i.seq not in done][:limit]


def item_get(seq: int) -> Item | None:
    return Item.objects.filter(seq=seq).first()


def entries_page(*, start: int, end: int) -> dict:
    end = min(end, start + PAGE - 1)
    rows = VerifiedEntry.objects.filter(index__gte=start, index__lte=end).order_by("index")
    return {
        "entries": [
            {"index": e.index, "seq": e.seq, "leaf": e.leaf, "leaf_hash": e.leaf_hash} for e in rows
        ]
    }


def checkpoints_page(*, after_size: int, limit: int) -> dict:
    rows = list(Checkpoint.objects.filter(size__gt=after_size).order_by("size")[: limit + 1])
    return {
        "checkpoints": [{"size": c.size, "note": c.note} for c in rows[:limit]],
        "more": len(rows) > limit,
    }


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


def summary() -> dict:
    """What GET /api/v1/node answers and the log page shows."""
    current = status()
    latest = checkpoint_latest()
    return {
        "state": settings.NODE_STATE,
        "upstream": settings.NODE_UPSTREAM,
        "entries": (VerifiedEntry.objects.aggregate(m=Max("index"))["m"] or -1) + 1,
        "last_seq": Item.objects.aggregate(m=Max("seq"))["m"] or 0,
        "checkpoint_size": latest.size if latest else 0,
        "cosigned_size": (
            Checkpoint.objects.exclude(cosigned_at=None).aggregate(m=Max("size"))["m"] or 0
        ),
        "last_heard_at": current.last_heard_at,
        "down_since": current.down_since,
        "silence": silence(current),
        "queued_acknowledgements": QueuedAcknowledgement.objects.filter(sent_at=None).count(),
        "findings": [
            {"found_at": f.found_at, "text": f.text} for f in Finding.objects.order_by("id")
        ],
    }
