"""Regular Meeting pages: the list (and the ICC's scheduling form), the meeting room (agenda,
documents, roster, proposals with positions, the Chair's controls), decisions.

Thin: reads through the selectors, writes through the services, input judged by the API's own
schemas (ui.forms.validate) so people see the API's messages. Every form works without JS; htmx
only refreshes the roster and the positions while the page is open.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from hcoc.lib.errors import Conflict, DomainError, FieldProblem, InvalidInput
from hcoc.lib.numbers import whole_number
from hcoc.meetings.access import (
    may_chair,
    may_schedule,
    require_chair,
    require_chair_or_icc,
    require_delegate,
    require_position_taker,
)
from hcoc.states.models import HcocStatus, State
from hcoc.ui.forms import call_with_problems, form_problems, utc_text, validate
from hcoc.ui.pages import exchange_page, refused, refusing

from . import selectors, services
from .api import attachment
from .models import PositionKind
from .readmodel import meeting_read_model
from .schemas import AgendaItemIn, AttendanceIn, MeetingIn, PositionIn, ProposalIn


def _subscribing() -> list[str]:
    return list(State.objects.filter(status=HcocStatus.SUBSCRIBING).values_list("iso3", flat=True))


# The forms' labels by field, for problems listed above a form (hcoc.ui.forms.label_for).
LABELS = {
    "number": gettext_lazy("Number"),
    "opens_on": gettext_lazy("Opens on"),
    "closes_on": gettext_lazy("Closes on"),
    "place": gettext_lazy("Place"),
    "chair_state": gettext_lazy("Chair state"),
    "title": gettext_lazy("New agenda item"),
    "action": gettext_lazy("Attendance"),
    "state": gettext_lazy("Record attendance of"),
    "agenda_item": gettext_lazy("Agenda item"),
    "text": gettext_lazy("Text"),
    "procedure": gettext_lazy("Procedure"),
    "deadline": gettext_lazy("Deadline (UTC, silence procedure only)"),
    "position": gettext_lazy("Position"),
    "reason": gettext_lazy("Reason"),
}


@exchange_page
@refusing
def meeting_list(request, problems=None, values=None):
    page = selectors.meeting_list_page_for(actor=request.user)
    return render(
        request,
        "meetings/list.html",
        {
            **page,
            "states": _subscribing(),
            "problems": problems or {},
            "problem_labels": LABELS,
            "values": values or {},
        },
    )


@require_POST
@exchange_page
@refusing
def meeting_create(request):
    if not may_schedule(request.user):
        return refused(request, DomainError(_("Only the ICC schedules Regular Meetings.")))
    values = {k: request.POST.get(k, "").strip() for k in MeetingIn.model_fields}
    body = dict(values)
    if (number := whole_number(body["number"])) is not None:  # else the schema refuses the text
        body["number"] = number
    data, problems = validate(MeetingIn, body, LABELS)
    if data is not None:
        m, problems = call_with_problems(
            services.meeting_create, LABELS, actor=request.user, **data.model_dump()
        )
        if m is not None:
            messages.success(request, _("Regular Meeting %(n)d scheduled.") % {"n": m.number})
            return redirect("meetings:detail", number=m.number)
    return meeting_list(request, problems=problems, values=values)


@exchange_page
@refusing
def meeting_detail(request, number: int, problems=None, form=None):
    room = selectors.meeting_room_for(actor=request.user, number=number)
    return render(
        request,
        "meetings/detail.html",
        {
            **room,
            "states": _subscribing(),
            "positions": PositionKind.choices,
            "problems": problems or {},
            "problem_labels": LABELS,
            "form": form or "",
            "values": request.POST if problems else {},
        },
    )


def _act(request, number: int, form: str, action, success: str):
    """Run a service for a form of the meeting page: back to the page with a message, or the page
    again with the problems on that form; a conflict (the meeting's state forbids it) is a
    message; a refusal is the 403/404 page (the views are `refusing`)."""
    try:
        action()
    except (InvalidInput, ValidationError) as e:  # the schema's problems, or the services'
        return meeting_detail(request, number, problems=form_problems(e, LABELS), form=form)
    except Conflict as e:
        messages.error(request, e.detail)
    else:
        messages.success(request, success)
    return redirect(reverse("meetings:detail", kwargs={"number": number}) + f"#{form}")


def _meeting(request, number):
    return selectors.meeting_for(actor=request.user, number=number)


@require_POST
@exchange_page
@refusing
def meeting_open(request, number: int):
    return _act(
        request,
        number,
        "chair",
        lambda: services.meeting_open(actor=request.user, meeting=_meeting(request, number)),
        _("The meeting is open."),
    )


@require_POST
@exchange_page
@refusing
def meeting_close(request, number: int):
    return _act(
        request,
        number,
        "chair",
        lambda: services.meeting_close(actor=request.user, meeting=_meeting(request, number)),
        _("The meeting is closed."),
    )


@require_POST
@exchange_page
@refusing
def agenda_add(request, number: int):
    def add():
        meeting = _meeting(request, number)
        require_chair(request.user, meeting)  # before the input is judged, as at the API's door
        data = AgendaItemIn.model_validate({"title": request.POST.get("title", "")})
        services.agenda_item_add(actor=request.user, meeting=meeting, title=data.title)

    return _act(request, number, "agenda", add, _("Agenda item added."))


@require_POST
@exchange_page
@refusing
def attendance(request, number: int):
    def record():
        meeting = _meeting(request, number)
        if not may_chair(request.user, meeting):  # before the input is judged
            require_delegate(request.user)
        body = {"action": request.POST.get("action", "")}
        if request.POST.get("state"):
            body["state"] = request.POST["state"]
        data = AttendanceIn.model_validate(body)
        services.attendance_record(
            actor=request.user, meeting=meeting, action=data.action, state=data.state
        )

    return _act(request, number, "roster", record, _("Attendance recorded."))


@require_POST
@exchange_page
@refusing
def proposal_table(request, number: int):
    def table():
        meeting = _meeting(request, number)
        require_chair(request.user, meeting)  # before the input is judged
        # ISO 8601 in UTC as people type it (2026-12-10T06:00Z, 2026-12-10 06:00, ...).
        deadline, problem = utc_text(request.POST.get("deadline", ""))
        if problem:
            raise InvalidInput([FieldProblem("deadline", problem)])
        item = request.POST.get("agenda_item", "")
        body = {
            "agenda_item": n if (n := whole_number(item)) is not None else item,
            "text": request.POST.get("text", ""),
            "procedure": request.POST.get("procedure", "consensus"),
            "deadline": deadline or None,
        }
        data = ProposalIn.model_validate(body)
        services.proposal_table(actor=request.user, meeting=meeting, **data.model_dump())

    return _act(request, number, "table", table, _("Proposal tabled."))


@require_POST
@exchange_page
@refusing
def document_upload(request, number: int):
    def upload():
        meeting = _meeting(request, number)
        f = request.FILES.get("file")
        if f is None:
            require_chair_or_icc(request.user, meeting)
            raise InvalidInput([FieldProblem("file", _("choose a file"))])
        services.document_add(actor=request.user, meeting=meeting, name=f.name, data=f.read())

    return _act(request, number, "documents", upload, _("Document attached."))


@exchange_page
@refusing
def document_download(request, number: int, document_id: int):
    return attachment(
        selectors.document_for(actor=request.user, number=number, document_id=document_id)
    )


@exchange_page
@refusing
def proposal_page(request, reference: str):
    """A proposal's place is its meeting's page (feed items of circulated proposals link here)."""
    p = selectors.proposal_for(actor=request.user, reference=reference)
    return redirect(
        reverse("meetings:detail", kwargs={"number": p.meeting.number}) + f"#{p.reference}"
    )


@require_POST
@exchange_page
@refusing
def position(request, reference: str):
    p = selectors.proposal_for(actor=request.user, reference=reference)

    def take():
        present = request.user.state_id in services.present_at(p.meeting, timezone.now())
        require_position_taker(request.user, p, present=present)  # before the input is judged
        data = PositionIn.model_validate(
            {
                "position": request.POST.get("position", ""),
                "reason": request.POST.get("reason", ""),
            },
        )
        services.position_take(
            actor=request.user, proposal=p, position=data.position, reason=data.reason
        )

    return _act(request, p.meeting.number, p.reference, take, _("Position recorded."))


@require_POST
@exchange_page
@refusing
def decision_call(request, reference: str):
    p = selectors.proposal_for(actor=request.user, reference=reference)
    try:
        d = services.decision_call(actor=request.user, proposal=p)
    except Conflict as e:
        messages.error(request, e.detail)
        return redirect(
            reverse("meetings:detail", kwargs={"number": p.meeting.number}) + f"#{p.reference}"
        )
    label = _("adopted") if d.outcome == "adopted" else _("not adopted")
    messages.success(
        request, _("Decision %(ref)s: %(outcome)s.") % {"ref": d.reference, "outcome": label}
    )
    return redirect("meetings:decision", reference=d.reference)


@exchange_page
@refusing
def decision_list(request, number: int):
    meeting = selectors.meeting_for(actor=request.user, number=number)
    decisions = selectors.decision_list_for(actor=request.user, number=number)
    return render(
        request,
        "meetings/decisions.html",
        {"m": meeting_read_model(meeting), "decisions": decisions},
    )


@exchange_page
@refusing
def decision_detail(request, reference: str):
    d = selectors.decision_get_for(actor=request.user, reference=reference)
    return render(request, "meetings/decision.html", {"d": d})
