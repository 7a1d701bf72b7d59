"""The live stream, `GET /api/v1/feed/stream` (issue 11), over real HTTP against a real `hcoc
serve` (gunicorn with uvicorn workers): every reader gets exactly what `/feed` gives it, resumes
with `Last-Event-ID` without a loss or a repeat (also across a restart of the server), and loses
the stream when it loses access. Django's test server (WSGI) ends the stream once caught up."""

import json

import httpx
import pytest
from support.bodies import invitation, pln
from support.serve import events, items, serve
from support.stored import nothing_stored

from hcoc.accounts.models import ApiToken, User
from hcoc.accounts.services import token_revoke
from hcoc.delivery import stream as module
from hcoc.exchange.models import Event
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit
from hcoc.observers.schemas import InvitationIn
from hcoc.observers.services import invitation_issue
from hcoc.states.models import HcocStatus, State

pytestmark = [pytest.mark.slow, pytest.mark.together("stream-server"), pytest.mark.timeout(180)]

STREAM = "/api/v1/feed/stream"
# Every read of a stream gives up after this long instead of hanging the test.
READ = httpx.Timeout(20.0)


@pytest.fixture
def server(stream_server):
    return stream_server  # the session's (tests/delivery/conftest.py), shared with the other module


def submit(username: str = "fra_submitter") -> int:
    """A PLN, committed (the server sees it); returns its seq."""
    n = notification_submit(
        actor=User.objects.get(username=username), data=PLNIn.model_validate(pln())
    )
    return n.versions.get(version=n.current_version).seq


def stream(base: str, who, **headers):
    return httpx.stream("GET", base + STREAM, headers={**who.headers, **headers}, timeout=READ)


def as_items(received) -> list[dict]:
    """The events' data as feed items, after checking each event names the item's seq and kind."""
    out = []
    for event in received:
        item = json.loads(event.text)
        assert (event.id, event.event) == (str(item["seq"]), item["kind"])
        out.append(item)
    return out


@pytest.mark.process
def test_a_stream_resumed_with_last_event_id_across_a_server_restart_loses_and_repeats_nothing(
    transactional_db, personas
):
    jpn = personas["jpn_reader"]
    before = [submit() for _ in range(3)]
    own = serve()
    try:
        with stream(own.url, jpn) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            source = events(r)
            received = items(source, 3)  # what was there before: the catch-up
            during = [submit()]
            received += items(source, 1)  # live
            own.kill()  # a crash, with the client still connected
        during += [submit(), submit()]  # while the exchange's server is down
        own.start()
        last = received[-1].id
        with stream(own.url, jpn, **{"Last-Event-ID": last}) as r:
            source = events(r)
            received += items(source, 2)
            during.append(submit())
            received += items(source, 1)
        feed = httpx.get(own.url + "/api/v1/feed", headers=jpn.headers).json()["items"]
    finally:
        own.kill()
    got = as_items(received)
    assert [i["seq"] for i in got] == before + during == list(range(before[0], during[-1] + 1))
    assert got == feed  # each item exactly as /feed serves it


@pytest.mark.process
def test_every_reader_gets_on_the_stream_exactly_what_the_feed_gives_it(
    server, transactional_db, personas
):
    fra = User.objects.get(username="fra_submitter")
    submit()
    invitation_issue(actor=fra, data=InvitationIn.model_validate(invitation()))
    named = invitation(audience="named", named_states=["JPN"], remarks="For Japan's eyes only")
    restricted = invitation_issue(actor=fra, data=InvitationIn.model_validate(named))
    submit("jpn_submitter")
    for who in ("icc", "fra_reader", "jpn_reader", "jpn_submitter"):
        persona = personas[who]
        feed = httpx.get(server.url + "/api/v1/feed", headers=persona.headers).json()["items"]
        assert len(feed) == 4
        with stream(server.url, persona) as r:
            got = as_items(items(events(r), len(feed)))
        assert got == feed, who
        # The restricted invitation's item is its commitment alone, for its addressee too: the
        # invitation itself is read, by those it is for, at /invitations/{reference}.
        item = next(i for i in got if i["subject"] == restricted.reference)
        assert set(item["payload"]) == {"reference", "audience", "commitment"}
        assert "For Japan's eyes only" not in json.dumps(got)


@pytest.mark.process
def test_the_stream_refuses_whom_the_feed_refuses_and_names_a_bad_resume_point(
    server, transactional_db, personas
):
    submit()
    base = server.url + STREAM
    with nothing_stored():
        cases = [
            (personas["prk_user"].headers, 403, None),  # not a subscribing state
            ({}, 401, None),
            ({"Authorization": "Bearer hcoc_not-a-token"}, 401, None),
            ({**personas["jpn_reader"].headers, "Last-Event-ID": "seven"}, 422, "Last-Event-ID"),
            ({**personas["jpn_reader"].headers, "Last-Event-ID": "-1"}, 422, "Last-Event-ID"),
        ]
        for headers, status, field in cases:
            r = httpx.get(base, headers=headers, timeout=READ)
            assert r.status_code == status, (headers, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            if field:
                assert [e["field"] for e in r.json()["errors"]] == [field]
        r = httpx.get(base + "?after=-1", headers=personas["jpn_reader"].headers, timeout=READ)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "after"


@pytest.mark.process
def test_a_revoked_token_ends_the_stream_before_the_next_item(server, transactional_db, personas):
    jpn = personas["jpn_reader"]
    after = submit()
    with stream(server.url, jpn, **{"Last-Event-ID": str(after)}) as r:
        received = events(r)
        assert next(received).comments  # the stream is open
        token_revoke(token=ApiToken.objects.get(user__username="jpn_reader"))
        submit()
        assert [e for e in received if e.data] == []  # it ended, without the new item
    assert httpx.get(server.url + STREAM, headers=jpn.headers).status_code == 401


@pytest.mark.process
def test_a_state_that_stops_subscribing_loses_the_stream_at_the_next_heartbeat(
    server, transactional_db, personas
):
    fra = personas["fra_reader"]
    with stream(server.url, fra, **{"Last-Event-ID": "0"}) as r:
        received = events(r)
        heartbeats = 0
        for event in received:
            if "heartbeat" in event.comments:
                heartbeats += 1
                if heartbeats == 1:  # a quiet stream stays open with comment lines
                    State.objects.filter(iso3="FRA").update(status=HcocStatus.NOT_SUBSCRIBING)
        assert heartbeats == 1  # the next heartbeat found France no longer subscribing: the end
    assert httpx.get(server.url + STREAM, headers=fra.headers).status_code == 403


def test_under_a_wsgi_server_the_stream_sends_what_there_is_and_ends(api, personas):
    for _ in range(3):
        submit()
    jpn = personas["jpn_reader"]
    r = api.get("/feed/stream?after=1", jpn)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    lines = r.text.split("\n")
    assert lines[0] == "retry: 2000"
    sent = [json.loads(line.removeprefix("data: ")) for line in lines if line.startswith("data:")]
    assert sent == api.get("/feed?after=1", jpn).json()["items"]
    assert len(sent) == Event.objects.count() - 1


def test_a_revocation_between_the_access_check_and_the_read_still_keeps_the_new_item_back(
    transactional_db, personas, monkeypatch
):
    """The race behind a flaky run of the test above: the stream's read asked for the token's
    user, the token was revoked and a PLN submitted, and only then was the page read. The page
    must not be handed out: access is asked again after the read."""
    after = submit()
    real = module.feed_page_for

    def revoked_meanwhile(**kwargs):
        token_revoke(token=ApiToken.objects.get(user__username="jpn_reader"))
        submit()
        return real(**kwargs)

    monkeypatch.setattr(module, "feed_page_for", revoked_meanwhile)
    token = personas["jpn_reader"].token
    assert module._read(token, after) is None
    monkeypatch.setattr(module, "feed_page_for", real)
    assert module._read(token, after) is None  # and, plainly, after the revocation
