"""The meeting pages, through Django's test client: the same services and rules as the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from support.meetings import PDF_BYTES, build_meeting_world
from support.people import web_client

from hcoc.accounts.models import Role
from hcoc.accounts.services import user_create
from hcoc.meetings.models import Decision, Meeting, Position


@pytest.fixture
def world(personas):
    return build_meeting_world()


def test_the_icc_schedules_a_meeting_from_the_list_and_sees_each_problem_by_field(world):
    icc = web_client("icc")
    r = icc.post(
        "/meetings/new",
        {
            "number": "25",
            "opens_on": "2026-06-02",
            "closes_on": "2026-06-01",
            "place": "Vienna",
            "chair_state": "FRA",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    # Each problem named by the form's label, never by the API's field name.
    assert "<li>Number: " in html and "<li>Closes on: " in html
    assert "<code>closes_on</code>" not in html and "closes_on:" not in html
    assert Meeting.objects.count() == 2
    r = icc.post(
        "/meetings/new",
        {
            "number": "30",
            "opens_on": "2026-06-01",
            "closes_on": "2026-06-02",
            "place": "Vienna",
            "chair_state": "JPN",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/meetings/30"
    assert Meeting.objects.get(number=30).chair_state_id == "JPN"


def test_the_meeting_page_shows_each_user_the_controls_of_their_part(world):
    chair = web_client("fra_submitter").get("/meetings/25").content.decode()
    delegate = web_client("jpn_submitter").get("/meetings/25").content.decode()
    reader = web_client("jpn_reader").get("/meetings/25").content.decode()
    assert "Call the decision on RM25-P1" in chair and "Table a proposal" in chair
    assert "Call the decision" not in delegate and "Table a proposal" not in delegate
    assert "Check Japan out" in delegate and "State the position" in delegate
    assert "State the position" not in reader and "Check Japan" not in reader
    assert "agenda.pdf" in reader  # every subscriber reads the documents


def test_an_objection_without_a_reason_is_refused_on_the_page_and_nothing_is_stored(world):
    jpn = web_client("jpn_submitter")
    r = jpn.post("/meetings/proposals/RM25-P1/position", {"position": "object", "reason": ""})
    assert r.status_code == 200
    assert "<li>Reason: an objection must give its reason" in r.content.decode()
    assert Position.objects.filter(proposal__number=1).count() == 0
    r = jpn.post("/meetings/proposals/RM25-P1/position", {"position": "object", "reason": "No."})
    assert r.status_code == 302 and r["Location"] == "/meetings/25#RM25-P1"
    html = jpn.get("/meetings/25").content.decode()
    assert "jpn_submitter" in html and "No." in html


def test_the_chair_calls_the_decision_on_the_page_and_it_reaches_another_states_inbox(world):
    user_create(username="deu_reader", password=None, role=Role.READER, state_iso3="DEU")
    web_client("jpn_submitter").post(
        "/meetings/proposals/RM25-P1/position", {"position": "object", "reason": "Costs."}
    )
    r = web_client("fra_submitter").post("/meetings/proposals/RM25-P1/call")
    d = Decision.objects.get(proposal__number=1)
    assert r.status_code == 302 and r["Location"] == f"/meetings/decisions/{d.reference}"
    page = web_client("jpn_reader").get(r["Location"]).content.decode()
    assert "not adopted" in page and "Costs." in page and "France, Japan" in page
    listing = web_client("jpn_reader").get("/meetings/25/decisions").content.decode()
    assert d.reference in listing
    inbox = web_client("deu_reader").get("/inbox").content.decode()
    assert f'href="/meetings/decisions/{d.reference}"' in inbox
    # A second call is refused, and the decision stays as it was.
    r = web_client("fra_submitter").post("/meetings/proposals/RM25-P1/call", follow=True)
    assert "already been decided" in r.content.decode()
    assert Decision.objects.get(pk=d.pk).record == d.record


def test_a_document_uploaded_on_the_page_downloads_as_an_attachment(world):
    chair = web_client("fra_submitter")
    r = chair.post("/meetings/25/documents", {"file": SimpleUploadedFile("minutes.pdf", PDF_BYTES)})
    assert r.status_code == 302
    doc = Meeting.objects.get(number=25).documents.get(name="minutes.pdf")
    got = web_client("jpn_reader").get(f"/meetings/25/documents/{doc.id}")
    assert got.status_code == 200 and got.content == PDF_BYTES
    assert got["Content-Disposition"] == 'attachment; filename="minutes.pdf"'
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got["Content-Security-Policy"].startswith("sandbox")
    r = chair.post(
        "/meetings/25/documents", {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")}
    )
    assert r.status_code == 200 and "not a PDF, ODT or DOCX document" in r.content.decode()
