"""The read models of meetings, proposals and decisions: what the API and the pages show."""

from hcoc.lib.canonical import canonical_loads
from hcoc.lib.timeutil import rfc3339

from .models import Attendance, Decision, Meeting, Proposal


def document_read_model(d) -> dict:
    return {
        "id": d.id,
        "name": d.name,
        "content_type": d.content_type,
        "size": d.size,
        "sha256": d.sha256,
        "uploaded_at": rfc3339(d.uploaded_at),
    }


def meeting_read_model(m: Meeting) -> dict:
    return {
        "number": m.number,
        "reference": m.reference,
        "opens_on": m.opens_on.isoformat(),
        "closes_on": m.closes_on.isoformat(),
        "place": m.place,
        "chair_state": m.chair_state_id,
        "status": m.status,
        "opened_at": rfc3339(m.opened_at),
        "closed_at": rfc3339(m.closed_at),
        "agenda": [{"number": a.number, "title": a.title} for a in m.agenda.order_by("number")],
        "documents": [document_read_model(d) for d in m.documents.defer("data").order_by("id")],
    }


def attendance_read_model(m: Meeting) -> dict:
    rows = list(
        Attendance.objects.filter(meeting=m)
        .select_related("checked_in_by", "checked_out_by")
        .order_by("checked_in_at", "id")
    )
    return {
        "meeting": m.number,
        "present": sorted({a.state_id for a in rows if a.checked_out_at is None}),
        "intervals": [
            {
                "state": a.state_id,
                "checked_in_at": rfc3339(a.checked_in_at),
                "checked_in_by": a.checked_in_by.username,
                "checked_out_at": rfc3339(a.checked_out_at),
                "checked_out_by": a.checked_out_by.username if a.checked_out_by else None,
            }
            for a in rows
        ],
    }


def position_row(p) -> dict:
    return {
        "state": p.state_id,
        "position": p.position,
        "reason": p.reason,
        "at": rfc3339(p.at),
        "user": p.user.username,
    }


def proposal_read_model(p: Proposal, *, with_positions: bool = True) -> dict:
    decision = Decision.objects.filter(proposal=p).select_related("meeting").first()
    out = {
        "reference": p.reference,
        "meeting": p.meeting.number,
        "number": p.number,
        "agenda_item": {"number": p.agenda_item.number, "title": p.agenda_item.title},
        "text": p.text,
        "procedure": p.procedure,
        "deadline": rfc3339(p.deadline),
        "status": p.status,
        "tabled_at": rfc3339(p.tabled_at),
        "tabled_by": p.meeting.chair_state_id,
        "decision": decision.reference if decision else None,
        "outcome": decision.outcome if decision else None,
    }
    if with_positions:
        rows = [position_row(x) for x in p.positions.select_related("user").order_by("at", "id")]
        current: dict[str, dict] = {}
        for r in rows:
            current[r["state"]] = r
        out["positions"] = rows
        out["current"] = [current[s] for s in sorted(current)]
    return out


def decision_read_model(d: Decision) -> dict:
    return canonical_loads(d.record)
