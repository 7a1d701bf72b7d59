"""The node's reads: its verified copy, and what its pages say about the exchange."""

import json

from django.conf import settings
from django.db.models import Max
from django.utils.translation import gettext as _

from hcoc.lib.timeutil import shown_utc

from .models import Checkpoint, Finding, Item, NodeStatus, QueuedAcknowledgement, VerifiedEntry

PAGE = 1000
DECLARATION_KIND = "declaration.submitted"
# What a seq or a year can be in either database (a signed 64-bit integer): anything larger or
# negative names no row, so it is answered "none" without a query (Django itself answers such a
# lookup with no row; the fuzz in tests/node sends numbers past 2**64 to every route).
LARGEST = 2**63 - 1


def status() -> NodeStatus:
    return NodeStatus.objects.filter(id=1).first() or NodeStatus(id=1)


def silence(current: NodeStatus | None = None) -> str:
    """The banner's words when the exchange has not answered, else ''."""
    current = current or status()
    if current.down_since is None and current.last_heard_at is not None:
        return ""
    if current.last_heard_at is None:
        return _("No word from the exchange yet: this node has not verified anything from it.")
    return _("No word from the exchange since %(at)s.") % {"at": shown_utc(current.last_heard_at)}


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
    if not 0 <= seq <= LARGEST:
        return None
    return Item.objects.filter(seq=seq).first()


def _declaration(item: Item) -> dict:
    """A declaration version as its item carries it: the read model of that version (its
    crosscheck as it stood when it was published), with the item's seq and time."""
    payload = json.loads(item.text).get("payload") or {}
    return {**payload, "seq": item.seq, "state": item.state, "published_at": item.at}


def declarations() -> list[dict]:
    """The current version of every annual declaration the node holds (its own state's and
    other states'), newest year first, then by state."""
    current: dict[str, Item] = {}
    for found in Item.objects.filter(kind=DECLARATION_KIND).order_by("seq"):
        current[found.subject] = found  # a later version of a state's year replaces it
    rows = [_declaration(i) for i in current.values()]
    return sorted(rows, key=lambda d: (-(d.get("year") or 0), d["state"]))


def declaration_get(*, state: str, year: int) -> dict | None:
    """{"current": the latest version, "seq", "versions": every version, oldest first} of a
    state's declaration for a year, or None when the node holds none."""
    if not 0 <= year <= LARGEST:
        return None
    found = list(
        Item.objects.filter(kind=DECLARATION_KIND, subject=f"{state.upper()}/{year}").order_by(
            "seq"
        )
    )
    if not found:
        return None
    versions = [_declaration(i) for i in found]
    return {"current": versions[-1], "seq": found[-1].seq, "versions": versions}


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
