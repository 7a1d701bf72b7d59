"""Shared steps of the meetings tests: a Regular Meeting chaired by France, opened, with an agenda
item, and document bytes of each accepted kind (built here, never taken from elsewhere)."""

import io
import zipfile
from datetime import timedelta

from django.utils import timezone

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def odt_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text"
        )  # stored, first
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def meeting_body(number: int = 25, chair: str = "FRA") -> dict:
    today = timezone.now().date()
    return {
        "number": number,
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=1)).isoformat(),
        "place": "Vienna",
        "chair_state": chair,
    }


def open_meeting(api, personas, number: int = 25, *, present=("FRA", "JPN")) -> None:
    """Meeting `number`, chaired by France, open, with agenda item 1 and `present` checked in."""
    r = api.post("/meetings", personas["icc"], json=meeting_body(number))
    assert r.status_code == 201, r.text
    chair = personas["fra_submitter"]
    assert api.post(f"/meetings/{number}/open", chair).status_code == 200
    r = api.post(f"/meetings/{number}/agenda", chair, json={"title": "Outreach"})
    assert r.status_code == 201, r.text
    for iso3 in present:
        who = personas[f"{iso3.lower()}_submitter"]
        r = api.post(f"/meetings/{number}/attendance", who, json={"action": "check_in"})
        assert r.status_code == 201, r.text


def table(api, personas, number: int = 25, **overrides) -> dict:
    body = {"agenda_item": 1, "text": "To adopt the outreach plan.", "procedure": "consensus"}
    r = api.post(f"/meetings/{number}/proposals", personas["fra_submitter"], json=body | overrides)
    assert r.status_code == 201, r.text
    return r.json()


def build_meeting_world() -> dict:
    """With the services: Regular Meeting 25 chaired by France, open, France and Japan present,
    proposal RM25-P1 open, RM25-P2 decided as RM25-D1, one document; meeting 26 scheduled."""
    from hcoc.accounts.models import User
    from hcoc.meetings import services
    from hcoc.meetings.models import Meeting

    icc = User.objects.get(username="icc")
    fra = User.objects.get(username="fra_submitter")
    jpn = User.objects.get(username="jpn_submitter")
    for number in (25, 26):
        body = meeting_body(number)
        services.meeting_create(
            actor=icc,
            number=number,
            opens_on=timezone.datetime.fromisoformat(body["opens_on"]).date(),
            closes_on=timezone.datetime.fromisoformat(body["closes_on"]).date(),
            place=body["place"],
            chair_state="FRA",
        )
    m = services.meeting_open(actor=fra, meeting=Meeting.objects.get(number=25))
    services.agenda_item_add(actor=fra, meeting=m, title="Outreach")
    for who in (fra, jpn):
        services.attendance_record(actor=who, meeting=m, action="check_in")
    open_one = services.proposal_table(
        actor=fra, meeting=m, agenda_item=1, text="To adopt the plan.", procedure="consensus"
    )
    decided = services.proposal_table(
        actor=fra, meeting=m, agenda_item=1, text="To meet in May.", procedure="consensus"
    )
    decision = services.decision_call(actor=fra, proposal=decided)
    document = services.document_add(actor=icc, meeting=m, name="agenda.pdf", data=PDF_BYTES)
    return {
        "meeting": 25,
        "scheduled": 26,
        "proposal": open_one.reference,
        "decision": decision.reference,
        "document": document.id,
    }
