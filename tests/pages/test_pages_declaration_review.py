"""A declaration sent from the pages is reviewed first: the form shows what every state will
receive and its differences from the launch reports in words; only the confirmation sends, and
only what was reviewed. The form offers a state its own launch sites only."""

import hashlib
import html as htmllib
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone
from support.bodies import iso, pln
from support.review import review_fields
from support.stored import nothing_stored, stored
from test_pages_declarations import (
    LAST_YEAR,
    _launches,
    client_for,
    field_chunk,
    form_data,
)

from hcoc.accounts.models import User
from hcoc.declarations.models import Declaration
from hcoc.exchange.models import Event, EventKind
from hcoc.notifications.schemas import ImportIn
from hcoc.notifications.services import notification_import
from hcoc.ui.review import ReviewUsed, review_read, review_send

pytestmark = pytest.mark.django_db

DIFFERENCE_SLV = (
    "You declare 3 launches of class SLV-medium; the exchange holds 2 launch reports of that "
    f"class for {LAST_YEAR}: a difference of 1."
)


def reviewed_content(html: str) -> dict:
    """The declaration as data, as the review page shows it."""
    return json.loads(
        htmllib.unescape(re.search(r'<pre class="payload">(.*?)</pre>', html, re.S)[1])
    )


def text(html: str) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def stored_content() -> dict:
    return json.loads(Declaration.objects.get().versions.get().content)


def matching_form(**fields) -> dict:
    """France's form when the exchange holds exactly its declared launches (see _launches)."""
    return form_data(bm_count_SLBM="0", **fields)


# ---- the review ------------------------------------------------------------------------------


def test_posting_the_form_shows_the_review_in_words_and_stores_nothing(personas):
    client = client_for("fra_submitter")
    with nothing_stored():
        review = client.post("/declarations/new", form_data())
    assert review.status_code == 200
    page = text(review.content.decode())
    assert f"Confirm the annual declaration of France for {LAST_YEAR}" in page
    assert "Nothing has been sent yet." in page
    assert "every subscribing state receives exactly what is shown below" in page
    assert f"Year covered {LAST_YEAR}" in page
    assert "Deterrence policy outline." in page and "Space policy outline." in page
    assert "Guiana Space Centre (Centre Spatial Guyanais), Kourou (FRA-KOUROU)" in page
    assert "SLBM: M51" in page
    assert "1 launch of class SLBM (launched from a submarine, any range)" in page
    assert "2 launches of class SLV-medium (2-20 t to LEO)" in page
    assert "Does not invite observers." in page
    assert not Declaration.objects.exists()


def test_confirming_stores_exactly_the_reviewed_declaration_once(personas):
    client = client_for("fra_submitter")
    review = client.post("/declarations/new", form_data(remarks="As reviewed."))
    html = review.content.decode()
    content = reviewed_content(html)
    confirm = {"action": "confirm", **review_fields(html), "differences_confirmed": "yes"}
    # Fields posted beside the confirmation are not what was reviewed: they are ignored.
    sent = client.post("/declarations/new", {**confirm, "bm_count_SLBM": "9", "remarks": "Other"})
    assert sent.status_code == 302 and sent["Location"] == f"/declarations/FRA/{LAST_YEAR}"
    assert stored_content() == content
    assert content["remarks"] == "As reviewed."
    assert Event.objects.filter(kind=EventKind.DECLARATION_SUBMITTED).count() == 1
    detail = client.get(sent["Location"]).content.decode()
    assert f"Declaration of France for {LAST_YEAR} sent to all subscribing states (version 1)." in (
        detail
    )

    # A second click, a reload or an old tab never sends it again.
    with nothing_stored():
        again = client.post("/declarations/new", confirm)
    assert again.status_code == 302 and again["Location"] == "/declarations/"
    assert "already used or has expired" in client.get("/declarations/").content.decode()


def test_two_confirmations_of_one_review_racing_past_the_check_make_one_version(personas):
    """A double click whose second request found the review unconfirmed before the first
    committed: the claim in the sending transaction decides, and the second sends nothing."""
    client = client_for("fra_submitter")
    html = client.post("/declarations/new", form_data()).content.decode()
    confirm = {"action": "confirm", **review_fields(html), "differences_confirmed": "yes"}
    fra = User.objects.get(username="fra_submitter")
    racing = review_read(fra, confirm, purpose="declaration")  # read before the first sends
    assert not racing.used
    assert client.post("/declarations/new", confirm).status_code == 302
    with nothing_stored(), pytest.raises(ReviewUsed):
        review_send(fra, racing, lambda: pytest.fail("a confirmed review was sent again"))
    assert Declaration.objects.get().current_version == 1


def _confirmation(client) -> dict:
    html = client.post("/declarations/new", form_data()).content.decode()
    return {"action": "confirm", **review_fields(html), "differences_confirmed": "yes"}


def _changed(confirm: dict) -> dict:
    """The token with one character of its signed part changed."""
    token = confirm["review"]
    i = len(token) // 3
    return {**confirm, "review": token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]}


def _signed_by_another_user(confirm: dict) -> dict:
    """Japan's valid review carried to France's confirmation."""
    jpn = client_for("jpn_submitter")
    html = jpn.post(
        "/declarations/new", form_data(bm_sites=[], slv_sites=["JPN-TANEGASHIMA"])
    ).content.decode()
    return {**confirm, **review_fields(html)}


def _changed_body(confirm: dict) -> dict:
    """The reviewed body, changed in the browser after the review."""
    body = json.loads(confirm["payload"])
    body["remarks"] = "Changed after the review."
    return {**confirm, "payload": json.dumps(body)}


def _forged_body(confirm: dict) -> dict:
    """Another body, with a token over it signed with a key that is not the site's."""
    body = {**json.loads(confirm["payload"]), "remarks": "Changed after the review."}
    payload = json.dumps(body)
    data = signing.loads(confirm["review"], salt=f"hcoc.ui.review:declaration:{_fra_pk()}")
    data["payload_sha256"] = hashlib.sha256(payload.encode()).hexdigest()
    salt = f"hcoc.ui.review:declaration:{_fra_pk()}"
    token = signing.dumps(data, key="not the site's key", salt=salt, compress=True)
    return {**confirm, "payload": payload, "review": token}


def _fra_pk() -> int:
    return User.objects.get(username="fra_submitter").pk


@pytest.mark.parametrize(
    "tamper",
    [
        _changed,
        _signed_by_another_user,
        _changed_body,
        _forged_body,
        lambda confirm: {**confirm, "review": ""},
        lambda confirm: {**confirm, "review": "x:y:z"},
        lambda confirm: {k: v for k, v in confirm.items() if k != "payload"},
    ],
    ids=[
        "changed",
        "another-users",
        "changed-body",
        "forged-body",
        "missing",
        "garbage",
        "no-body",
    ],
)
def test_a_tampered_confirmation_is_refused_and_stores_nothing(personas, tamper):
    client = client_for("fra_submitter")
    confirm = tamper(_confirmation(client))
    before = stored()
    response = client.post("/declarations/new", confirm)
    assert stored() == before
    assert response.status_code == 302 and response["Location"] == "/declarations/new"
    page = client.get(response["Location"]).content.decode()
    assert "was changed after the review, so nothing was sent" in page


def test_back_to_the_form_keeps_what_was_entered_and_stores_nothing(personas):
    client = client_for("fra_submitter")
    entered = form_data(
        bm_system_1_class="IRBM",
        bm_system_1_name="Hades",
        remarks="Typed with care.",
        observers_invites="yes",
        observers_details="At Kourou, control room access.",
        **{"slv_count_SLV-small": "0"},
    )
    reviewed = review_fields(client.post("/declarations/new", entered).content.decode())
    with nothing_stored():
        back = client.post("/declarations/new", {"action": "edit", **reviewed})
    assert back.status_code == 200
    form = back.context["form"]
    for name, value in entered.items():
        if name != "action":
            assert form[name].value() == value, name
    html = back.content.decode()
    assert re.search(
        r'<input type="checkbox" name="slv_sites" value="FRA-KOUROU"[^>]* checked', html
    )
    assert 'value="0"' in field_chunk(html, "slv_count_SLV-small")
    assert "Nothing was stored" not in html  # going back is no error
    # ... and reviewing it again gives the same declaration.
    review = client.post("/declarations/new", {**entered, "action": "review"}).content.decode()
    assert "Hades" in text(review)


# ---- differences, in words, confirmed --------------------------------------------------------


def test_differences_are_stated_in_words_and_need_the_confirmation_box(personas):
    _launches(personas)
    client = client_for("fra_submitter")
    html = client.post(
        "/declarations/new", form_data(**{"slv_count_SLV-medium": "3"})
    ).content.decode()
    page = text(html)
    assert "differ from the exchange's launch reports in 2 classes" in page
    assert DIFFERENCE_SLV in page
    assert (
        "You declare 1 launch of class SLBM; the exchange holds no launch reports of that class "
        f"for {LAST_YEAR}: a difference of 1. It also holds 1 notification of that class with no "
        "launch report."
    ) in page
    assert re.search(r'<input type="checkbox" name="differences_confirmed"[^>]* required', html)
    assert "I confirm the differences above are as intended." in page

    # Confirmed without the box: the review again, saying what is missing; nothing sent.
    with nothing_stored():
        unticked = client.post("/declarations/new", {"action": "confirm", **review_fields(html)})
    assert unticked.status_code == 422
    again = unticked.content.decode()
    assert "Please confirm that the differences above are as intended." in again
    assert DIFFERENCE_SLV in text(again)

    # With it: sent, differences and all.
    ticked = client.post(
        "/declarations/new",
        {"action": "confirm", **review_fields(again), "differences_confirmed": "yes"},
    )
    assert ticked.status_code == 302
    assert stored_content()["space_launch_vehicles"]["launches"] == [
        {"generic_class": "SLV-medium", "count": 3}
    ]


def test_fewer_declared_than_reported_is_a_negative_difference_in_words(personas):
    _launches(personas)
    html = client_for("fra_submitter").post(
        "/declarations/new", matching_form(**{"slv_count_SLV-medium": ""})
    )
    assert (
        "You declare no launches of class SLV-medium; the exchange holds 2 launch reports of "
        f"that class for {LAST_YEAR}: a difference of -2."
    ) in text(html.content.decode())


def test_a_declaration_matching_the_launch_reports_is_sent_without_the_box(personas):
    _launches(personas)
    client = client_for("fra_submitter")
    html = client.post("/declarations/new", matching_form()).content.decode()
    assert (
        f"The declared launches match the launch reports the exchange holds for {LAST_YEAR}."
        in text(html)
    )
    assert 'name="differences_confirmed"' not in html
    sent = client.post("/declarations/new", {"action": "confirm", **review_fields(html)})
    assert sent.status_code == 302 and Declaration.objects.count() == 1


def test_a_crosscheck_that_changed_since_the_review_is_shown_again_before_sending(personas):
    _launches(personas)
    client = client_for("fra_submitter")
    html = client.post("/declarations/new", matching_form()).content.decode()
    assert 'name="differences_confirmed"' not in html
    # Meanwhile a third SLV-medium launch is reported (entered by the ICC from past records).
    launched = datetime(LAST_YEAR, 9, 1, 12, tzinfo=UTC)
    body = {
        "state": "FRA",
        "first_submitted_at": iso(launched - timedelta(days=2)),
        "notification": pln(
            window={
                "opens": iso(launched - timedelta(hours=1)),
                "closes": iso(launched + timedelta(hours=5)),
            }
        ),
        "launch_report": {"launched_at": iso(launched), "outcome": "success"},
        "source": "test",
    }
    notification_import(actor=User.objects.get(username="icc"), data=ImportIn.model_validate(body))
    before = stored()
    shown = client.post("/declarations/new", {"action": "confirm", **review_fields(html)})
    assert stored() == before
    assert shown.status_code == 200
    page = text(shown.content.decode())
    assert "The exchange's figures changed since the review" in page
    assert (
        "You declare 2 launches of class SLV-medium; the exchange holds 3 launch reports of that "
        f"class for {LAST_YEAR}: a difference of -1."
    ) in page


def test_an_expired_review_is_shown_again_not_sent(personas):
    client = client_for("fra_submitter")
    confirm = _confirmation(client)
    with time_machine.travel(timezone.now() + timedelta(hours=7), tick=False):
        before = stored()
        shown = client.post("/declarations/new", confirm)
        assert stored() == before
    assert shown.status_code == 200
    assert "The review had expired. Here it is again" in shown.content.decode()
    assert not Declaration.objects.exists()


# ---- the launch sites: the state's own, as checkboxes ----------------------------------------


def site_boxes(html: str, field: str) -> list[str]:
    return re.findall(rf'<input type="checkbox" name="{field}" value="([^"]+)"', html)


def test_the_form_lists_only_the_states_own_launch_sites_as_checkboxes(personas):
    fra = client_for("fra_submitter").get("/declarations/new").content.decode()
    assert "<select" not in field_chunk(fra, "slv_sites") and "Ctrl" not in fra
    assert site_boxes(fra, "slv_sites") == ["FRA-KOUROU"]
    assert site_boxes(fra, "bm_sites") == ["FRA-BISCARROSSE", "FRA-ILE-DU-LEVANT"]
    # The filter box is there for JavaScript to show; without it every site is listed.
    assert re.search(r'<p class="site-filter" hidden>', fra)
    assert 'data-filter-list="id_slv_sites_list"' in fra
    jpn = client_for("jpn_submitter").get("/declarations/new").content.decode()
    assert set(site_boxes(jpn, "slv_sites")) == {"JPN-KII", "JPN-TANEGASHIMA", "JPN-UCHINOURA"}
    assert not [s for s in site_boxes(jpn, "slv_sites") + site_boxes(jpn, "bm_sites") if "FRA" in s]


def test_the_icc_sees_the_sites_of_the_state_it_acts_for_once_named(personas):
    icc = client_for("icc")
    unnamed = icc.get("/declarations/new").content.decode()
    assert site_boxes(unnamed, "slv_sites") == []
    assert "Choose the state above" in unnamed
    named = icc.get(f"/declarations/new?year={LAST_YEAR}&on_behalf_of=JPN").content.decode()
    assert "JPN-TANEGASHIMA" in site_boxes(named, "slv_sites")
    assert "FRA-KOUROU" not in site_boxes(named, "slv_sites")


@pytest.mark.parametrize(
    ("username", "fields", "message"),
    [
        (
            "fra_submitter",
            {"slv_sites": ["FRA-KOUROU", "JPN-TANEGASHIMA"]},
            "(JPN-TANEGASHIMA) is a launch site of Japan, not of France: a declaration lists "
            "only the declaring state&#x27;s own launch sites",
        ),
        (
            "icc",
            {"on_behalf_of": "FRA", "slv_sites": ["RUS-BAIKONUR"]},
            "Baikonur Cosmodrome (RUS-BAIKONUR) is a launch site of Russian Federation, not of "
            "France",
        ),
    ],
    ids=["a-state", "the-icc-for-a-state"],
)
def test_a_forged_site_of_another_state_is_refused_on_its_field(
    personas, username, fields, message
):
    client = client_for(username)
    with nothing_stored():
        response = client.post("/declarations/new", form_data(**fields))
    html = response.content.decode()
    assert "Nothing was stored" in html and "Confirm and send" not in html
    assert message in field_chunk(html, "slv_sites"), field_chunk(html, "slv_sites")[:800]
    # The live preview names it too, instead of a crosscheck.
    fragment = client.post("/declarations/preview", form_data(**fields)).content.decode()
    assert "is a launch site of" in fragment and "data-class" not in fragment
