"""Points of contact on the pages: the ICC keeps every state's, a subscribing state's
submitters keep their own, its readers read them; each change is recorded; a bad or refused
request stores nothing; subscribers see them in GET /states/{iso3}."""

import pytest
from django.test import Client
from support.people import web_client
from support.stored import nothing_stored

from hcoc.accounts.models import User
from hcoc.exchange.models import Event
from hcoc.registry.services import contact_add
from hcoc.states.models import PointOfContact, PointOfContactChange
from hcoc.states.selectors import state_get_for

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Desk for the HCoC",
    "organisation": "Ministry for Europe and Foreign Affairs",
    "email": "hcoc@diplomatie.example",
    "phone": "+33 1 43 17 53 53",
}


def _contact(state: str = "FRA", **fields):
    keeper = User.objects.get(username=f"{state.lower()}_submitter")
    return contact_add(actor=keeper, state_iso3=state, **{**GOOD, **fields})


def test_the_icc_adds_edits_and_removes_a_states_contact_and_each_change_is_recorded(personas):
    icc = web_client("icc")
    events = Event.objects.count()
    r = icc.post("/icc/contacts", {"state": "JPN", **GOOD, "name": "Arms control desk"})
    assert r.status_code == 302 and r["Location"] == "/icc/contacts?q=JPN"
    contact = PointOfContact.objects.get(state="JPN")

    page = icc.get("/icc/contacts?q=JPN").content.decode()
    assert "Japan (JPN)" in page and "Arms control desk" in page and GOOD["email"] in page
    assert 'aria-labelledby="state-FRA"' not in page  # searched by state

    r = icc.post(f"/contacts/{contact.pk}", {**GOOD, "name": "Disarmament division"})
    assert r.status_code == 302
    contact.refresh_from_db()
    assert contact.name == "Disarmament division"

    r = icc.post(f"/contacts/{contact.pk}/remove")
    assert r.status_code == 302 and not PointOfContact.objects.filter(pk=contact.pk).exists()

    changes = list(PointOfContactChange.objects.order_by("id"))
    assert [c.kind for c in changes] == ["added", "changed", "removed"]
    assert all(c.entered_by_icc and c.by.username == "icc" and c.state_id == "JPN" for c in changes)
    assert changes[1].before["name"] == "Arms control desk"
    assert changes[1].after["name"] == "Disarmament division"
    assert changes[2].after is None
    # Not feed items (docs/formats.md): the exchange sequence is untouched.
    assert Event.objects.count() == events
    page = icc.get("/icc/contacts").content.decode()
    assert "Recent changes" in page and "Disarmament division" in page


def test_a_state_keeps_its_own_contacts_on_its_page(personas):
    fra = web_client("fra_submitter")
    page = fra.get("/contacts").content.decode()
    assert "Our points of contact" in page and "Add a point of contact" in page
    r = fra.post("/contacts", GOOD)
    assert r.status_code == 302 and r["Location"] == "/contacts"
    contact = PointOfContact.objects.get(state="FRA")
    r = fra.post(f"/contacts/{contact.pk}", {**GOOD, "phone": "+33 1 40 00 00 00"})
    assert r.status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "+33 1 40 00 00 00"
    change = PointOfContactChange.objects.get(kind="changed")
    assert change.by.username == "fra_submitter" and not change.entered_by_icc
    page = fra.get("/contacts").content.decode()
    assert "+33 1 40 00 00 00" in page and "fra_submitter" in page  # the recorded change
    # Its readers read them and are offered no form.
    page = web_client("fra_reader").get("/contacts").content.decode()
    assert "+33 1 40 00 00 00" in page and "Add a point of contact" not in page


def test_a_state_cannot_edit_or_remove_another_states_contact(personas):
    contact = _contact("JPN")
    fra = web_client("fra_submitter")
    with nothing_stored():
        assert fra.get(f"/contacts/{contact.pk}").status_code == 403
        assert (
            fra.post(f"/contacts/{contact.pk}", {**GOOD, "name": "Taken over"}).status_code == 403
        )
        assert fra.post(f"/contacts/{contact.pk}/remove").status_code == 403
        # Nor can its readers touch their own state's.
        reader = web_client("jpn_reader")
        assert reader.post(f"/contacts/{contact.pk}", GOOD).status_code == 403
        assert reader.post("/contacts", GOOD).status_code == 403
        # Nor can a state reach the ICC's page to add one to another state.
        assert fra.post("/icc/contacts", {"state": "JPN", **GOOD}).status_code == 403
    assert PointOfContact.objects.get(pk=contact.pk).name == GOOD["name"]


@pytest.mark.parametrize(
    "field, value, label, message",
    [
        ("email", "not-an-address", "E-mail", "This is not an e-mail address"),
        ("phone", "call 0800 FRANCE", "Phone", "Use only digits, spaces, a leading +"),
        ("phone", "+1", "Phone", "at least 4 digits"),
        ("name", "", "Name", "This field is required"),
        ("name", "x" * 201, "Name", "at most 200 characters"),
        ("organisation", "x" * 201, "Office or organisation", "at most 200 characters"),
    ],
)
def test_a_bad_contact_is_refused_with_the_fields_label_and_stores_nothing(
    personas, field, value, label, message
):
    fra = web_client("fra_submitter")
    contact = _contact("FRA")
    with nothing_stored():
        for url in ("/contacts", f"/contacts/{contact.pk}"):
            r = fra.post(url, {**GOOD, field: value})
            assert r.status_code == 422, url
            html = r.content.decode()
            # The message sits in the field's own box, under its label.
            box = html.split(f">{label}</label>", 1)[1].split('<div class="field">', 1)[0]
            assert 'class="errorlist"' in box and message in box, (url, box)


def test_a_contact_needs_an_email_or_a_phone(personas):
    icc = web_client("icc")
    with nothing_stored():
        r = icc.post("/icc/contacts", {"state": "FRA", "name": "Nobody to reach"})
    assert r.status_code == 422
    assert "Give an e-mail address or a phone number." in r.content.decode()


def test_non_subscribers_and_anonymous_visitors_see_no_contacts(personas):
    contact = _contact("FRA")
    prk = web_client("prk_user")
    for url in ("/contacts", "/icc/contacts", f"/contacts/{contact.pk}"):
        r = prk.get(url)
        assert r.status_code == 403 and GOOD["email"] not in r.content.decode(), url
    with nothing_stored():
        assert prk.post(f"/contacts/{contact.pk}/remove").status_code == 403
        assert prk.post("/contacts", GOOD).status_code == 403
    r = Client().get("/contacts")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    # GET /states/{iso3}: for subscribers' eyes only.
    assert "points_of_contact" not in state_get_for(
        actor=User.objects.get(username="prk_user"), iso3="FRA"
    )
    seen = state_get_for(actor=User.objects.get(username="jpn_reader"), iso3="FRA")
    assert seen["points_of_contact"] == [{k: GOOD[k] for k in GOOD}]


def test_the_admin_shows_a_states_contacts_but_offers_no_way_around_the_record(personas):
    _contact("FRA")
    User.objects.filter(username="icc").update(is_staff=True, is_superuser=True)
    r = web_client("icc").get("/admin/states/state/FRA/change/")
    assert r.status_code == 200
    html = r.content.decode()
    assert GOOD["email"] in html
    assert 'name="points_of_contact-0-email"' not in html
    assert 'name="points_of_contact-0-DELETE"' not in html
