"""/notifications/<reference>: the notification, its versions and acknowledgements; cancel and
report a launch, after its review (amending is the PLN form, views/submit.py)."""

import json

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hcoc.exchange.selectors import (
    acknowledgement_status_for,
    notification_items_unacknowledged_for,
)
from hcoc.ledger.selectors import log_status_for_seq
from hcoc.lib.errors import Conflict, InvalidInput, PermissionDenied
from hcoc.lib.timeutil import parse_rfc3339
from hcoc.states.access import may_act_for
from hcoc.ui.forms import form_problems, validate
from hcoc.ui.pages import exchange_page, refusing
from hcoc.ui.review import (
    ReviewUsed,
    payload_text,
    review_read_or_back,
    review_send,
    review_token,
)

from .. import forms
from ..history import history
from ..places import concerns, notam_for, places
from ..rules import launch_report_window_check
from ..schemas import CancellationIn, LaunchReportIn
from ..selectors import notification_get_for, notification_versions_for
from ..services import notification_cancel, notification_report_launch
from .common import (
    is_illustrative,
    map_data,
    summary,
)


@exchange_page
@refusing
def detail(request, reference: str):
    return _page(request, reference)


@require_POST
@exchange_page
@refusing
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
@refusing
def report(request, reference: str):
    """The launch report, as every other submission through the pages: the form -> its review
    (exactly what every state will receive, nothing sent) -> "send" sends it, "edit" goes back
    to the form with it. The review carries the API body it shows, with the server's token over
    it (ui.review); sending validates it again as the API would, so nothing but the reviewed,
    valid report is sent, once."""
    action = request.POST.get("action", "review")
    if action in ("send", "edit"):
        return _reviewed_report(request, reference, action)
    model, problems = _launch_report(request.POST)
    if model is None:
        return _page(
            request,
            reference,
            report={"values": request.POST, "problems": _general(problems)},
        )
    # Asked before the review, as the service will: only the state's own, reportable
    # notification gets a review page (another's gets the services' refusal).
    n = notification_get_for(actor=request.user, reference=reference)
    if not may_act_for(request.user, n["state"]):
        raise PermissionDenied(_("A state can only act on its own notifications."))
    if n["status"] not in ("notified", "unreported"):
        messages.error(
            request,
            _("%(ref)s is %(status)s: there is no launch left to report.")
            % {"ref": reference, "status": n["status"]},
        )
        return redirect("notifications:detail", reference=reference)
    opens, closes = _window(n)
    try:
        # What the service checks against the notification's window, checked before the review
        # too: a review never promises what sending would refuse.
        launch_report_window_check(model.launched_at, opens, closes)
    except InvalidInput as e:
        problems = form_problems(e, forms.LAUNCH_REPORT_LABELS)
        return _page(
            request, reference, report={"values": request.POST, "problems": _general(problems)}
        )
    body = model.model_dump(mode="json", exclude_none=True)
    payload = payload_text(body)
    token = review_token(request.user, purpose=_report_review(reference), payload=payload)
    return render(
        request,
        "notifications/report_review.html",
        {
            "n": n,
            "report": body,
            "outcome": dict(forms.OUTCOMES).get(body["outcome"], body["outcome"]),
            "outside_window": _outside_window(n, model.launched_at),
            "content_json": json.dumps(body, indent=2, ensure_ascii=False),
            "review": {"payload": payload, "token": token},
        },
    )


def _report_review(reference: str) -> str:
    """A launch report's review is confirmed for its own notification only."""
    return f"report:{reference}"


def _reviewed_report(request, reference: str, action: str):
    """Back to the form with the reviewed report, or send it: as reviewed, and once."""
    reviewed = review_read_or_back(
        request,
        purpose=_report_review(reference),
        changed=_(
            "The reviewed launch report was changed after the review, so nothing was sent. "
            "Please fill in the form and review it again."
        ),
        back=reverse("notifications:detail", kwargs={"reference": reference}),
    )
    if isinstance(reviewed, HttpResponseBase):
        return reviewed
    body = reviewed.payload
    if action == "edit":
        return _page(request, reference, report={"values": _values(body), "problems": {}})
    if reviewed.used or reviewed.expired:
        # A second click, a reload, or an old tab: the report is never sent twice, and an old
        # review is filled in again (the window's rules may have changed since).
        messages.error(request, _("This confirmation was already used or has expired."))
        if reviewed.used:
            return redirect("notifications:detail", reference=reference)
        return _page(request, reference, report={"values": _values(body), "problems": {}})
    model, problems = validate(LaunchReportIn, body, forms.LAUNCH_REPORT_LABELS)
    if model is None:
        return _page(
            request, reference, report={"values": _values(body), "problems": _general(problems)}
        )
    return _act(
        request,
        reference,
        form="report",
        model_and_problems=(model, problems),
        labels=forms.LAUNCH_REPORT_LABELS,
        send=lambda m: review_send(
            request.user,
            reviewed,
            lambda: notification_report_launch(actor=request.user, reference=reference, data=m),
        ),
        done=_("Launch report sent to all subscribing states."),
        values=_values(body),
    )


def _values(body: dict) -> dict:
    """The form's fields from an API body (back from the review to the form)."""
    return {k: str(body.get(k) or "") for k in ("launched_at", "outcome", "remarks")}


def _window(n: dict):
    """(opens, closes) of the notification's window, or (None, None) when it has none."""
    window = n.get("window") or {}
    if not window.get("opens") or not window.get("closes"):
        return None, None
    return parse_rfc3339(window["opens"]), parse_rfc3339(window["closes"])


def _outside_window(n: dict, launched_at) -> bool:
    opens, closes = _window(n)
    return opens is not None and not opens <= launched_at <= closes


def _launch_report(post):
    """The launch report's model, or its problems: the schema's, and the form's own for a time
    not in ISO 8601 (in place of the schema's "is required" for it)."""
    body, local = forms.launch_report_body(post)
    model, problems = validate(LaunchReportIn, body, forms.LAUNCH_REPORT_LABELS)
    if local:
        return None, {**problems, **local}
    return model, problems


def _act(
    request, reference: str, *, form: str, model_and_problems, labels, send, done: str, values=None
):
    """Send a validated action through its service; show the form again with its problems
    (and `values`, the fields as entered: by default the POST's)."""
    model, problems = model_and_problems
    if model is not None:
        try:
            send(model)
        except InvalidInput as e:
            problems = form_problems(e, labels)
        except ReviewUsed:
            messages.error(request, _("This confirmation was already used or has expired."))
            return redirect("notifications:detail", reference=reference)
        except Conflict as e:
            messages.error(request, e.detail)
            return redirect("notifications:detail", reference=reference)
        else:
            messages.success(request, done)
            return redirect("notifications:detail", reference=reference)
    return _page(
        request,
        reference,
        **{form: {"values": values or request.POST, "problems": _general(problems)}},
    )


def _general(problems: dict) -> dict:
    """Problems of no one field (`__all__`) under a name templates can read."""
    return {("general" if k == "__all__" else k): v for k, v in problems.items()}


def _page(request, reference: str, *, cancel=None, report=None):
    n = notification_get_for(actor=request.user, reference=reference)
    may_act = may_act_for(request.user, n["state"])
    acks = acknowledgement_status_for(actor=request.user, seq=n["seq"])
    pending = (
        notification_items_unacknowledged_for(actor=request.user, reference=reference)
        if request.user.state_id
        else []
    )
    if (cancel or report) and not may_act:
        # Not theirs: refuse as the services would, before showing any form back.
        raise PermissionDenied(_("A state can only act on its own notifications."))
    return render(
        request,
        "notifications/detail.html",
        {
            "n": n,
            "summary": summary(n, html=True),
            "illustrative": is_illustrative(n),
            "map_data": map_data([n], link=False),
            "places": places(n, html=True),
            "affected": n["affected_states"],
            "in_direction": n.get("in_planned_direction") or [],
            "flags": n["flags"],
            "concerns": concerns(n, request.user.state_id),
            "notam": notam_for(n),
            "versions": [
                {**v, "facts": summary(v["content"], html=True)}
                for v in history(
                    notification_versions_for(actor=request.user, reference=reference), html=True
                )
            ],
            "acks": acks,
            "log": log_status_for_seq(actor=request.user, seq=n["seq"]),
            # The viewer's state still owes receipt of this version.
            "may_acknowledge": request.user.state_id in acks["not_acknowledged"],
            # ... and of these items of the notification (earlier versions too): offered at
            # once when that is more than this version alone.
            "pending": pending if pending != [n["seq"]] else [],
            "may_amend": may_act and n["status"] == "notified",
            "may_cancel": may_act and n["status"] == "notified",
            "may_report": may_act and n["status"] in ("notified", "unreported"),
            "outcomes": forms.OUTCOMES,
            "cancel": cancel or {"values": {}, "problems": {}},
            "report": report or {"values": {}, "problems": {}},
        },
        status=422 if cancel or report else 200,
    )
