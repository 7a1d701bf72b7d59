"""The feed and the inbox served from stored bytes (issue 24): each event's item is stored once as
its canonical JSON (Event.item), and a page is those texts joined. The schemas stay the contract:
what is served is byte for byte what FeedPage / InboxPage would make of the same items, and each
stored item is the one its log leaf embeds."""

import importlib
import json
from datetime import UTC, datetime

from django.apps import apps
from support.bodies import declaration, pln

from hcoc.exchange.models import Event
from hcoc.exchange.schemas import FeedItem, FeedPage, InboxPage
from hcoc.exchange.selectors import event_as_item, event_item_text
from hcoc.ledger.models import LogEntry
from hcoc.lib.canonical import canonical_dumps


def schema_page(schema, events, **rest) -> bytes:
    """What the schema makes of these events' items (as the API served them before issue 24),
    in canonical form."""
    page = schema.model_validate({"items": [event_as_item(e) for e in events], **rest})
    return canonical_dumps(page.model_dump()).encode()


def exchange_of_every_kind(api, personas) -> None:
    fra, jpn = personas["fra_submitter"], personas["jpn_submitter"]
    n = api.post("/notifications", fra, json=pln()).json()
    r = api.post(
        f"/notifications/{n['reference']}/amendments",
        fra,
        json=pln(remarks="Fenêtre décalée — « Kourou », 発射", vehicle_name="Vega C"),
    )
    assert r.status_code == 201, r.text
    r = api.post(f"/notifications/{n['reference']}/cancellation", fra, json={"reason": "Météo"})
    assert r.status_code == 201, r.text
    r = api.post("/notifications", jpn, json=pln(launch_area={"site_id": "JPN-TANEGASHIMA"}))
    assert r.status_code == 201, r.text
    r = api.post("/declarations", fra, json=declaration(datetime.now(UTC).year - 1))
    assert r.status_code == 201, r.text


def test_feed_pages_are_the_stored_items_and_what_the_schema_makes_of_them(api, personas):
    exchange_of_every_kind(api, personas)
    events = list(Event.objects.order_by("seq"))
    assert len(events) == 5
    for e in events:
        # Stored once, as the schema would dump it, and as the log leaf embeds it.
        assert e.item == event_item_text(e)
        assert e.item == canonical_dumps(FeedItem.model_validate(event_as_item(e)).model_dump())
        leaf = LogEntry.objects.get(seq=e.seq).leaf
        assert f'"event":{e.item}' in leaf
        assert json.loads(leaf)["event"] == json.loads(e.item)

    reader = personas["jpn_reader"]
    r = api.get("/feed", reader, params={"limit": 1000})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert r.content == schema_page(FeedPage, events, last_seq=5, more=False)
    # Paged: two items after the first, more to come; and past the end, empty.
    r = api.get("/feed", reader, params={"after": 1, "limit": 2})
    assert r.content == schema_page(FeedPage, events[1:3], last_seq=3, more=True)
    r = api.get("/feed", reader, params={"after": 5})
    assert r.content == schema_page(FeedPage, [], last_seq=5, more=False)
    assert r.json() == {"items": [], "last_seq": 5, "more": False}


def test_inbox_pages_are_the_stored_items_and_what_the_schema_makes_of_them(api, personas):
    exchange_of_every_kind(api, personas)
    jpn = personas["jpn_reader"]
    theirs = list(Event.objects.exclude(state_id="JPN").order_by("seq"))
    assert [e.seq for e in theirs] == [1, 2, 3, 5]
    r = api.get("/inbox", jpn)
    assert r.status_code == 200
    assert r.content == schema_page(InboxPage, theirs, last_seq=5, more=False, unacknowledged=4)
    assert api.post("/acknowledgements", jpn, json={"seqs": [2]}).status_code == 201
    r = api.get("/inbox", jpn, params={"limit": 2})
    assert r.content == schema_page(
        InboxPage, [theirs[0], theirs[2]], last_seq=3, more=True, unacknowledged=3
    )


def test_the_migration_stores_for_every_published_event_the_item_its_leaf_embeds(api, personas):
    """Events published before Event.item existed get, from the migration, exactly the text
    their leaf embeds: old items keep their bytes (their full geometry included)."""
    exchange_of_every_kind(api, personas)
    before = dict(Event.objects.values_list("seq", "item"))
    Event.objects.update(item="")
    migration = importlib.import_module("hcoc.exchange.migrations.0003_event_item")
    migration.backfill(apps, None)
    after = dict(Event.objects.values_list("seq", "item"))
    assert after == before
    for seq, item in after.items():
        assert f'"event":{item}' in LogEntry.objects.get(seq=seq).leaf
