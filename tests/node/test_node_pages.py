"""The node's pages and API, in process, from a copy stored as a verification run stores it:
what they show in words, the banner while the exchange is silent, and a clear answer naming the
field for anything a user sends (never a 500). (The node's whole path, with the exchange and the
verifier, is tests/node/test_node_follows.py.)"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from support.node_pages import NODE_SETTINGS

from hcoc.node import audit, services
from hcoc.node.models import Item, QueuedAcknowledgement, VerifiedEntry

NODE = NODE_SETTINGS


def item(seq: int, state: str, subject: str) -> dict:
    return {
        "seq": seq,
        "kind": "notification.submitted",
        "at": "2026-12-07T08:49:12.345678Z",
        "state": state,
        "subject": subject,
        "version": 1,
        "payload": {"category": "SLV", "window": {"opens": "2026-12-09T06:00:00Z"}},
    }


@pytest.fixture
def node(db):
    with override_settings(**NODE):
        services.verified_store(
            keys={"origin": "o", "vkey": "v", "keys": []},
            vkey="v",
            resume={"size": 3, "next_seq": 3},
            entries=[
                {"index": i, "seq": i or None, "leaf": "{}", "leaf_hash": ""} for i in range(3)
            ],
            items=[
                services.item_row(item(1, "FRA", "FRA-2026-0001")),
                services.item_row(item(2, "JPN", "JPN-2026-0001")),
            ],
            notes=[],
        )
        yield Client()


def test_the_inbox_shows_other_states_items_in_words_and_the_item_page_its_fields(node):
    inbox = node.get("/").content.decode()
    assert "FRA-2026-0001" in inbox and "France" in inbox and "2026-12-07 08:49 UTC" in inbox
    assert "JPN-2026-0001" not in inbox  # Japan's own item waits for no acknowledgement
    page = node.get("/items/1").content.decode()
    assert "Notification submitted: FRA-2026-0001" in page
    assert "Window opens" in page and "2026-12-09 06:00 UTC" in page
    assert "Acknowledge receipt" in page
    assert "No word from the exchange" not in page


def test_a_silent_exchange_puts_the_banner_on_every_page_saying_since_when(node):
    heard = datetime(2026, 12, 7, 8, 49, 30, tzinfo=UTC)
    services.contact_ok()
    services.status().__class__.objects.update(last_heard_at=heard)
    services.contact_failed("URLError: connection refused")
    for path in ("/", "/items/1", "/log/"):
        text = node.get(path).content.decode()
        assert "No word from the exchange since 2026-12-07 08:49 UTC." in text, path
    assert node.get("/api/v1/node").json()["silence"].startswith("No word from the exchange since")


def test_an_acknowledgement_on_the_page_is_queued_once_and_shown_as_waiting(node):
    assert node.post("/items/1/acknowledge").status_code == 302
    assert node.post("/items/1/acknowledge").status_code == 302
    [ack] = QueuedAcknowledgement.objects.all()
    assert ack.seqs == [1] and ack.sent_at is None and len(ack.idempotency_key) == 36
    assert (
        "it will reach the exchange when the exchange answers"
        in node.get("/items/1").content.decode()
    )
    assert "FRA-2026-0001" not in node.get("/").content.decode()  # out of the inbox


def test_the_api_queues_an_acknowledgement_only_with_the_nodes_token_and_names_a_bad_field(node):
    url = "/api/v1/acknowledgements"
    assert node.post(url, {"seqs": [1]}, content_type="application/json").status_code == 401
    bearer = {"HTTP_AUTHORIZATION": "Bearer node-secret"}
    for body, field in (
        ({"seqs": "1"}, "seqs"),
        ({"seqs": []}, "seqs"),
        ({"seqs": [True]}, "seqs"),
        ({"seqs": [99]}, "seqs: no item 99"),
        ([1], "seqs"),
    ):
        r = node.post(url, json.dumps(body), content_type="application/json", **bearer)
        assert r.status_code == 422 and field in r.json()["detail"], (body, r.content)
    r = node.post(url, "{", content_type="application/json", **bearer)
    assert r.status_code == 422
    r = node.post(url, {"seqs": [1]}, content_type="application/json", **bearer)
    assert r.status_code == 202 and r.json()["seqs"] == [1]


def test_the_read_api_answers_in_the_exchanges_shapes_and_names_a_bad_parameter(node):
    feed = node.get("/api/v1/feed", {"after": 1}).json()
    assert [i["seq"] for i in feed["items"]] == [2] and feed["last_seq"] == 2
    assert node.get("/api/v1/items/1").json()["subject"] == "FRA-2026-0001"
    entries = node.get("/api/v1/log/entries", {"start": 0, "end": 1}).json()["entries"]
    assert [e["index"] for e in entries] == [0, 1]
    for path, params, field in (
        ("/api/v1/feed", {"after": "x"}, "after"),
        ("/api/v1/feed", {"limit": "0"}, "limit"),
        ("/api/v1/log/entries", {"start": "0"}, "end"),
        ("/api/v1/log/entries", {"start": "5", "end": "1"}, "end"),
        ("/api/v1/log/checkpoints", {"after_size": "-1"}, "after_size"),
    ):
        r = node.get(path, params)
        assert r.status_code == 422 and r.json()["detail"].startswith(field), (path, params)
    assert node.get("/api/v1/items/99").status_code == 404
    assert node.get("/api/v1/log/checkpoint").status_code == 503  # none verified yet


def test_a_run_storing_a_row_the_node_holds_keeps_it_as_verified_first_and_stores_the_rest(node):
    # The rows are written by one statement over them all (INSERT ... ON CONFLICT DO NOTHING),
    # not model by model: a row already held is not rewritten, the others are stored, and times
    # come back as they were served.
    first = VerifiedEntry.objects.get(index=1)
    services.verified_store(
        keys={"origin": "o", "vkey": "v", "keys": []},
        vkey="v",
        resume={"size": 4, "next_seq": 4},
        entries=[
            {"index": 1, "seq": 1, "leaf": '{"rewritten":1}', "leaf_hash": "ff"},
            {"index": 3, "seq": 3, "leaf": '{"new":1}', "leaf_hash": "ee"},
        ],
        items=[
            services.item_row(item(1, "FRA", "FRA-2026-0099")),
            services.item_row(item(3, "DEU", "DEU-2026-0001")),
        ],
        notes=[],
    )
    again = VerifiedEntry.objects.get(index=1)
    assert (again.leaf, again.leaf_hash, again.stored_at) == ("{}", "", first.stored_at)
    assert VerifiedEntry.objects.get(index=3).leaf == '{"new":1}'
    assert node.get("/api/v1/items/1").json()["subject"] == "FRA-2026-0001"
    new = Item.objects.get(seq=3)
    assert new.at == datetime(2026, 12, 7, 8, 49, 12, 345678, tzinfo=UTC)
    assert (new.kind, new.state, new.subject) == ("notification.submitted", "DEU", "DEU-2026-0001")
    assert "DEU-2026-0001" in node.get("/").content.decode()
    assert json.loads(new.text) == item(3, "DEU", "DEU-2026-0001")


def test_a_finding_is_kept_once_shown_in_words_and_mailed_to_the_admins(node, mailoutbox):
    text = "Entry 2 (notification submitted by France, FRA-2026-0001) was rewritten."
    with override_settings(NODE_ADMINS=["security@ministry.example"]):
        assert services.finding_record(text) is True
        assert services.finding_record(text) is False
    [mail] = mailoutbox
    assert mail.to == ["security@ministry.example"] and text in mail.body
    page = node.get("/log/").content.decode()
    assert text in page
    found_at = node.get("/api/v1/node").json()["findings"][0]["found_at"]
    assert abs(datetime.fromisoformat(found_at) - timezone.now()) < timedelta(minutes=5)


@pytest.mark.parametrize(
    ("size", "verified", "named"),
    [
        # Shown a longer tree than the node verified: the difference is after the node's entries.
        (8, 7, "verified the log up to entry 6, so entry 7 belongs to two different histories"),
        (9, 6, "verified the log up to entry 5, so entries 6 to 8 belong to two different"),
        # Shown another root for a tree the node verified whole (it read the true one first):
        # the difference is among that tree's entries, all of which the node holds.
        (8, 8, "verified the log up to entry 7, so entries 0 to 7 belong to two different"),
        (5, 8, "verified the log up to entry 7, so entries 0 to 4 belong to two different"),
        (3, 0, "verified no entry yet, so entries 0 to 2 belong to two different histories"),
    ],
)
def test_a_split_view_finding_names_the_entries_whichever_tree_the_node_verified_first(
    size, verified, named
):
    problem = f"split view: two checkpoints of size {size} signed by the log with different roots"
    text = audit.in_words(problem, verified)
    assert text.startswith(audit.PREFIX + problem) and named in text, text
