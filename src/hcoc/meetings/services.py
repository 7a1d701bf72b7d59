"""The one door for every write of Regular Meetings.

Locks, in this order, wherever several are taken: the meeting row, then the proposal row, then the
exchange sequence (event_transaction). A call therefore sees a roster and positions that no concurrent
check-in, check-out or position can change under it.
"""

import hashlib
from contextlib import nullcontext
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.accounts.access import require_icc
from hcoc.exchange.models import EventKind
from hcoc.exchange.services import EventDraft, event_transaction, number_next
from hcoc.lib.canonical import canonical_dumps
from hcoc.lib.errors import Conflict, FieldProblem, InvalidInput
from hcoc.lib.rule_tools import calendar_date_problem, years_after
from hcoc.lib.timeutil import rfc3339
from hcoc.meetings.access import (
    require_attendance_recorder,
    require_chair,
    require_chair_or_icc,
    require_position_taker,
)
from hcoc.states.access import require_exchange_reader
from hcoc.states.models import State

from . import consensus
from .documents import content_type_of, safe_name
from .models import (
    AgendaItem,
    Attendance,
    Decision,
    Document,
    Meeting,
    MeetingStatus,
    Position,
    PositionKind,
    Procedure,
    Proposal,
    ProposalStatus,
)
from .readmodel import position_row, proposal_read_model

SILENCE_MAX_YEARS = 1  # plausibility: a silence procedure's deadline (docs/api.md)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _locked_proposal(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("meeting").get(pk=proposal.pk)


# ---- meetings ----------------------------------------------------------------------------------


def meeting_create(
    *, actor, number: int, opens_on: date, closes_on: date, place: str, chair_state: str
) -> Meeting:
    """The ICC schedules a Regular Meeting and names the subscribing state that chairs it."""
    actor = require_icc(actor)
    problems = []
    if Meeting.objects.filter(number=number).exists():
        problems.append(
            FieldProblem(
                "number", _("Regular Meeting %(number)s already exists") % {"number": number}
            )
        )
    if closes_on < opens_on:
        problems.append(FieldProblem("closes_on", _("must not be before opens_on")))
    today = timezone.now().date()
    for name, value in (("opens_on", opens_on), ("closes_on", closes_on)):
        if problem := calendar_date_problem(value, today):  # 25 Nov 2002 to 5 years ahead
            problems.append(FieldProblem(name, problem))
    if not place.strip():
        problems.append(FieldProblem("place", _("must not be empty")))
    chair = State.objects.filter(iso3=chair_state.upper()).first()
    if chair is None:
        problems.append(
            FieldProblem(
                "chair_state",
                _("unknown state %(chair_state)s") % {"chair_state": repr(chair_state)},
            )
        )
    elif not chair.is_subscribing_now:
        problems.append(
            FieldProblem(
                "chair_state", _("%(iso3)s is not a subscribing state") % {"iso3": chair.iso3}
            )
        )
    if problems:
        raise InvalidInput(problems)
    return Meeting.objects.create(
        number=number,
        opens_on=opens_on,
        closes_on=closes_on,
        place=place.strip(),
        chair_state=chair,
        created_at=timezone.now(),
        created_by=actor,
    )


def meeting_open(*, actor, meeting: Meeting) -> Meeting:
    require_chair(actor, meeting)
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise Conflict(
                _("%(reference)s is %(status)s; only a scheduled one opens.")
                % {"reference": meeting.reference, "status": meeting.status}
            )
        meeting.status = MeetingStatus.OPEN
        meeting.opened_at = timezone.now()
        meeting.save(update_fields=["status", "opened_at"])
    return meeting


def meeting_close(*, actor, meeting: Meeting) -> Meeting:
    """The Chair closes the meeting; every delegation still in the room is checked out."""
    actor = require_chair(actor, meeting)
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        if meeting.status != MeetingStatus.OPEN:
            raise Conflict(
                _("%(reference)s is %(status)s; only an open one closes.")
                % {"reference": meeting.reference, "status": meeting.status}
            )
        now = timezone.now()
        meeting.status = MeetingStatus.CLOSED
        meeting.closed_at = now
        meeting.save(update_fields=["status", "closed_at"])
        Attendance.objects.filter(meeting=meeting, checked_out_at__isnull=True).update(
            checked_out_at=now, checked_out_by=actor
        )
    return meeting


def agenda_item_add(*, actor, meeting: Meeting, title: str) -> AgendaItem:
    require_chair(actor, meeting)
    if not title.strip():
        raise InvalidInput([FieldProblem("title", _("must not be empty"))])
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        if meeting.status == MeetingStatus.CLOSED:
            raise Conflict(_("%(reference)s is closed.") % {"reference": meeting.reference})
        last = meeting.agenda.order_by("-number").first()
        return AgendaItem.objects.create(
            meeting=meeting,
            number=(last.number if last else 0) + 1,
            title=title.strip(),
            added_at=timezone.now(),
        )


def document_add(*, actor, meeting: Meeting, name: str, data: bytes) -> Document:
    """A meeting document (PDF, ODT or DOCX, judged by its bytes), stored in the database."""
    actor = require_chair_or_icc(actor, meeting)
    limit = settings.HCOC_MEETING_DOCUMENT_MAX_BYTES
    if len(data) > limit:
        raise InvalidInput(
            [FieldProblem("file", _("larger than the limit of %(limit)s bytes") % {"limit": limit})]
        )
    if not data:
        raise InvalidInput([FieldProblem("file", _("is empty"))])
    content_type = content_type_of(data)
    if content_type is None:
        raise InvalidInput([FieldProblem("file", _("not a PDF, ODT or DOCX document"))])
    return Document.objects.create(
        meeting=meeting,
        name=safe_name(name or "", content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_at=timezone.now(),
        uploaded_by=actor,
    )


# ---- attendance --------------------------------------------------------------------------------

CHECK_IN, CHECK_OUT = "check_in", "check_out"


def attendance_record(*, actor, meeting: Meeting, action: str, state: str | None = None) -> dict:
    """A delegation checks in or out (or the Chair records it for any subscribing state)."""
    actor = require_exchange_reader(actor)
    iso3 = (state or actor.state_id or "").upper()
    if not iso3:
        raise InvalidInput([FieldProblem("state", _("the ICC has no delegation: name a state"))])
    require_attendance_recorder(actor, meeting, iso3)
    target = State.objects.filter(iso3=iso3).first()
    if target is None or not target.is_subscribing_now:
        raise InvalidInput(
            [FieldProblem("state", _("%(iso3)s is not a subscribing state") % {"iso3": iso3})]
        )
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        if meeting.status != MeetingStatus.OPEN:
            raise Conflict(
                _("%(reference)s is not open: attendance is kept while it is.")
                % {"reference": meeting.reference}
            )
        now = timezone.now()
        current = Attendance.objects.filter(
            meeting=meeting, state=target, checked_out_at__isnull=True
        ).first()
        if action == CHECK_IN:
            if current is not None:
                raise Conflict(_("%(iso3)s is already checked in.") % {"iso3": iso3})
            Attendance.objects.create(
                meeting=meeting, state=target, checked_in_at=now, checked_in_by=actor
            )
        else:
            if current is None:
                raise Conflict(_("%(iso3)s is not checked in.") % {"iso3": iso3})
            current.checked_out_at = now
            current.checked_out_by = actor
            current.save(update_fields=["checked_out_at", "checked_out_by"])
    return {"meeting": meeting.number, "state": iso3, "action": action, "at": rfc3339(now)}


def present_at(meeting: Meeting, at: datetime) -> set[str]:
    """The states with an open attendance interval at `at`."""
    rows = Attendance.objects.filter(meeting=meeting, checked_in_at__lte=at).values_list(
        "state_id", "checked_out_at"
    )
    return {s for s, out in rows if out is None or out > at}


# ---- proposals and positions ---------------------------------------------------------------------


def proposal_table(
    *,
    actor,
    meeting: Meeting,
    agenda_item: int,
    text: str,
    procedure: str,
    deadline: datetime | None = None,
) -> Proposal:
    """The Chair tables a proposal in the meeting (consensus), or circulates it to every
    subscribing state with a deadline (silence procedure, announced in the feed)."""
    actor = require_chair(actor, meeting)
    now = timezone.now()
    problems = []
    item = AgendaItem.objects.filter(meeting=meeting, number=agenda_item).first()
    if item is None:
        problems.append(
            FieldProblem(
                "agenda_item",
                _("no item %(agenda_item)s on the agenda") % {"agenda_item": agenda_item},
            )
        )
    if not text.strip():
        problems.append(FieldProblem("text", _("must not be empty")))
    if procedure == Procedure.SILENCE:
        if deadline is None:
            problems.append(FieldProblem("deadline", _("a silence procedure needs a deadline")))
        elif deadline <= now:
            problems.append(FieldProblem("deadline", _("must be in the future")))
        elif deadline > (latest := years_after(now.replace(microsecond=0), SILENCE_MAX_YEARS)):
            # Between two yearly Regular Meetings: a silence procedure runs at most a year.
            problems.append(
                FieldProblem(
                    "deadline",
                    _("must be at most a year ahead: %(rfc3339)s at the latest")
                    % {"rfc3339": rfc3339(latest)},
                )
            )
    elif deadline is not None:
        problems.append(FieldProblem("deadline", _("only a silence procedure has a deadline")))
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        if procedure == Procedure.CONSENSUS and meeting.status != MeetingStatus.OPEN:
            raise Conflict(
                _("%(reference)s is not open: table it while the meeting sits.")
                % {"reference": meeting.reference}
            )
        # A circulated proposal enters the feed: its time is taken under the sequence lock.
        circulated = procedure == Procedure.SILENCE
        with event_transaction() if circulated else nullcontext() as event:
            if event is not None:
                now = event.at
            last = meeting.proposals.order_by("-number").first()
            proposal = Proposal.objects.create(
                meeting=meeting,
                number=(last.number if last else 0) + 1,
                agenda_item=item,
                text=text.strip(),
                procedure=procedure,
                deadline=deadline,
                tabled_at=now,
                tabled_by=actor,
                seq=event.seq if event is not None else None,
            )
            if event is not None:
                event.publish(
                    kind=EventKind.MEETING_PROPOSAL_CIRCULATED,
                    state=meeting.chair_state_id,
                    subject=proposal.reference,
                    payload=proposal_read_model(proposal, with_positions=False),
                    actor=actor,
                )
    return proposal


def position_take(*, actor, proposal: Proposal, position: str, reason: str = "") -> Position:
    """A delegation states (or changes) its position. An objection carries a reason."""
    actor = require_exchange_reader(actor)
    reason = (reason or "").strip()
    if position == PositionKind.OBJECT and not reason:
        raise InvalidInput([FieldProblem("reason", _("an objection must give its reason"))])
    with transaction.atomic():
        meeting = _locked_meeting(proposal.meeting)
        proposal = _locked_proposal(proposal)
        now = timezone.now()
        present = actor.state_id in present_at(meeting, now) if actor.state_id else False
        require_position_taker(actor, proposal, present=present)
        if proposal.status == ProposalStatus.DECIDED:
            raise Conflict(
                _("%(reference)s has been decided; positions can no longer change.")
                % {"reference": proposal.reference}
            )
        if proposal.procedure == Procedure.CONSENSUS and meeting.status != MeetingStatus.OPEN:
            raise Conflict(_("%(reference)s is not open.") % {"reference": meeting.reference})
        if proposal.procedure == Procedure.SILENCE and now >= proposal.deadline:
            raise Conflict(
                _("The deadline of %(reference)s has passed.") % {"reference": proposal.reference}
            )
        return Position.objects.create(
            proposal=proposal,
            state_id=actor.state_id,
            position=position,
            reason=reason,
            at=now,
            user=actor,
        )


# ---- decisions -----------------------------------------------------------------------------------


def decision_call(*, actor, proposal: Proposal) -> Decision:
    """The Chair calls the decision: adopted when no state present at this moment objects.

    A silence procedure is called only at or after its deadline, and then decided as at the
    deadline. Calling twice is a conflict: a decision never changes.
    """
    actor = require_chair(actor, proposal.meeting)
    with transaction.atomic():
        meeting = _locked_meeting(proposal.meeting)
        proposal = _locked_proposal(proposal)
        if proposal.status == ProposalStatus.DECIDED:
            raise Conflict(
                _("%(reference)s has already been decided.") % {"reference": proposal.reference}
            )
        # The moment of the call decides who is present: it is taken under the sequence lock,
        # like every event's time (the lock order is meeting, proposal, sequence).
        with event_transaction() as event:
            if proposal.procedure == Procedure.SILENCE:
                if event.at < proposal.deadline:
                    raise Conflict(
                        _("The silence procedure of %(reference)s runs until %(rfc3339)s.")
                        % {"reference": proposal.reference, "rfc3339": rfc3339(proposal.deadline)}
                    )
                return _decide(event, proposal, at=proposal.deadline, actor=actor)
            if meeting.status != MeetingStatus.OPEN:
                raise Conflict(_("%(reference)s is not open.") % {"reference": meeting.reference})
            return _decide(
                event, proposal, at=event.at, actor=actor, present=present_at(meeting, event.at)
            )


def silence_procedures_conclude(now: datetime | None = None) -> list[Decision]:
    """Decide every silence procedure whose deadline has come (`hcoc meetings conclude`)."""
    now = now or timezone.now()
    decided = []
    due = Proposal.objects.filter(
        procedure=Procedure.SILENCE, status=ProposalStatus.OPEN, deadline__lte=now
    ).order_by("deadline", "id")
    for p in due:
        with transaction.atomic():
            _locked_meeting(p.meeting)
            p = _locked_proposal(p)
            if p.status == ProposalStatus.OPEN:  # the Chair may have called it meanwhile
                with event_transaction() as event:
                    decided.append(_decide(event, p, at=p.deadline, actor=None))
    return decided


def _decide(
    event: EventDraft,
    proposal: Proposal,
    *,
    at: datetime,
    actor,
    present: set[str] | None = None,
) -> Decision:
    """Record the outcome, the roster and every position, and announce it in the feed as
    `event`, whose time is the moment of the call; `at` is the moment that decides (the call, or
    a silence procedure's deadline).

    For a silence procedure every subscribing state counts (present is None): whoever objected
    by the deadline, and did not withdraw it, blocks it.
    """
    seq, called_at = event.seq, event.at
    meeting = proposal.meeting
    rows = list(proposal.positions.select_related("user").order_by("at", "id"))
    rows = [r for r in rows if r.at <= at]
    counting = present if present is not None else {r.state_id for r in rows}
    outcome, counted = consensus.outcome(
        counting, [(r.state_id, r.position, r.at) for r in rows], at
    )
    last_row = {r.state_id: r.id for r in rows}  # rows are in order: the last one wins
    number = number_next(meeting.decisions.all(), "number")  # the meeting's row lock is held
    reference = f"{meeting.reference}-D{number}"
    record = {
        "reference": reference,
        "meeting": meeting.number,
        "proposal": proposal.reference,
        "agenda_item": {"number": proposal.agenda_item.number, "title": proposal.agenda_item.title},
        "text": proposal.text,
        "procedure": proposal.procedure,
        "deadline": rfc3339(proposal.deadline),
        "outcome": outcome,
        "present": sorted(present) if present is not None else [],
        # States take positions; which diplomat typed them stays in the database (and on the
        # proposal's page), not in the feed: the feed and the log are permanent and go to every
        # subscribing state, and people's names do not belong there.
        "positions": [
            {k: v for k, v in position_row(r).items() if k != "user"}
            | {"counted": r.state_id in counted and last_row[r.state_id] == r.id}
            for r in rows
        ],
        "called_at": rfc3339(called_at),
        "called_by": meeting.chair_state_id,
        "seq": seq,
    }
    decision = Decision.objects.create(
        proposal=proposal,
        meeting=meeting,
        number=number,
        outcome=outcome,
        called_at=called_at,
        called_by=actor,
        record=canonical_dumps(record),
        seq=seq,
    )
    proposal.status = ProposalStatus.DECIDED
    proposal.save(update_fields=["status"])
    event.publish(
        kind=EventKind.MEETING_DECISION,
        state=meeting.chair_state_id,
        subject=reference,
        payload=record,
        actor=actor,
    )
    return decision
