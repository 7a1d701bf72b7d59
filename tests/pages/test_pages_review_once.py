"""A review is confirmed once (hcoc.ui.review): the same confirmation sent many times at the same
moment (a double click, a browser retrying, two tabs) makes one notification; the others send
nothing and say so. The claim is taken in the sending transaction, so the database decides, not
the session each request read before the others saved theirs.

Real HTTP against the live server, one thread per confirmation, all released at once. Runs on
SQLite and PostgreSQL."""

import re
import threading
from html import unescape

import httpx
import pytest
from support.people import set_password
from support.review import review_fields
from test_pages_notifications import form_data

from hcoc.accounts.models import User
from hcoc.exchange.models import Event
from hcoc.notifications.models import Notification
from hcoc.ui.models import ReviewUse
from hcoc.ui.review import ReviewUsed, payload_text, review_read, review_send, review_token

CONFIRMATIONS = 8


def csrf(html: str) -> str:
    return unescape(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))


def logged_in(base_url: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=180)
    form = client.get("/accounts/login/").text
    client.post(
        "/accounts/login/",
        data={"csrfmiddlewaretoken": csrf(form), "username": username, "password": password},
    )
    return client


@pytest.mark.slow
def test_one_review_confirmed_many_times_at_once_sends_one_notification(personas, live_server):
    username = personas["fra_submitter"].username
    browser = logged_in(live_server.url, username, set_password(username))
    try:
        form = browser.get("/notifications/new").text
        review = browser.post(
            "/notifications/new",
            data={**form_data(action="review"), "csrfmiddlewaretoken": csrf(form)},
        )
        assert review.status_code == 200 and "Confirm and send" in review.text, review.text[:2000]
        confirm = {"action": "send", "csrfmiddlewaretoken": csrf(review.text)}
        confirm.update(review_fields(review.text))
        events = Event.objects.count()
        start = threading.Barrier(CONFIRMATIONS)
        answers: list = []

        def confirm_once():
            # One connection each, one session (the browser's cookies): a double click.
            with httpx.Client(
                base_url=live_server.url, timeout=180, cookies=browser.cookies
            ) as tab:
                start.wait()
                answers.append(tab.post("/notifications/new", data=confirm))

        threads = [threading.Thread(target=confirm_once) for _ in range(CONFIRMATIONS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        browser.close()

    assert len(answers) == CONFIRMATIONS and {a.status_code for a in answers} == {302}
    n = Notification.objects.get()
    sent = [a for a in answers if a.headers["Location"] == f"/notifications/{n.reference}"]
    refused = [a for a in answers if a.headers["Location"] == "/notifications/"]
    assert (len(sent), len(refused)) == (1, CONFIRMATIONS - 1)
    assert Event.objects.count() == events + 1
    assert ReviewUse.objects.count() == 1


@pytest.mark.django_db
def test_a_send_that_fails_gives_its_review_back_and_a_confirmed_one_is_never_sent_again(
    personas,
):
    user = User.objects.get(username=personas["fra_submitter"].username)
    payload = payload_text({"remarks": "reviewed"})
    post = {"payload": payload, "review": review_token(user, purpose="t", payload=payload)}
    reviewed = review_read(user, post, purpose="t")
    assert reviewed.payload == {"remarks": "reviewed"} and not reviewed.used

    def fails():
        raise RuntimeError("the service refused")

    with pytest.raises(RuntimeError):
        review_send(user, reviewed, fails)
    assert not ReviewUse.objects.exists()  # rolled back with the failed send: confirm it again
    assert review_send(user, reviewed, lambda: "sent") == "sent"
    assert review_read(user, post, purpose="t").used
    with pytest.raises(ReviewUsed):
        review_send(user, reviewed, lambda: pytest.fail("sent twice"))
