"""Reads of the exchange sequence, through the access rules."""

from collections import defaultdict
from datetime import UTC, datetime

from django.db.models import BinaryField, Exists, Func, OuterRef, Subquery
from django.utils.translation import gettext as _

from hcoc.lib.canonical import Canonical, canonical_dumps_embedding, canonical_loads
from hcoc.lib.errors import NotFound
from hcoc.lib.timeutil import rfc3339
from hcoc.states.access import require_exchange_reader, require_state_member
from hcoc.states.models import HcocStatus, State
from hcoc.states.names import names_of

from .access import require_feed_reader
from .models import Acknowledgement, Event, EventKind


def event_as_item(event: Event, *, payload_as_stored: bool = False) -> dict:
    """The feed item. With `payload_as_stored`, the payload stays its stored canonical text
    (a `Canonical`), for embedding in a log leaf without being parsed and serialised again."""
    return {
        "seq": event.seq,
        "kind": str(event.kind),
        "at": rfc3339(event.at),
        "state": event.state_id,
        "subject": event.subject,
        "version": event.version,
        "payload": Canonical(event.payload)
        if payload_as_stored
        else canonical_loads(event.payload),
    }


def event_item_text(event: Event) -> str:
    """The feed item as RFC 8785 canonical JSON: what `Event.item` stores, written once when the
    event is published, and what its log leaf embeds."""
    return canonical_dumps_embedding(event_as_item(event, payload_as_stored=True))


def _page_rows(qs, *, after: int, limit: int) -> tuple[list[tuple[int, str]], int, bool]:
    """(seq, stored item text) of the page after `after`, its last seq, and whether more follow."""
    rows = list(qs.filter(seq__gt=after).order_by("seq").values_list("seq", "item")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1][0] if rows else after, more


def _page(qs, *, after: int, limit: int) -> dict:
    rows, last, more = _page_rows(qs, after=after, limit=limit)
    return {"items": [canonical_loads(text) for _, text in rows], "last_seq": last, "more": more}


class _Utf8(Func):
    """A text column as its UTF-8 bytes, read as bytes: the page is joined and sent without
    decoding a thousand items into str and encoding the page back (issue 24). SQLite stores
    text as UTF-8 and CAST(... AS BLOB) gives those bytes; PostgreSQL's convert_to does the
    same (never `::bytea`, which reads backslashes in the text as escapes)."""

    output_field = BinaryField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS BLOB)")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="convert_to(%(expressions)s, 'UTF8')")


def _page_bytes(qs, *, after: int, limit: int, **extra: int) -> bytes:
    """A page as /feed and /inbox serve it: the stored items joined, as they are, into the page
    object (schemas.FeedPage, InboxPage), itself RFC 8785 canonical JSON (its members in that
    order, integers and booleans only), so nothing is parsed, validated or serialised again,
    nor decoded and encoded: the items are read as bytes and joined once.
    tests/api/test_feed_bytes.py proves it equal to what the schema makes of the items."""
    rows = list(
        qs.filter(seq__gt=after).order_by("seq").values_list("seq", _Utf8("item"))[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][0] if rows else after
    tail = "".join(f',"{k}":{int(v)}' for k, v in sorted(extra.items()))
    end = f'],"last_seq":{int(last)},"more":{"true" if more else "false"}{tail}}}'
    return b"".join([b'{"items":[', b",".join([item for _, item in rows]), end.encode()])


def feed_page(*, after: int, limit: int) -> dict:
    """The sequence after `after`, oldest first, as `/feed` serves it, for a caller that has
    asked `require_feed_reader` of its reader: the live stream reads a new item once for every
    stream of a server process, then checks each stream's reader."""
    return _page(Event.objects.all(), after=after, limit=limit)


def feed_page_for(*, actor, after: int, limit: int) -> dict:
    """The whole sequence, oldest first; every subscribing state and the ICC see all of it."""
    require_feed_reader(actor)
    return feed_page(after=after, limit=limit)


def feed_page_bytes_for(*, actor, after: int, limit: int) -> bytes:
    """`feed_page_for` as the JSON GET /feed answers, from the stored items."""
    require_feed_reader(actor)
    return _page_bytes(Event.objects.all(), after=after, limit=limit)


def unacknowledged_count(state_id: str) -> int:
    """Items from other states not yet acknowledged by `state_id`: two index-backed counts
    instead of an anti-join over the whole history on every page."""
    others = Event.objects.exclude(state_id=state_id).count()
    acked = (
        Acknowledgement.objects.filter(state_id=state_id).exclude(event__state_id=state_id).count()
    )
    return others - acked


def _inbox(actor):
    acked = Acknowledgement.objects.filter(state_id=actor.state_id, event_id=OuterRef("seq"))
    return Event.objects.exclude(state_id=actor.state_id).exclude(Exists(acked))


def inbox_page_for(*, actor, after: int, limit: int) -> dict:
    """Items from other states that the actor's state has not acknowledged, oldest first."""
    actor = require_state_member(actor)
    page = _page(_inbox(actor), after=after, limit=limit)
    page["unacknowledged"] = unacknowledged_count(actor.state_id)
    return page


def inbox_page_bytes_for(*, actor, after: int, limit: int) -> bytes:
    """`inbox_page_for` as the JSON GET /inbox answers, from the stored items."""
    actor = require_state_member(actor)
    return _page_bytes(
        _inbox(actor),
        after=after,
        limit=limit,
        unacknowledged=unacknowledged_count(actor.state_id),
    )


def concerns(payload: dict, state: str | None) -> bool:
    """Whether a feed item's payload names `state` in its `affected_states` (the published
    field of a notification's read model, docs/formats.md "Geography")."""
    rows = payload.get("affected_states") if isinstance(payload, dict) else None
    return bool(state) and any(r.get("state") == state for r in rows or [])


def _concerning(qs, state: str):
    """Items whose payload lists `state` in affected_states. Payloads are RFC 8785 canonical
    JSON (keys sorted, no spaces), so an affected_states row of FRA reads exactly
    `{"parts":[...],"state":"FRA","zones":[...]}`: its non-empty `parts` list ends just before
    `,"state":"FRA","zones":`. A row of `in_planned_direction` (`{"state":"FRA","zones":...}`,
    a lower tier that never concerns a state) has no `parts` before it, and no other key of a
    payload is followed by `"zones"` ("state" is followed by "status" at the top level)."""
    return qs.filter(payload__contains=f'"],"state":"{state}","zones":')


def inbox_recent_for(
    *,
    actor,
    before: int | None = None,
    limit: int = 50,
    concerning_me: bool = False,
    kind: str | None = None,
    state: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    with_acknowledged: bool = False,
) -> dict:
    """The inbox newest first (for people): items of other states before `before`, and the total
    unacknowledged. Filters: `concerning_me` (the actor's state among the affected states), the
    item's `kind`, its `state`, its time in [since, until); with `with_acknowledged`, the items
    the actor's state has acknowledged too. Each item says when the state acknowledged it
    (`acknowledged_at`, None if not yet)."""
    actor = require_state_member(actor)
    acked = Acknowledgement.objects.filter(state_id=actor.state_id, event_id=OuterRef("seq"))
    qs = Event.objects.exclude(state_id=actor.state_id)
    if with_acknowledged:
        qs = qs.annotate(acknowledged_at=Subquery(acked.values("at")[:1]))
    else:
        qs = qs.exclude(Exists(acked))
    total = unacknowledged_count(actor.state_id)
    if concerning_me:
        qs = _concerning(qs, actor.state_id)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state_id=state)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    if before is not None:
        qs = qs.filter(seq__lt=before)
    rows = list(qs.order_by("-seq")[: limit + 1])
    names = state_names({e.state_id for e in rows[:limit]})
    items = []
    for e in rows[:limit]:
        item = event_as_item(e)
        item["state_name"] = names.get(e.state_id, e.state_id)
        item["concerns_me"] = concerns(item["payload"], actor.state_id)
        at = getattr(e, "acknowledged_at", None)
        item["acknowledged_at"] = rfc3339(at) if at else None
        items.append(item)
    return {
        "items": items,
        "older": rows[limit - 1].seq if len(rows) > limit else None,
        "unacknowledged": total,
    }


def acknowledgeable_by(*, actor, seqs: list[int]) -> dict[int, dict]:
    """Of `seqs`, the items the actor's state may acknowledge (items of other states; its own
    are not in its inbox), as feed items with their state's name, keyed by seq."""
    actor = require_state_member(actor)
    events = Event.objects.filter(seq__in=seqs).exclude(state_id=actor.state_id)
    names = state_names({e.state_id for e in events})
    out = {}
    for e in events:
        item = event_as_item(e)
        item["state_name"] = names.get(e.state_id, e.state_id)
        out[e.seq] = item
    return out


NOTIFICATION_KINDS = [k for k in EventKind.values if k.startswith(("notification.", "launch."))]


def notification_items_unacknowledged_for(*, actor, reference: str) -> list[int]:
    """The seqs of a notification's items (its versions, its launch report, its cancellation)
    that the actor's state has not acknowledged, oldest first: what "acknowledge all versions
    of this notification" offers. Only other states' items (a state does not acknowledge its
    own); the caller shows the notification, so each is shown before it is offered (shown.py)."""
    actor = require_state_member(actor)
    return list(
        Event.objects.filter(subject=reference, kind__in=NOTIFICATION_KINDS)
        .exclude(state_id=actor.state_id)
        .exclude(acknowledgements__state_id=actor.state_id)
        .order_by("seq")
        .values_list("seq", flat=True)
    )


def state_names(iso3s) -> dict[str, str]:
    """{iso3: name} of the registry's states among `iso3s` (public facts), and of the
    territories the geography reports under codes of their own (hcoc.states.names)."""
    return names_of(iso3s)


def states_expected_to_acknowledge(events) -> dict[int, list[str]]:
    """The one rule of who owes an acknowledgement, for each of `events` (by seq): every state
    whose subscription was in effect on the item's day (UTC; `State.is_subscribing_on`, the
    access rule) and still is, but the item's own state. A state owes acknowledgements from its
    subscription on, not for what the exchange held before it subscribed: a subscription
    recorded with a date still ahead makes the state owe the items from that date, and a state
    that has withdrawn owes nothing. The acknowledgement pages, the API's status, the ICC
    console's counts and the daily chase all ask it."""
    subscribing = list(
        State.objects.filter(status=HcocStatus.SUBSCRIBING).only("iso3", "status", "subscribed_on")
    )
    return {
        e.seq: [
            s.iso3
            for s in subscribing
            if s.iso3 != e.state_id and s.is_subscribing_on(e.at.astimezone(UTC).date())
        ]
        for e in events
    }


def acknowledgement_status_for(*, actor, seq: int) -> dict:
    """Which states have acknowledged item `seq` (and when), and which of those expected to
    (`states_expected_to_acknowledge`) have not."""
    require_exchange_reader(actor)
    event = Event.objects.filter(seq=seq).first()
    if event is None:
        raise NotFound(_("No item with seq %(seq)s.") % {"seq": seq})
    acks = {
        a.state_id: a.at
        for a in Acknowledgement.objects.filter(event_id=seq).only("state_id", "at")
    }

    expected = states_expected_to_acknowledge([event])[seq]
    return {
        "seq": seq,
        "acknowledged": [{"state": k, "at": rfc3339(v)} for k, v in sorted(acks.items())],
        "not_acknowledged": sorted(s for s in expected if s not in acks),
    }


def acknowledgement_report_for(*, actor, seq: int) -> dict:
    """Item `seq` with who has and has not acknowledged it, by name (the acknowledgement page and
    its CSV): the same expectation as acknowledgement_status_for, which it reads through."""
    status = acknowledgement_status_for(actor=actor, seq=seq)
    event = Event.objects.get(seq=seq)
    item = event_as_item(event)
    del item["payload"]
    names = state_names(
        {event.state_id}
        | {a["state"] for a in status["acknowledged"]}
        | set(status["not_acknowledged"])
    )
    item["state_name"] = names.get(event.state_id, event.state_id)
    # A state's receipt of its own item (an API `up_to` covers them) is no acknowledgement anyone
    # waits for: the page lists the states expected to acknowledge.
    acknowledged = [
        {**a, "name": names.get(a["state"], a["state"])}
        for a in status["acknowledged"]
        if a["state"] != event.state_id
    ]
    missing = [{"state": s, "name": names.get(s, s)} for s in status["not_acknowledged"]]
    by_name = lambda row: row["name"]  # noqa: E731
    return {
        **status,
        "item": item,
        "acknowledged_named": sorted(acknowledged, key=by_name),
        "not_acknowledged_named": sorted(missing, key=by_name),
        "expected": len(acknowledged) + len(missing),
    }


def feed_recent_for(*, actor, before: int | None = None, limit: int = 50) -> dict:
    """The newest items first (the ICC console), each with `expected` (how many states are
    expected to acknowledge it: `states_expected_to_acknowledge`) and how many of them have and
    have not."""

    require_exchange_reader(actor)
    qs = Event.objects.all()
    if before is not None:
        qs = qs.filter(seq__lt=before)
    rows = list(qs.order_by("-seq")[: limit + 1])
    events = rows[:limit]
    expected = states_expected_to_acknowledge(events)
    acked: dict[int, set[str]] = defaultdict(set)
    for event_id, state_id in Acknowledgement.objects.filter(
        event_id__in=[e.seq for e in events]
    ).values_list("event_id", "state_id"):
        acked[event_id].add(state_id)
    items = []
    for e in events:
        item = event_as_item(e)
        mine = expected[e.seq]
        item["expected"] = len(mine)
        item["not_acknowledged"] = sum(1 for s in mine if s not in acked[e.seq])
        item["acknowledged"] = item["expected"] - item["not_acknowledged"]
        items.append(item)
    return {"items": items, "older": events[-1].seq if len(rows) > limit else None}


def unacknowledged_states(seqs: list[int]) -> dict[int, list[str]]:
    """For the exchange's own tasks, which have no actor (the ICC's daily chase): by item, the
    states expected to acknowledge it (`states_expected_to_acknowledge`, as for every reader)
    that have not."""
    events = Event.objects.filter(seq__in=seqs).only("seq", "state_id", "at")
    expected = states_expected_to_acknowledge(events)
    acked: dict[int, set[str]] = defaultdict(set)
    for event_id, state_id in Acknowledgement.objects.filter(event_id__in=seqs).values_list(
        "event_id", "state_id"
    ):
        acked[event_id].add(state_id)
    return {
        seq: sorted(s for s in expected[seq] if s not in acked[seq])
        for seq in seqs
        if seq in expected
    }
