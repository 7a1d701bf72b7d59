"""/notifications/<reference>: the notification, its versions and acknowledgements; cancel and
report a launch (amending is the PLN form, views/submit.py)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hcoc.exchange.selectors import acknowledgement_status_for
from hcoc.ledger.selectors import log_status_for_seq
from hcoc.lib.errors import Conflict, InvalidInput, PermissionDenied
from hcoc.ui.forms import form_problems, validate
from hcoc.ui.pages import exchange_page

from .. import forms
from ..history import history
from ..places import concerns, notam_for, places
from ..schemas import CancellationIn, LaunchReportIn
from ..selectors import notification_get_for, notification_versions_for
from ..services import notification_cancel, notification_report_launch
from .common import (
    domain_errors,
    is_illustrative,
    map_data,
    may_act_for,
    summary,
)


@exchange_page
@domain_errors
def detail(request, reference: str):
    return _page(request, reference)


@require_POST
@exchange_page
@domain_errors
def cancel(request, reference: str):
    return _act(
        request,
        reference,
        form="cancel",
        model_and_problems=validate(
            CancellationIn, forms.cancellation_body(request.POST), forms.CANCELLATION_LABELS
        ),
        labels=forms.CANCELLATION_LABELS,
        send=lambda m: notification_cancel(
            actor=request.user, reference=reference, reason=m.reason
        ),
        done=_("Cancellation sent to all subscribing states."),
    )


@require_POST
@exchange_page
@domain_errors
def report(request, reference: str):
    return _act(
        request,
        reference,
        form="report",
        model_and_problems=_launch_report(request.POST),
        labels=forms.LAUNCH_REPORT_LABELS,
        send=lambda m: notification_report_launch(actor=request.user, reference=reference, data=m),
        done=_("Launch report sent to all subscribing states."),
    )


def _launch_report(post):
    """The launch report's model, or its problems: the schema's, and the form's own for a time
    not in ISO 8601 (in place of the schema's "is required" for it)."""
    body, local = forms.launch_report_body(post)
    model, problems = validate(LaunchReportIn, body, forms.LAUNCH_REPORT_LABELS)
    if local:
        return None, {**problems, **local}
    return model, problems


def _act(request, reference: str, *, form: str, model_and_problems, labels, send, done: str):
    """Send a validated action through its service; show the form again with its problems."""
    model, problems = model_and_problems
    if model is not None:
        try:
            send(model)
        except InvalidInput as e:
            problems = form_problems(e, labels)
        except Conflict as e:
            messages.error(request, e.detail)
            return redirect("notifications:detail", reference=reference)
        else:
            messages.success(request, done)
            return redirect("notifications:detail", reference=reference)
    return _page(
        request, reference, **{form: {"values": request.POST, "problems": _general(problems)}}
    )


def _general(problems: dict) -> dict:
    """Problems of no one field (`__all__`) under a name templates can read."""
    return {("general" if k == "__all__" else k): v for k, v in problems.items()}


def _page(request, reference: str, *, cancel=None, report=None):
    n = notification_get_for(actor=request.user, reference=reference)
    may_act = may_act_for(request.user, n["state"])
    acks = acknowledgement_status_for(actor=request.user, seq=n["seq"])
    if (cancel or report) and not may_act:
        # Not theirs: refuse as the services would, before showing any form back.
        raise PermissionDenied("A state can only act on its own notifications.")
    return render(
        request,
        "notifications/detail.html",
        {
            "n": n,
            "summary": summary(n),
            "illustrative": is_illustrative(n),
            "map_data": map_data([n], link=False),
            "places": places(n),
            "affected": n["affected_states"],
            "in_direction": n.get("in_planned_direction") or [],
            "flags": n["flags"],
            "concerns": concerns(n, request.user.state_id),
            "notam": notam_for(n),
            "versions": [
                {**v, "facts": summary(v["content"])}
                for v in history(notification_versions_for(actor=request.user, reference=reference))
            ],
            "acks": acks,
            "log": log_status_for_seq(actor=request.user, seq=n["seq"]),
            # The viewer's state still owes receipt of this version.
            "may_acknowledge": request.user.state_id in acks["not_acknowledged"],
            "may_amend": may_act and n["status"] == "notified",
            "may_cancel": may_act and n["status"] == "notified",
            "may_report": may_act and n["status"] in ("notified", "unreported"),
            "outcomes": forms.OUTCOMES,
            "cancel": cancel or {"values": {}, "problems": {}},
            "report": report or {"values": {}, "problems": {}},
        },
        status=422 if cancel or report else 200,
    )
