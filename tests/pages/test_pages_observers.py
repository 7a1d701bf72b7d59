"""Invitation pages: issue, reply and confirm through the forms; a restricted invitation stays
out of the pages of the states it does not name; the declaration form fills its observers
section from the year's invitations."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from support.bodies import invitation
from support.people import web_client

from hcoc.accounts.models import Role, User
from hcoc.accounts.services import user_create
from hcoc.observers.models import Confirmation, Invitation, Reply
from hcoc.observers.schemas import InvitationIn
from hcoc.observers.services import invitation_issue

pytestmark = pytest.mark.django_db


def client_for(username: str):
    return web_client(username)


def form_fields(**overrides) -> dict:
    body = invitation()
    data = {k: v for k, v in body.items() if k != "named_states"}
    data.update(overrides)
    return data


def test_an_invitation_is_issued_replied_to_and_confirmed_through_the_pages(personas):
    fra, jpn = client_for("fra_submitter"), client_for("jpn_submitter")
    assert "FRA-KOUROU" in fra.get("/invitations/new").content.decode()
    r = fra.post("/invitations/new", form_fields(places="2"))
    assert r.status_code == 302, r.content.decode()[-3000:]
    inv = Invitation.objects.get()
    assert r["Location"] == f"/invitations/{inv.reference}"
    page = jpn.get(f"/invitations/{inv.reference}").content.decode()
    assert "Reply to this invitation" in page and "Confirm the observers" not in page
    r = jpn.post(
        f"/invitations/{inv.reference}/reply",
        {"answer": "accept", "observers": "A. Tanaka\n\nB. Sato\n"},
    )
    assert r.status_code == 302, r.content.decode()[-3000:]
    assert Reply.objects.get().state_id == "JPN"
    page = fra.get(f"/invitations/{inv.reference}").content.decode()
    assert "A. Tanaka, B. Sato" in page and "Confirm the observers of Japan" in page
    assert fra.post(f"/invitations/{inv.reference}/confirm", {"state": "JPN"}).status_code == 302
    assert Confirmation.objects.get().observers_count == 2
    page = fra.get(f"/invitations/{inv.reference}").content.decode()
    assert "2 (2 confirmed, 0 left)" in page
    # Japan's reader may read, not reply; France may not reply to itself.
    assert client_for("jpn_reader").get(f"/invitations/{inv.reference}/reply").status_code == 403
    assert fra.get(f"/invitations/{inv.reference}/reply").status_code == 403


def test_the_issue_form_shows_the_apis_problems_on_their_fields_and_stores_nothing(personas):
    today = datetime.now(UTC).date()
    r = client_for("fra_submitter").post(
        "/invitations/new",
        form_fields(
            reply_by=(today + timedelta(days=60)).isoformat(),
            places="0",
            audience="named",
        ),
    )
    assert r.status_code == 422
    form = r.context["form"]
    assert set(form.errors) >= {"reply_by", "places", "named_states"}
    # Whose site it is, the service judges once the body is well-formed.
    r = client_for("fra_submitter").post("/invitations/new", form_fields(site_id="JPN-KII"))
    assert r.status_code == 422 and set(r.context["form"].errors) == {"site_id"}
    assert Invitation.objects.count() == 0


def test_a_reply_form_with_problems_stores_nothing(personas):
    fra = User.objects.get(username="fra_submitter")
    inv = invitation_issue(actor=fra, data=InvitationIn.model_validate(invitation(places=1)))
    r = client_for("jpn_submitter").post(
        f"/invitations/{inv.reference}/reply", {"answer": "accept", "observers": "A\nB"}
    )
    assert r.status_code == 422 and "observers" in r.context["form"].errors
    assert Reply.objects.count() == 0


def test_a_restricted_invitation_is_absent_from_the_pages_of_states_it_does_not_name(personas):
    user_create(username="deu_reader", password=None, role=Role.READER, state_iso3="DEU")
    fra = User.objects.get(username="fra_submitter")
    body = invitation(audience="named", named_states=["JPN"], remarks="For Japan only")
    inv = invitation_issue(actor=fra, data=InvitationIn.model_validate(body))
    deu, jpn = client_for("deu_reader"), client_for("jpn_reader")
    assert inv.reference not in deu.get("/invitations/").content.decode()
    assert deu.get(f"/invitations/{inv.reference}").status_code == 404
    for url in ("/inbox", "/"):
        html = deu.get(url).content.decode()
        assert "a restricted invitation (not addressed to you)" in html, url
        assert f"/invitations/{inv.reference}" not in html and "For Japan only" not in html
        assert f'href="/invitations/{inv.reference}"' in jpn.get(url).content.decode(), url
    assert inv.reference in jpn.get("/invitations/").content.decode()
    page = jpn.get(f"/invitations/{inv.reference}").content.decode()
    assert "For Japan only" in page and inv.commitment in page
    icc = client_for("icc").get("/icc/").content.decode()
    assert f'href="/invitations/{inv.reference}"' in icc


def test_the_declaration_form_fills_its_observers_section_from_the_years_invitations(personas):
    fra = User.objects.get(username="fra_submitter")
    last_year = datetime.now(UTC).year - 1
    with time_machine.travel(datetime(last_year, 3, 1, 9, tzinfo=UTC), tick=False):
        body = invitation(access="Control room and the 6 km site.")
        inv = invitation_issue(actor=fra, data=InvitationIn.model_validate(body))
    client = client_for("fra_submitter")
    page = client.get(f"/declarations/new?year={last_year}").content.decode()
    assert inv.reference in page and "Fill this section from these invitations" in page
    r = client.post(
        "/declarations/new",
        {"year": str(last_year), "action": "observers", "bm_policy": "kept as typed"},
    )
    assert r.status_code == 200
    form = r.context["form"]
    assert form["observers_invites"].value() == "yes"
    details = form["observers_details"].value()
    assert inv.reference in details and "Control room and the 6 km site." in details
    assert form["bm_policy"].value() == "kept as typed"
    # Japan issued nothing that year: nothing to offer.
    jpn_page = client_for("jpn_submitter").get(f"/declarations/new?year={last_year}")
    assert inv.reference not in jpn_page.content.decode()


def test_filling_the_observers_section_never_copies_a_restricted_invitation(personas):
    """The declaration goes to every subscribing state; a restricted invitation is for the
    states it names only (decision 0003). Before (issue 22) its site, dates and access text
    were copied into the declaration."""
    fra = User.objects.get(username="fra_submitter")
    last_year = datetime.now(UTC).year - 1
    with time_machine.travel(datetime(last_year, 3, 1, 9, tzinfo=UTC), tick=False):
        public = invitation_issue(
            actor=fra,
            data=InvitationIn.model_validate(invitation(access="Public stand at 12 km.")),
        )
        secret = invitation_issue(
            actor=fra,
            data=InvitationIn.model_validate(
                invitation(
                    site_id="FRA-BISCARROSSE",
                    opens=f"{last_year}-04-10",
                    closes=f"{last_year}-04-12",
                    reply_by=f"{last_year}-03-20",
                    access="Bunker B7, badge at gate 3.",
                    audience="named",
                    named_states=["JPN"],
                )
            ),
        )
    client = client_for("fra_submitter")
    r = client.post("/declarations/new", {"year": str(last_year), "action": "observers"})
    details = r.context["form"]["observers_details"].value()
    assert public.reference in details and "Public stand at 12 km." in details
    for private in (secret.reference, "Bunker B7", "BISCARROSSE", "Biscarrosse", "-04-10"):
        assert private not in details, private
    assert "1 further invitation addressed to named states is not described here" in details
