"""The inbox acknowledges only what it has shown, after confirming more than one; its filters;
the ICC's acknowledgement pages (names, times, CSV, points of contact) and its recent items."""

import csv
import io
import re
from html import unescape

import pytest
from django.utils import timezone
from support.people import web_client
from support.stored import nothing_stored

from hcoc.accounts.models import User
from hcoc.exchange.models import Acknowledgement, EventKind
from hcoc.exchange.selectors import acknowledgement_status_for
from hcoc.exchange.services import acknowledgements_record, event_transaction
from hcoc.exchange.shown import shown_mark
from hcoc.states.models import PointOfContact, State


def publish(count: int, *, state: str = "FRA", kind: str = EventKind.REGISTRY_CIRCULAR) -> list:
    """`count` items of `state` through the exchange's one write door; their seqs."""
    seqs = []
    for i in range(count):
        with event_transaction() as tx:
            tx.publish(
                kind=kind, state=state, subject=f"{state}-C-{i}", payload={"n": i}, actor=None
            )
            seqs.append(tx.seq)
    return seqs


def acked(state: str = "JPN") -> set[int]:
    return set(Acknowledgement.objects.filter(state_id=state).values_list("event_id", flat=True))


def form_of(html: str) -> dict:
    """The inbox's acknowledge form as the page made it: the rows' seqs and marks, and the value
    of the "Acknowledge these N items" button."""
    return {
        "seqs": re.findall(r'name="seqs" value="(\d+)"', html),
        "shown": re.findall(r'name="shown" value="([^"]+)"', html),
        "all": re.search(r'name="all" value="([^"]*)"', html).group(1),
        "next": "/inbox",
    }


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_acknowledge_these_items_acknowledges_the_page_shown_after_confirming_and_nothing_else(
    personas,
):
    seqs = publish(55)
    jpn = web_client("jpn_reader")
    html = jpn.get("/inbox").content.decode()
    shown = seqs[5:]  # the newest 50: page 1
    assert "Acknowledge these 50 items" in html
    form = form_of(html)
    assert form["all"] == "shown"  # what the rows' shown marks name: the page's rows
    assert sorted(int(s) for s in form["seqs"]) == shown
    assert ">FRA-C-0<" not in html  # the oldest are on the next page
    assert "<td>France</td>" in html and "<td>FRA</td>" not in html  # states by name

    # More than one: a confirmation page listing them; nothing is acknowledged yet.
    with nothing_stored():
        r = jpn.post("/inbox/acknowledge", form)
    assert r.status_code == 200
    page = r.content.decode()
    assert "Acknowledge these 50 items for Japan?" in page
    assert "Confirm: acknowledge these 50 items" in page
    listed = re.search(r'<tbody id="to-acknowledge">(.*?)</tbody>', page, re.S).group(1)
    assert listed.count("<tr>") == 50 and "Registry circular" in listed
    assert "France" in listed

    confirm = {
        "seqs": re.findall(r'name="seqs" value="(\d+)"', page),
        "shown": re.findall(r'name="shown" value="([^"]+)"', page),
        "confirm": "yes",
        "next": "/inbox",
    }
    r = jpn.post("/inbox/acknowledge", confirm, follow=True)
    assert "50 items acknowledged." in r.content.decode()
    assert acked() == set(shown)  # the 5 items of page 2 untouched


def test_acknowledge_these_items_includes_a_row_the_live_stream_added_and_nothing_unshown(
    personas,
):
    seqs = publish(3)
    jpn = web_client("jpn_reader")
    form = form_of(jpn.get("/inbox").content.decode())
    # Two items arrive; the live stream adds the first's row (with its shown mark, as
    # _inbox_row.html makes it) to the open page's form; the second is never shown.
    live, unseen = publish(2)
    form["shown"] = [shown_mark("JPN", live), *form["shown"]]
    with nothing_stored():
        r = jpn.post("/inbox/acknowledge", form)
    page = r.content.decode()
    assert r.status_code == 200 and "Acknowledge these 4 items for Japan?" in page
    listed = [int(s) for s in re.findall(r'name="seqs" value="(\d+)"', page)]
    assert listed == [live, *sorted(seqs, reverse=True)]  # newest first, as the inbox
    confirm = {
        "seqs": [str(s) for s in listed],
        "shown": re.findall(r'name="shown" value="([^"]+)"', page),
        "confirm": "yes",
        "next": "/inbox",
    }
    assert (
        "4 items acknowledged."
        in jpn.post("/inbox/acknowledge", confirm, follow=True).content.decode()
    )
    assert acked() == {*seqs, live} and unseen not in acked()
    # Another state's mark names no row of Japan's page: nothing to acknowledge.
    with nothing_stored():
        r = jpn.post(
            "/inbox/acknowledge",
            {"all": "shown", "shown": [shown_mark("DEU", unseen)], "next": "/inbox"},
            follow=True,
        )
    assert "Tick at least one item to acknowledge." in r.content.decode()


def test_a_single_item_is_acknowledged_directly_and_only_that_one(personas):
    seqs = publish(3)
    jpn = web_client("jpn_reader")
    form = form_of(jpn.get("/inbox").content.decode())
    i = form["seqs"].index(str(seqs[1]))
    r = jpn.post(
        "/inbox/acknowledge",
        {"seqs": [str(seqs[1])], "shown": [form["shown"][i]], "next": "/inbox"},
        follow=True,
    )
    assert "1 item acknowledged." in r.content.decode()
    assert acked() == {seqs[1]}


@pytest.mark.parametrize(
    "case",
    ["unseen", "own_item", "other_states_mark", "no_such_item", "not_a_number", "up_to", "empty"],
)
def test_a_seq_the_page_did_not_show_or_the_state_may_not_acknowledge_is_refused_and_nothing_stored(
    personas, case
):
    theirs = publish(3)
    own = publish(1, state="JPN")[0]
    jpn = web_client("jpn_reader")
    form = form_of(jpn.get("/inbox").content.decode())
    body = {"seqs": form["seqs"], "shown": form["shown"], "next": "/inbox", "confirm": "yes"}
    expected = {
        "unseen": "were not shown to you",
        "own_item": "cannot acknowledge item",
        "other_states_mark": "was not shown to you",
        "no_such_item": "cannot acknowledge item",
        "not_a_number": "Items to acknowledge: “x1” is not an item number.",
        "up_to": "Tick at least one item to acknowledge.",
        "empty": "Tick at least one item to acknowledge.",
    }[case]
    if case == "unseen":  # a forged checkbox for an item published after the page was made
        later = publish(1)[0]
        body["seqs"] = body["seqs"] + [str(later), str(theirs[0] + 1000)]
    elif case == "own_item":  # even with a valid mark, its own items are not in its inbox
        body["seqs"] = body["seqs"] + [str(own)]
        body["shown"] = body["shown"] + [shown_mark("JPN", own)]
    elif case == "other_states_mark":  # a mark France's page got is not Japan's
        body["seqs"] = [str(theirs[0])]
        body["shown"] = [shown_mark("FRA", theirs[0])]
    elif case == "no_such_item":
        body["seqs"] = body["seqs"] + ["999999"]
        body["shown"] = body["shown"] + [shown_mark("JPN", 999999)]
    elif case == "not_a_number":
        body["seqs"] = body["seqs"] + ["x1"]
    elif case == "up_to":  # the page no longer acknowledges an open-ended range
        body = {"up_to": str(own), "next": "/inbox"}
    elif case == "empty":
        body = {"next": "/inbox", "shown": form["shown"]}
    with nothing_stored():
        r = jpn.post("/inbox/acknowledge", body, follow=True)
    text = unescape(r.content.decode())
    assert expected in text, text[:3000]
    if case != "empty" and case != "up_to":
        assert "Nothing was acknowledged." in text
    assert acked() == set()


def test_the_icc_acknowledges_nothing(personas):
    seqs = publish(1)
    with nothing_stored():
        r = web_client("icc").post(
            "/inbox/acknowledge",
            {"seqs": [str(seqs[0])], "shown": [shown_mark("JPN", seqs[0])]},
            follow=True,
        )
    assert "The ICC is not a state: it acknowledges nothing." in unescape(r.content.decode())


def test_the_inbox_filters_by_kind_state_and_dates_and_the_filters_survive_paging(personas):
    circulars = publish(52)
    decisions = publish(2, kind=EventKind.MEETING_DECISION, state="GBR")
    jpn = web_client("jpn_reader")
    html = unescape(jpn.get("/inbox").content.decode())
    assert '<option value="meeting.decision">Meeting decision</option>' in html
    by_kind = jpn.get("/inbox?kind=meeting.decision").content.decode()
    assert "GBR-C-0" in by_kind and "GBR-C-1" in by_kind and "FRA-C-" not in by_kind
    by_state = jpn.get("/inbox?state=FRA").content.decode()
    assert "GBR-C-" not in by_state and "FRA-C-51" in by_state
    older = re.search(r'href="\?([^"]*before=\d+)"', by_state).group(1)
    assert "state=FRA" in unescape(older)
    page2 = jpn.get("/inbox?" + unescape(older)).content.decode()
    assert "FRA-C-0" in page2 and "GBR-C-" not in page2
    day = timezone.now().date().isoformat()
    assert "FRA-C-51" in jpn.get(f"/inbox?since={day}&until={day}").content.decode()
    assert "FRA-C-51" not in jpn.get("/inbox?until=2000-01-01").content.decode()

    # Acknowledged items leave the default list; "all" shows them, with when.
    acknowledgements_record(actor=User.objects.get(username="jpn_reader"), seqs=decisions)
    assert "GBR-C-0" not in jpn.get("/inbox").content.decode()
    everything = jpn.get("/inbox?show=all&kind=meeting.decision").content.decode()
    assert "GBR-C-0" in everything and "<td>not yet</td>" not in everything
    # When acknowledged, as people read a time; the exact time for machines in `datetime`.
    assert re.search(
        r'<td><time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"><bdi dir="ltr">\d{4}-\d\d-\d\d \d\d:\d\d UTC</bdi></time></td>\s*</tr>',
        everything,
    )
    # Nothing left to acknowledge among them: the button is hidden until a live row comes.
    assert re.search(r'<button [^>]*name="all"[^>]*hidden', everything)
    assert len(circulars) == 52


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=launch", "Kind: “launch” is not a kind of item: choose one."),
        ("state=XXX", "State: “XXX” is not a state of the registry."),
        ("since=2026-13-01", "From (UTC date): Give a date as YYYY-MM-DD"),
        ("until=10/12/2026", "To (UTC date, included): Give a date as YYYY-MM-DD"),
        ("since=2026-12-10&until=2026-12-01", "The end date comes before the start date."),
        ("show=everything", "Show: Choose “not yet acknowledged” or “all”."),
        ("before=abc", "Older items: “abc” is not an item number."),
        ("until=9999-12-31", None),
    ],
)
def test_a_bad_filter_value_is_a_clear_message_naming_the_field(personas, query, message):
    publish(1)
    r = web_client("jpn_reader").get("/inbox?" + query)
    text = unescape(r.content.decode())
    if message is None:
        assert r.status_code == 200 and "FRA-C-0" in text
        return
    assert r.status_code == 400
    assert message in text
    assert "FRA-C-0" not in text


def test_the_icc_sees_who_acknowledged_by_name_with_times_the_contacts_to_chase_and_a_csv(
    personas,
):
    seq = publish(1)[0]
    jpn = User.objects.get(username="jpn_reader")
    acknowledgements_record(actor=jpn, seqs=[seq])
    PointOfContact.objects.create(
        state_id="GBR", name="Ada Lovelace", email="ada@fcdo.example", phone="+44 20 7008 1500"
    )
    status = acknowledgement_status_for(actor=jpn, seq=seq)
    expected = len(status["not_acknowledged"]) + 1
    icc = web_client("icc")
    page = unescape(icc.get(f"/icc/items/{seq}").content.decode())
    assert "FRA-C-0" in page and "Registry circular" in page and "France" in page
    assert f"1 of {expected} states acknowledged." in page
    assert re.search(
        r'<td>Japan</td><td><time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"><bdi dir="ltr">\d{4}-\d\d-\d\d \d\d:\d\d UTC</bdi></time></td>',
        page,
    )
    assert "<li>United Kingdom</li>" in page
    assert "Ada Lovelace" in page and "mailto:ada@fcdo.example" in page and "+44 20" in page
    assert f'action="/icc/items/{seq}/chase"' in page
    assert f'href="/items/{seq}/acknowledgements.csv"' in page

    r = icc.get(f"/items/{seq}/acknowledgements.csv")
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert len(rows) == expected  # one row per subscribing state other than France
    assert {r["state"] for r in rows} == set(status["not_acknowledged"]) | {"JPN"}
    japan = next(r for r in rows if r["state"] == "JPN")
    assert japan["state_name"] == "Japan" and japan["acknowledged"] == "yes"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", japan["at"])
    gbr = next(r for r in rows if r["state"] == "GBR")
    assert gbr["acknowledged"] == "no" and gbr["at"] == "" and gbr["reference"] == "FRA-C-0"

    # A subscribing state reads the same CSV, never the ICC's page with its chase and contacts.
    fra = web_client("fra_reader")
    assert fra.get(f"/items/{seq}/acknowledgements.csv").content == r.content
    assert fra.get(f"/icc/items/{seq}").status_code == 403
    assert b"ada@fcdo.example" not in fra.get(f"/items/{seq}/acknowledgements.csv").content
    assert web_client("prk_user").get(f"/items/{seq}/acknowledgements.csv").status_code == 403
    assert icc.get("/items/999999/acknowledgements.csv").status_code == 404


def test_the_icc_has_no_inbox_but_the_recent_items_with_how_many_states_acknowledged(personas):
    seq = publish(1)[0]
    acknowledgements_record(actor=User.objects.get(username="jpn_reader"), seqs=[seq])
    expected = len(State.objects.filter(status="subscribing")) - 1  # all but France
    icc = web_client("icc")
    home = icc.get("/").content.decode()
    assert '<a href="/icc/items">Acknowledgements</a>' in home
    assert '<a href="/inbox">Inbox</a>' not in home
    assert icc.get("/inbox")["Location"] == "/icc/items"
    page = icc.get("/icc/items").content.decode()
    row = re.search(rf'<td class="num">{seq}</td>.*?</tr>', page, re.S).group(0)
    assert f'href="/icc/items/{seq}"' in row
    assert re.search(rf"1 of {expected} states acknowledged", row) or "states acknowledged" in row
    assert icc.get("/icc/items?before=x", follow=True).status_code == 200


def test_a_request_naming_more_items_than_a_page_can_show_is_refused_in_one_sentence(personas):
    publish(2)
    jpn = web_client("jpn_reader")
    with nothing_stored():
        r = jpn.post(
            "/inbox/acknowledge", {"all": ",".join(["x"] * 200_000), "next": "/inbox"}, follow=True
        )
    said = messages_of(r)
    assert "at most 500 at once; 200000 were sent." in said
    assert len(said) < 200  # one sentence, not one per entry


def test_the_user_menu_names_the_users_state_not_its_code(personas):
    html = web_client("jpn_reader").get("/inbox").content.decode()
    [menu] = re.findall(r'<a href="/account">(.*?)</a>', html)
    assert menu == "jpn_reader (Japan)", menu
