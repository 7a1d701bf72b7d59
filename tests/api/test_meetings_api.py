"""Regular Meetings through the published API over HTTP: meetings, attendance, proposals,
positions, consensus decisions, the silence procedure and documents."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.core.management import call_command
from support.bodies import iso
from support.meetings import PDF_BYTES, docx_bytes, meeting_body, odt_bytes, open_meeting, table
from support.stored import stored

from hcoc.meetings.models import Decision, Document, Position

PROBLEM = "application/problem+json"


def fields(r) -> set[str]:
    assert r.headers["content-type"].startswith(PROBLEM), r.text
    return {e["field"] for e in r.json().get("errors", [])}


def take(api, who, reference, position, reason=""):
    return api.post(
        f"/proposals/{reference}/positions", who, json={"position": position, "reason": reason}
    )


# ---- the consensus procedure ------------------------------------------------------------------


def test_an_objection_withdrawn_before_the_call_lets_the_proposal_be_adopted_and_enter_the_feed(
    api, personas
):
    open_meeting(api, personas)
    p = table(api, personas)
    assert p["reference"] == "RM25-P1" and p["status"] == "open"
    fra, jpn = personas["fra_submitter"], personas["jpn_submitter"]
    assert take(api, fra, p["reference"], "support").status_code == 201
    r = take(api, jpn, p["reference"], "object", "Costs are not known yet.")
    assert r.status_code == 201, r.text
    assert take(api, jpn, p["reference"], "no_objection").status_code == 201
    r = api.post(f"/proposals/{p['reference']}/call", fra)
    assert r.status_code == 201, r.text
    d = r.json()
    assert d.pop("receipts")[0]["seq"] is not None  # the decision's place in the log
    assert (d["reference"], d["outcome"], d["present"]) == ("RM25-D1", "adopted", ["FRA", "JPN"])
    assert [(x["state"], x["position"], x["counted"]) for x in d["positions"]] == [
        ("FRA", "support", True),
        ("JPN", "object", False),
        ("JPN", "no_objection", True),
    ]
    assert d["positions"][1]["reason"] == "Costs are not known yet."
    assert "user" not in d["positions"][1]  # states decide; names stay out of the feed
    # Every subscriber reads it; it is in the feed with the decision as its payload.
    assert api.get("/decisions/RM25-D1", personas["jpn_reader"]).json() == d
    assert api.get("/meetings/25/decisions", personas["icc"]).json() == [d]
    item = api.get("/feed", personas["jpn_reader"]).json()["items"][-1]
    assert (item["kind"], item["subject"], item["state"]) == ("meeting.decision", "RM25-D1", "FRA")
    assert item["payload"] == d
    proposal = api.get(f"/proposals/{p['reference']}", personas["fra_reader"]).json()
    assert (proposal["status"], proposal["decision"], proposal["outcome"]) == (
        "decided",
        "RM25-D1",
        "adopted",
    )


def test_an_objection_of_a_state_present_at_the_call_blocks_the_decision(api, personas):
    open_meeting(api, personas)
    p = table(api, personas)
    take(api, personas["fra_submitter"], p["reference"], "support")
    take(api, personas["jpn_submitter"], p["reference"], "object", "Not ready.")
    d = api.post(f"/proposals/{p['reference']}/call", personas["fra_submitter"]).json()
    assert d["outcome"] == "not_adopted"


def test_a_state_that_checked_out_before_the_call_does_not_count(api, personas):
    open_meeting(api, personas)
    p = table(api, personas)
    jpn = personas["jpn_submitter"]
    assert take(api, jpn, p["reference"], "object", "Not ready.").status_code == 201
    r = api.post("/meetings/25/attendance", jpn, json={"action": "check_out"})
    assert r.status_code == 201 and r.json()["present"] == ["FRA"]
    d = api.post(f"/proposals/{p['reference']}/call", personas["fra_submitter"]).json()
    assert (d["outcome"], d["present"]) == ("adopted", ["FRA"])
    assert [(x["state"], x["counted"]) for x in d["positions"]] == [("JPN", False)]


def test_a_state_not_present_cannot_object(api, personas):
    open_meeting(api, personas, present=("FRA",))
    p = table(api, personas)
    before = stored()
    r = take(api, personas["jpn_submitter"], p["reference"], "object", "We were not asked.")
    assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM)
    assert stored() == before
    d = api.post(f"/proposals/{p['reference']}/call", personas["fra_submitter"]).json()
    assert d["outcome"] == "adopted" and d["positions"] == []


def test_only_a_present_states_submitters_take_positions_for_that_state(api, personas):
    open_meeting(api, personas)
    p = table(api, personas)
    before = stored()
    for who in ("fra_reader", "jpn_reader", "icc", "prk_user"):
        r = take(api, personas[who], p["reference"], "support")
        assert r.status_code == 403, (who, r.text)
    assert stored() == before
    r = take(api, personas["jpn_submitter"], p["reference"], "abstain")
    assert r.status_code == 201 and r.json()["state"] == "JPN"


def test_only_the_chair_calls_the_decision(api, personas):
    open_meeting(api, personas)
    p = table(api, personas)
    before = stored()
    for who in ("jpn_submitter", "fra_reader", "icc", "prk_user"):
        r = api.post(f"/proposals/{p['reference']}/call", personas[who])
        assert r.status_code == 403, (who, r.text)
    assert stored() == before


def test_a_decision_is_called_once_and_its_positions_can_no_longer_change(api, personas):
    open_meeting(api, personas)
    p = table(api, personas)
    fra = personas["fra_submitter"]
    first = api.post(f"/proposals/{p['reference']}/call", fra).json()
    first.pop("receipts")
    before = stored()
    r = api.post(f"/proposals/{p['reference']}/call", fra)
    assert r.status_code == 409
    r = take(api, personas["jpn_submitter"], p["reference"], "object", "Too late.")
    assert r.status_code == 409
    assert stored() == before
    assert api.get(f"/decisions/{first['reference']}", fra).json() == first


def test_an_objection_without_a_reason_is_refused_naming_the_reason(api, personas):
    open_meeting(api, personas)
    p = table(api, personas)
    before = stored()
    for reason in ("", "   "):
        r = take(api, personas["jpn_submitter"], p["reference"], "object", reason)
        assert r.status_code == 422 and fields(r) == {"reason"}
    r = take(api, personas["jpn_submitter"], p["reference"], "veto")
    assert r.status_code == 422 and fields(r) == {"position"}
    assert stored() == before


def test_the_same_position_sent_twice_with_one_idempotency_key_is_recorded_once(api, personas):
    open_meeting(api, personas)
    p = table(api, personas)
    jpn, headers = personas["jpn_submitter"], {"Idempotency-Key": "pos-1"}
    body = {"position": "support", "reason": ""}
    first = api.post(f"/proposals/{p['reference']}/positions", jpn, json=body, headers=headers)
    again = api.post(f"/proposals/{p['reference']}/positions", jpn, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Position.objects.count() == 1


# ---- meetings and attendance -----------------------------------------------------------------


def test_a_meeting_with_bad_input_is_refused_naming_every_field_and_nothing_is_stored(
    api, personas
):
    assert api.post("/meetings", personas["icc"], json=meeting_body(25)).status_code == 201
    before = stored()
    body = meeting_body(25, chair="PRK") | {"closes_on": "2000-01-01", "extra": 1}
    r = api.post("/meetings", personas["icc"], json=body)
    assert r.status_code == 422
    assert fields(r) == {"extra"}  # shape first: unknown fields are rejected
    r = api.post(
        "/meetings",
        personas["icc"],
        json=meeting_body(25, chair="PRK") | {"closes_on": "2000-01-01"},
    )
    assert r.status_code == 422 and fields(r) == {"number", "closes_on", "chair_state"}
    assert stored() == before


def test_the_chair_opens_and_closes_the_meeting_and_closing_checks_everyone_out(api, personas):
    open_meeting(api, personas)
    fra = personas["fra_submitter"]
    assert api.post("/meetings/25/open", fra).status_code == 409  # already open
    assert api.post("/meetings/25/open", personas["jpn_submitter"]).status_code == 403
    r = api.post("/meetings/25/close", fra)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    roster = api.get("/meetings/25/attendance", personas["jpn_reader"]).json()
    assert roster["present"] == []
    assert all(i["checked_out_at"] for i in roster["intervals"])
    r = api.post("/meetings/25/attendance", personas["jpn_submitter"], json={"action": "check_in"})
    assert r.status_code == 409


def test_the_chair_records_any_states_attendance_a_delegation_only_its_own(api, personas):
    open_meeting(api, personas, present=())
    before = stored()
    r = api.post(
        "/meetings/25/attendance",
        personas["jpn_submitter"],
        json={"action": "check_in", "state": "FRA"},
    )
    assert r.status_code == 403
    r = api.post("/meetings/25/attendance", personas["fra_reader"], json={"action": "check_in"})
    assert r.status_code == 403
    assert stored() == before
    r = api.post(
        "/meetings/25/attendance",
        personas["fra_submitter"],
        json={"action": "check_in", "state": "JPN"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["present"] == ["JPN"]
    interval = r.json()["intervals"][0]
    assert interval["checked_in_by"] == "fra_submitter" and interval["checked_out_at"] is None
    r = api.post(
        "/meetings/25/attendance",
        personas["fra_submitter"],
        json={"action": "check_in", "state": "JPN"},
    )
    assert r.status_code == 409
    r = api.post(
        "/meetings/25/attendance",
        personas["fra_submitter"],
        json={"action": "check_in", "state": "PRK"},
    )
    assert r.status_code == 422 and fields(r) == {"state"}


def test_a_proposal_names_an_agenda_item_of_its_meeting(api, personas):
    open_meeting(api, personas)
    before = stored()
    r = api.post(
        "/meetings/25/proposals",
        personas["fra_submitter"],
        json={
            "agenda_item": 7,
            "text": " ",
            "procedure": "consensus",
            "deadline": iso(datetime.now(UTC) + timedelta(days=1)),
        },
    )
    assert r.status_code == 422 and fields(r) == {"agenda_item", "text", "deadline"}
    assert stored() == before


def test_non_subscribers_and_anonymous_callers_see_nothing_of_meetings(api, personas):
    open_meeting(api, personas)
    for path in ("/meetings", "/meetings/25", "/meetings/25/attendance", "/meetings/25/decisions"):
        assert api.get(path, personas["prk_user"]).status_code == 403
        assert api.get(path).status_code == 401
    assert api.get("/meetings/99", personas["jpn_reader"]).status_code == 404
    assert api.get("/decisions/RM25-D9", personas["jpn_reader"]).status_code == 404
    assert api.get("/decisions/garbage", personas["jpn_reader"]).status_code == 404


# ---- the silence procedure -------------------------------------------------------------------


def test_a_silence_procedure_is_adopted_when_no_objection_stands_at_the_deadline(api, personas):
    open_meeting(api, personas, present=())
    deadline = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    p = table(api, personas, procedure="silence", deadline=iso(deadline))
    circulated = api.get("/feed", personas["jpn_reader"]).json()["items"][-1]
    assert (circulated["kind"], circulated["subject"]) == (
        "meeting.proposal_circulated",
        p["reference"],
    )
    jpn = personas["jpn_submitter"]  # not present: a silence procedure is outside the room
    assert take(api, jpn, p["reference"], "object", "Needs study.").status_code == 201
    assert take(api, jpn, p["reference"], "no_objection").status_code == 201
    assert (
        api.post(f"/proposals/{p['reference']}/call", personas["fra_submitter"]).status_code == 409
    )
    with time_machine.travel(deadline + timedelta(minutes=1), tick=True):
        assert take(api, jpn, p["reference"], "object", "Late.").status_code == 409
        call_command("meetings", "conclude")
    d = api.get("/decisions/RM25-D1", personas["fra_reader"]).json()
    assert (d["procedure"], d["outcome"], d["present"]) == ("silence", "adopted", [])
    assert [x["position"] for x in d["positions"]] == ["object", "no_objection"]


def test_a_standing_objection_at_the_deadline_blocks_a_silence_procedure(api, personas):
    open_meeting(api, personas, present=())
    deadline = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    p = table(api, personas, procedure="silence", deadline=iso(deadline))
    take(api, personas["jpn_submitter"], p["reference"], "object", "Needs study.")
    with time_machine.travel(deadline, tick=True):
        r = api.post(f"/proposals/{p['reference']}/call", personas["fra_submitter"])
    assert r.status_code == 201, r.text
    assert r.json()["outcome"] == "not_adopted"
    call_command("meetings", "conclude")  # nothing left to conclude; the decision stays
    assert Decision.objects.count() == 1


def test_a_silence_procedure_needs_a_future_deadline(api, personas):
    open_meeting(api, personas)
    before = stored()
    for deadline in (None, iso(datetime.now(UTC) - timedelta(minutes=1)), "2030-01-01T00:00:00"):
        body = {"agenda_item": 1, "text": "x", "procedure": "silence", "deadline": deadline}
        r = api.post("/meetings/25/proposals", personas["fra_submitter"], json=body)
        assert r.status_code == 422 and fields(r) == {"deadline"}, r.text
    assert stored() == before


# ---- documents ---------------------------------------------------------------------------------


def upload(api, who, name, data, number=25):
    return api.post(
        f"/meetings/{number}/documents",
        who,
        files={"file": (name, data, "application/octet-stream")},
    )


def test_documents_are_judged_by_content_and_served_only_as_attachments(api, personas):
    open_meeting(api, personas)
    for who, name, data, kind in (
        ("icc", "agenda.pdf", PDF_BYTES, "application/pdf"),
        ("fra_submitter", "notes.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
        (
            "icc",
            '../../evil"name.bin',
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ):
        r = upload(api, personas[who], name, data)
        assert r.status_code == 201, r.text
        doc = r.json()
        assert doc["content_type"] == kind
        got = api.get(f"/meetings/25/documents/{doc['id']}", personas["jpn_reader"])
        assert got.status_code == 200 and got.content == data
        assert got.headers["content-type"] == kind
        assert got.headers["content-disposition"] == f'attachment; filename="{doc["name"]}"'
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in got.headers["content-security-policy"]
    # No path, no quote, and the extension of what it is, not of what it was called.
    assert doc["name"].startswith("evil") and doc["name"].endswith(".docx")
    assert not set('/"\\') & set(doc["name"])
    names = [d["name"] for d in api.get("/meetings/25/documents", personas["jpn_reader"]).json()]
    assert names == ["agenda.pdf", "notes.odt", doc["name"]]


def test_a_document_that_is_not_a_pdf_odt_or_docx_is_refused_whatever_its_name(api, personas):
    open_meeting(api, personas)
    before = stored()
    for name, data in (
        ("report.pdf", b"<html><script>alert(1)</script></html>"),
        ("report.docx", b"PK\x03\x04 not really a zip"),
        ("empty.pdf", b""),
    ):
        r = upload(api, personas["icc"], name, data)
        assert r.status_code == 422 and fields(r) == {"file"}, r.text
    assert upload(api, personas["jpn_submitter"], "a.pdf", PDF_BYTES).status_code == 403
    assert stored() == before


def test_a_document_above_the_size_limit_is_refused(api, personas, settings):
    settings.HCOC_MEETING_DOCUMENT_MAX_BYTES = 200
    open_meeting(api, personas)
    r = upload(api, personas["icc"], "big.pdf", PDF_BYTES + b"0" * 200)
    assert r.status_code == 422 and fields(r) == {"file"}
    assert Document.objects.count() == 0
