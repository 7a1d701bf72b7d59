"""The pages' live stream (`/live/stream`, hcoc.delivery.page_stream) over real HTTP against a real
`hcoc serve`, with a logged-in session's cookie: the inbox gets rows of other states' new items,
marked new; an acknowledgement list gets its new state; a logged-out session loses the stream.
In a real browser: tests/browser/test_browser_live.py."""

import httpx
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from support.bodies import pln
from support.people import web_client
from support.serve import events, items

from hcoc.accounts.models import User
from hcoc.delivery import page_stream as module
from hcoc.exchange.services import acknowledgements_record
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = [pytest.mark.slow, pytest.mark.together("stream-server"), pytest.mark.timeout(180)]

READ = httpx.Timeout(20.0)


@pytest.fixture
def server(stream_server):
    return stream_server  # the session's (tests/delivery/conftest.py), shared with the other module


def session_of(client: Client) -> dict[str, str]:
    return {"sessionid": client.cookies["sessionid"].value}


def submit(username: str):
    return notification_submit(
        actor=User.objects.get(username=username), data=PLNIn.model_validate(pln())
    )


def page_stream(server, client: Client, query: str):
    return httpx.stream(
        "GET", f"{server.url}/live/stream?{query}", cookies=session_of(client), timeout=READ
    )


@pytest.mark.process
def test_the_inbox_stream_sends_other_states_new_items_as_rows_marked_new(
    server, transactional_db, personas
):
    jpn = web_client("jpn_reader")
    with page_stream(server, jpn, "page=inbox&after=0") as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        received = events(r)
        submit("jpn_submitter")  # Japan's own: not in its inbox
        french = submit("fra_submitter")
        (row,) = items(received, 1)
    assert row.event == "item"
    assert french.reference in row.text and 'class="live-new"' in row.text
    assert '<mark class="new">new</mark>' in row.text
    assert "JPN-" not in row.text


@pytest.mark.process
def test_the_icc_item_page_stream_sends_the_new_acknowledgement_list(
    server, transactional_db, personas
):
    french = submit("fra_submitter")
    seq = french.versions.get(version=1).seq
    icc = web_client("icc")
    with page_stream(server, icc, f"page=icc_item&seq={seq}") as r:
        assert r.status_code == 200
        received = events(r)
        assert next(received).comments is not None  # open
        acknowledgements_record(actor=User.objects.get(username="jpn_reader"), seqs=[seq])
        (update,) = items(received, 1)
    assert update.event == "acknowledgements"
    acknowledged = update.text.split('id="done"')[1]
    assert "<td>Japan</td>" in acknowledged


@pytest.mark.process
def test_a_state_user_cannot_follow_the_icc_item_page_and_a_logged_out_session_loses_the_stream(
    server, transactional_db, personas
):
    seq = submit("fra_submitter").versions.get(version=1).seq
    jpn = web_client("jpn_reader")
    refused = httpx.get(
        f"{server.url}/live/stream?page=icc_item&seq={seq}", cookies=session_of(jpn)
    )
    assert refused.status_code == 403
    with page_stream(server, jpn, f"page=notification&seq={seq}") as r:
        assert r.status_code == 200
        received = events(r)
        next(received)
        jpn.logout()  # the session is deleted
        assert [e for e in received if e.data] == []  # the stream ended at the next heartbeat


def test_a_logout_between_the_access_check_and_the_read_keeps_the_new_row_back(
    transactional_db, personas, monkeypatch
):
    """The race the API's stream had: the page stream read the user, the session ended and a
    PLN came, and only then was the inbox read. The row must not be sent: access is asked again
    once the fragments are made."""
    jpn = web_client("jpn_reader")
    request = RequestFactory().get("/live/stream")
    request.session = SessionStore(jpn.cookies["sessionid"].value)
    request.user = User.objects.get(username="jpn_reader")
    real = module.inbox_page_for

    def logged_out_meanwhile(**kwargs):
        jpn.logout()
        submit("fra_submitter")
        return real(**kwargs)

    monkeypatch.setattr(module, "inbox_page_for", logged_out_meanwhile)
    assert module._render(request, "inbox", 0) is None
