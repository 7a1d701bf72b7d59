"""Registry news: the ICC's circulars (API, feed, console form, subscribers-only on /registry)
and the public history of the registry (who joined when)."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone
from support.people import web_client

from hcoc.exchange.models import Event
from hcoc.states.models import Circular, DatePrecision, HcocStatus, State

PROBLEM_JSON = "application/problem+json"
CIRCULAR = {
    "title": "Two new subscribing states",
    "text": "The ICC informs the subscribing states that ...",
}


def test_the_icc_publishes_a_circular_that_every_subscriber_receives_in_the_feed(api, personas):
    r = api.post("/circulars", personas["icc"], json=CIRCULAR)
    assert r.status_code == 201, r.text
    circular = r.json()
    assert circular["reference"] == f"ICC-CIRC-{timezone.now().year}-001"
    assert (circular["title"], circular["author"]) == (CIRCULAR["title"], "ICC")
    feed = api.get("/feed", personas["jpn_reader"]).json()["items"]
    item = next(i for i in feed if i["kind"] == "registry.circular")
    # The feed needs a state on every item: a circular is filed under the ICC's, Austria.
    assert (item["state"], item["subject"], item["seq"]) == (
        "AUT",
        circular["reference"],
        circular["seq"],
    )
    assert item["payload"]["text"] == CIRCULAR["text"]
    assert (
        api.get("/inbox", personas["jpn_reader"]).json()["items"][-1]["kind"] == "registry.circular"
    )
    listed = api.get("/circulars", personas["fra_reader"]).json()
    assert [c["reference"] for c in listed["items"]] == [circular["reference"]]
    second = api.post("/circulars", personas["icc"], json=CIRCULAR).json()
    assert second["reference"].endswith("-002")
    newest_first = api.get("/circulars", personas["fra_reader"]).json()["items"]
    assert [c["reference"] for c in newest_first] == [second["reference"], circular["reference"]]
    page = api.get("/circulars?limit=1", personas["fra_reader"]).json()
    rest = api.get(
        f"/circulars?limit=1&cursor={page['next_cursor']}", personas["fra_reader"]
    ).json()
    assert [c["reference"] for c in page["items"] + rest["items"]] == [
        second["reference"],
        circular["reference"],
    ]


def test_a_bad_circular_is_refused_with_its_fields_named_and_nothing_stored(api, personas):
    events = Event.objects.count()
    for body, fields in (
        ({"title": "", "text": "x" * 5001}, {"title", "text"}),
        ({"title": "t", "text": "x", "extra": 1}, {"extra"}),
        ({"text": "x"}, {"title"}),
    ):
        r = api.post("/circulars", personas["icc"], json=body)
        assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM_JSON)
        assert {e["field"] for e in r.json()["errors"]} == fields, r.text
    assert r.status_code == 422
    assert (Circular.objects.count(), Event.objects.count()) == (0, events)


@pytest.mark.django_db
def test_circulars_are_on_the_registry_page_for_subscribers_only(personas):
    from hcoc.accounts.models import User
    from hcoc.registry.services import circular_publish

    circular_publish(
        actor=User.objects.get(username="icc"), title="Confidential news", text="Body of the news"
    )
    for who in ("fra_reader", "jpn_submitter", "icc"):
        html = web_client(who).get("/registry").content.decode()
        assert "Confidential news" in html and "Body of the news" in html, who
    for client in (Client(), web_client("prk_user")):
        html = client.get("/registry").content.decode()
        assert "Confidential news" not in html and "Circulars" not in html
        assert "who joined when" in html  # the public part is there


@pytest.mark.django_db
def test_the_registry_shows_who_joined_when_newest_first_with_dates_as_precise_as_known(
    api, personas
):
    State.objects.filter(iso3="KOR").update(
        subscribed_on=date(2030, 1, 1), subscribed_on_precision=DatePrecision.YEAR
    )
    today = timezone.now().date()
    r = api.post(
        "/states/EGY/subscription",
        personas["icc"],
        json={
            "note_reference": "Note 1",
            "note_received_on": today.isoformat(),
            "effective_on": today.isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    html = Client().get("/registry").content.decode()
    history = html[html.index('id="history"') :]
    rows = history[: history.index("</table>")]
    assert (
        "<td>2030</td><td data-code>KOR</td>" in rows
    )  # year-only: shown as the year, never a day
    assert f"<td>{today.isoformat()}</td><td data-code>EGY</td>" in rows
    assert rows.index("KOR") < rows.index("EGY") < rows.index("2002-11-25")
    joined = State.objects.filter(
        status=HcocStatus.SUBSCRIBING, subscribed_on__isnull=False
    ).count()
    assert rows.count("<tr><td>") == joined


@pytest.mark.django_db
def test_the_icc_writes_a_circular_in_its_console(personas):
    icc = web_client("icc")
    assert icc.get("/icc/circulars").status_code == 200
    r = icc.post("/icc/circulars", {"title": "Hello", "text": ""})
    assert r.status_code == 422 and Circular.objects.count() == 0
    r = icc.post("/icc/circulars", {"title": "Hello", "text": "A new state subscribes."})
    assert r.status_code == 302 and r["Location"] == "/icc/"
    circular = Circular.objects.get()
    assert Event.objects.get(seq=circular.seq).kind == "registry.circular"
    console = icc.get("/icc/").content.decode()
    assert f'href="/registry#circulars"><bdi dir="ltr">{circular.reference}</bdi></a>' in console
    for who in ("fra_submitter", "jpn_reader"):
        assert (
            web_client(who).post("/icc/circulars", {"title": "x", "text": "y"}).status_code == 403
        )
    assert Circular.objects.count() == 1
