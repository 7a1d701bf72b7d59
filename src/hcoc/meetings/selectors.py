"""Reads of Regular Meetings through the access rules: every subscriber and the ICC read all of
it; users of non-subscribing states and anonymous callers nothing."""

from django.utils.translation import gettext as _

from hcoc.lib.errors import NotFound
from hcoc.lib.numbers import positive_int
from hcoc.meetings.access import (
    may_act_for_delegation,
    may_add_documents,
    may_chair,
    may_schedule,
    may_take_position,
)
from hcoc.states.access import require_exchange_reader

from .models import Decision, Document, Meeting, Procedure, Proposal, ProposalStatus
from .readmodel import (
    attendance_read_model,
    decision_read_model,
    meeting_read_model,
    proposal_read_model,
)


def meeting_for(*, actor, number: int) -> Meeting:
    require_exchange_reader(actor)
    m = Meeting.objects.select_related("chair_state").filter(number=number).first()
    if m is None:
        raise NotFound(_("No Regular Meeting %(number)s.") % {"number": number})
    return m


def proposal_for(*, actor, reference: str) -> Proposal:
    require_exchange_reader(actor)
    meeting_number, number = _split(reference, "P")
    p = (
        Proposal.objects.select_related("meeting", "agenda_item")
        .filter(meeting__number=meeting_number, number=number)
        .first()
    )
    if p is None:
        raise NotFound(_("No proposal %(reference)s.") % {"reference": reference})
    return p


def decision_for(*, actor, reference: str) -> Decision:
    require_exchange_reader(actor)
    meeting_number, number = _split(reference, "D")
    d = (
        Decision.objects.select_related("meeting")
        .filter(meeting__number=meeting_number, number=number)
        .first()
    )
    if d is None:
        raise NotFound(_("No decision %(reference)s.") % {"reference": reference})
    return d


def _split(reference: str, letter: str) -> tuple[int, int]:
    """'RM25-P3' -> (25, 3); anything else is not found."""
    head, _dash, tail = reference.upper().partition("-")
    meeting = positive_int(head[2:]) if head.startswith("RM") else None
    number = positive_int(tail[1:]) if tail[:1] == letter else None
    if meeting is None or number is None:  # "RM²-P1" too: str.isdigit() is true for "²"
        raise NotFound(_("No such reference %(reference)s.") % {"reference": reference})
    return meeting, number


def meeting_list_for(*, actor) -> list[dict]:
    require_exchange_reader(actor)
    return [meeting_read_model(m) for m in Meeting.objects.select_related("chair_state")]


def meeting_list_page_for(*, actor) -> dict:
    """The meetings, and whether the actor may schedule one (the ICC)."""
    return {"meetings": meeting_list_for(actor=actor), "may_schedule": may_schedule(actor)}


def meeting_room_for(*, actor, number: int) -> dict:
    """The meeting room's page: the meeting, its roster and its proposals, with what the actor
    may do there (meetings.access), so the page offers exactly what the services will allow."""
    meeting = meeting_for(actor=actor, number=number)
    m = meeting_read_model(meeting)
    roster = attendance_read_model(meeting)
    here = actor.state_id in roster["present"]
    proposals = []
    for p in meeting.proposals.select_related("meeting", "agenda_item").order_by("number"):
        rm = proposal_read_model(p)
        rm["open"] = p.status == ProposalStatus.OPEN
        # Positions are taken on an open proposal: in the room while the meeting is open
        # (consensus), or at any time during a silence procedure.
        rm["may_take_position"] = (
            rm["open"]
            and (p.procedure == Procedure.SILENCE or m["status"] == "open")
            and may_take_position(actor, p, present=here)
        )
        rm["mine"] = next((x for x in rm["current"] if x["state"] == actor.state_id), None)
        proposals.append(rm)
    return {
        "m": m,
        "roster": roster,
        "proposals": proposals,
        "here": here,
        "may_chair": may_chair(actor, meeting),
        "may_act_for_delegation": may_act_for_delegation(actor),
        "may_add_documents": may_add_documents(actor, meeting),
    }


def meeting_get_for(*, actor, number: int) -> dict:
    return meeting_read_model(meeting_for(actor=actor, number=number))


def attendance_get_for(*, actor, number: int) -> dict:
    return attendance_read_model(meeting_for(actor=actor, number=number))


def proposal_list_for(*, actor, number: int) -> list[dict]:
    m = meeting_for(actor=actor, number=number)
    return [
        proposal_read_model(p)
        for p in m.proposals.select_related("meeting", "agenda_item").order_by("number")
    ]


def proposal_get_for(*, actor, reference: str) -> dict:
    return proposal_read_model(proposal_for(actor=actor, reference=reference))


def decision_list_for(*, actor, number: int) -> list[dict]:
    m = meeting_for(actor=actor, number=number)
    return [decision_read_model(d) for d in m.decisions.order_by("number")]


def decision_get_for(*, actor, reference: str) -> dict:
    return decision_read_model(decision_for(actor=actor, reference=reference))


def document_list_for(*, actor, number: int) -> list[dict]:
    return meeting_get_for(actor=actor, number=number)["documents"]


def document_for(*, actor, number: int, document_id: int) -> Document:
    m = meeting_for(actor=actor, number=number)
    d = Document.objects.filter(meeting=m, id=document_id).first()
    if d is None:
        raise NotFound(
            _("No document %(document_id)s of %(reference)s.")
            % {"document_id": document_id, "reference": m.reference}
        )
    return d


def chairs(*, actor, meeting: Meeting) -> bool:
    return may_chair(actor, meeting)
