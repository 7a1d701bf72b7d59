"""The Regular Meetings API (docs/api.md). Each write's access rule runs at its door, before the
body is parsed: the door finds the meeting or proposal named in the path."""

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Router, Status
from ninja.files import UploadedFile

from hcoc.lib.errors import FieldProblem, NotFound
from hcoc.lib.numbers import positive_int
from hcoc.states.access import require_exchange_reader
from hcoc.ui.doors import ICC_ONLY, PathDoor

from . import access, selectors, services
from .readmodel import (
    attendance_read_model,
    decision_read_model,
    document_read_model,
    meeting_read_model,
    position_row,
    proposal_read_model,
)
from .schemas import (
    AgendaItemIn,
    AgendaItemOut,
    AttendanceIn,
    AttendanceOut,
    DecisionOut,
    DocumentOut,
    MeetingIn,
    MeetingOut,
    PositionIn,
    PositionOut,
    ProposalIn,
    ProposalOut,
)

router = Router(tags=["meetings"])


def _meeting(user, number: str):
    """The meeting a door's path names. The door runs before the path is validated, so the
    number is still the raw segment ("abc", "²", 20 digits): one no meeting can have is 404."""
    require_exchange_reader(user)
    parsed = positive_int(number)
    if parsed is None:
        raise NotFound(f"No Regular Meeting {number}.", [FieldProblem("number", "no such meeting")])
    return selectors.meeting_for(actor=user, number=parsed)


def _chair_door(user, number, **_):
    access.require_chair(user, _meeting(user, number))


def _documents_door(user, number, **_):
    access.require_chair_or_icc(user, _meeting(user, number))


def _attendance_door(user, number, **_):
    meeting = _meeting(user, number)
    if not access.may_chair(user, meeting):
        access.require_delegate(user)


def _position_door(user, reference, **_):
    proposal = selectors.proposal_for(actor=user, reference=reference)
    present = user.state_id in services.present_at(proposal.meeting, timezone.now())
    access.require_position_taker(user, proposal, present=present)


def _call_door(user, reference, **_):
    access.require_chair(user, selectors.proposal_for(actor=user, reference=reference).meeting)


CHAIR = PathDoor(_chair_door)
CHAIR_OR_ICC = PathDoor(_documents_door)
DELEGATION_OR_CHAIR = PathDoor(_attendance_door)
POSITION_TAKER = PathDoor(_position_door)
PROPOSAL_CHAIR = PathDoor(_call_door)


@router.get(
    "/meetings",
    operation_id="meeting_list",
    response=list[MeetingOut],
    summary="Regular Meetings, newest first",
)
def meeting_list(request):
    return selectors.meeting_list_for(actor=request.auth)


@router.post(
    "/meetings",
    operation_id="meeting_create",
    auth=ICC_ONLY,
    response={201: MeetingOut},
    summary="Schedule a Regular Meeting and name its Chair state (ICC only)",
)
def meeting_create(request, payload: MeetingIn):
    m = services.meeting_create(actor=request.auth, **payload.model_dump())
    return Status(201, meeting_read_model(m))


@router.get(
    "/meetings/{number}",
    operation_id="meeting_get",
    response=MeetingOut,
    summary="A Regular Meeting",
)
def meeting_get(request, number: int):
    return selectors.meeting_get_for(actor=request.auth, number=number)


@router.post(
    "/meetings/{number}/open",
    operation_id="meeting_open",
    auth=CHAIR,
    response=MeetingOut,
    summary="Open it (the Chair)",
)
def meeting_open(request, number: int):
    m = selectors.meeting_for(actor=request.auth, number=number)
    return meeting_read_model(services.meeting_open(actor=request.auth, meeting=m))


@router.post(
    "/meetings/{number}/close",
    operation_id="meeting_close",
    auth=CHAIR,
    response=MeetingOut,
    summary="Close it; delegations still in are checked out (the Chair)",
)
def meeting_close(request, number: int):
    m = selectors.meeting_for(actor=request.auth, number=number)
    return meeting_read_model(services.meeting_close(actor=request.auth, meeting=m))


@router.post(
    "/meetings/{number}/agenda",
    operation_id="agenda_item_add",
    auth=CHAIR,
    response={201: AgendaItemOut},
    summary="Add an agenda item (the Chair)",
)
def agenda_add(request, number: int, payload: AgendaItemIn):
    m = selectors.meeting_for(actor=request.auth, number=number)
    item = services.agenda_item_add(actor=request.auth, meeting=m, title=payload.title)
    return Status(201, {"number": item.number, "title": item.title})


@router.post(
    "/meetings/{number}/attendance",
    operation_id="attendance_record",
    auth=DELEGATION_OR_CHAIR,
    response={201: AttendanceOut},
    summary="Check a delegation in or out (its submitters; the Chair for any state)",
)
def attendance_record(request, number: int, payload: AttendanceIn):
    m = selectors.meeting_for(actor=request.auth, number=number)
    services.attendance_record(
        actor=request.auth, meeting=m, action=payload.action, state=payload.state
    )
    return Status(201, attendance_read_model(m))


@router.get(
    "/meetings/{number}/attendance",
    operation_id="attendance_get",
    response=AttendanceOut,
    summary="The roster: who is present, and every check-in and check-out with its time",
)
def attendance_get(request, number: int):
    return selectors.attendance_get_for(actor=request.auth, number=number)


@router.post(
    "/meetings/{number}/proposals",
    operation_id="proposal_table",
    auth=CHAIR,
    response={201: ProposalOut},
    summary="Table a proposal, or circulate it under the silence procedure (the Chair)",
)
def proposal_table(request, number: int, payload: ProposalIn):
    m = selectors.meeting_for(actor=request.auth, number=number)
    p = services.proposal_table(actor=request.auth, meeting=m, **payload.model_dump())
    return Status(201, proposal_read_model(p))


@router.get(
    "/meetings/{number}/proposals",
    operation_id="proposal_list",
    response=list[ProposalOut],
    summary="Proposals of a meeting",
)
def proposal_list(request, number: int):
    return selectors.proposal_list_for(actor=request.auth, number=number)


@router.get(
    "/proposals/{reference}",
    operation_id="proposal_get",
    response=ProposalOut,
    summary="A proposal, with positions",
)
def proposal_get(request, reference: str):
    return selectors.proposal_get_for(actor=request.auth, reference=reference)


@router.post(
    "/proposals/{reference}/positions",
    operation_id="position_take",
    auth=POSITION_TAKER,
    response={201: PositionOut},
    summary="Take or change the caller's state's position (a present state's submitters)",
)
def position_take(request, reference: str, payload: PositionIn):
    p = selectors.proposal_for(actor=request.auth, reference=reference)
    row = services.position_take(
        actor=request.auth, proposal=p, position=payload.position, reason=payload.reason
    )
    return Status(201, position_row(row))


@router.post(
    "/proposals/{reference}/call",
    operation_id="decision_call",
    auth=PROPOSAL_CHAIR,
    response={201: DecisionOut},
    summary="Call the decision (the Chair): adopted when no state present objects",
)
def decision_call(request, reference: str):
    p = selectors.proposal_for(actor=request.auth, reference=reference)
    return Status(201, decision_read_model(services.decision_call(actor=request.auth, proposal=p)))


@router.get(
    "/meetings/{number}/decisions",
    operation_id="decision_list",
    response=list[DecisionOut],
    summary="Decisions of a meeting",
)
def decision_list(request, number: int):
    return selectors.decision_list_for(actor=request.auth, number=number)


@router.get(
    "/decisions/{reference}",
    operation_id="decision_get",
    response=DecisionOut,
    summary="A decision",
)
def decision_get(request, reference: str):
    return selectors.decision_get_for(actor=request.auth, reference=reference)


@router.post(
    "/meetings/{number}/documents",
    operation_id="document_add",
    auth=CHAIR_OR_ICC,
    response={201: DocumentOut},
    summary="Attach a document: PDF, ODT or DOCX, multipart field `file` (the ICC or the Chair)",
)
def document_add(request, number: int, file: File[UploadedFile]):
    m = selectors.meeting_for(actor=request.auth, number=number)
    d = services.document_add(actor=request.auth, meeting=m, name=file.name, data=file.read())
    return Status(201, document_read_model(d))


@router.get(
    "/meetings/{number}/documents",
    operation_id="document_list",
    response=list[DocumentOut],
    summary="Documents of a meeting",
)
def document_list(request, number: int):
    return selectors.document_list_for(actor=request.auth, number=number)


@router.get(
    "/meetings/{number}/documents/{document_id}",
    operation_id="document_get",
    summary="Download a document (always as an attachment)",
    response={200: None},
)
def document_get(request, number: int, document_id: int):
    return attachment(
        selectors.document_for(actor=request.auth, number=number, document_id=document_id)
    )


def attachment(document) -> HttpResponse:
    """The stored bytes as a download that no browser renders or runs: attachment, nosniff,
    and a sandbox policy in case it were ever opened in place."""
    response = HttpResponse(bytes(document.data), content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Content-Length"] = str(document.size)
    return response
