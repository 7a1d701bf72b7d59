"""Invitation pages: list, detail (site on a map, replies, confirmations), issue and reply forms.

Thin: reads through the selectors, writes through the services; the forms are judged by the
API's own schemas (ui.forms.validate), so people see the API's messages on the right field.
"""

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hcoc.accounts.access import may_act_as_icc
from hcoc.lib.errors import Conflict, InvalidInput, PermissionDenied
from hcoc.lib.numbers import positive_int
from hcoc.observers.access import may_reply, require_inviter
from hcoc.sites.selectors import site_points
from hcoc.states.access import require_submitter
from hcoc.states.models import HcocStatus
from hcoc.states.names import name_of
from hcoc.states.selectors import state_list
from hcoc.ui.forms import call_with_problems, validate
from hcoc.ui.pages import exchange_page, refusing

from .forms import InvitationForm, ReplyForm
from .schemas import InvitationIn, ReplyIn
from .selectors import (
    invitation_get_for,
    invitation_list_for,
    invitation_page_for,
    invitation_visible_or_404,
)
from .services import (
    invitation_confirm,
    invitation_issue,
    invitation_reply,
    invitation_withdraw,
    replies_close_at,
)


def _subscribing() -> list[tuple[str, str]]:
    return [
        (s["iso3"], f"{s['name']} ({s['iso3']})")
        for s in sorted(state_list(), key=lambda s: s["name"])
        if s["status"] == HcocStatus.SUBSCRIBING
    ]


@exchange_page
@refusing
def invitation_list(request):
    year = request.GET.get("year", "")
    page = invitation_list_for(
        actor=request.user, year=positive_int(year, maximum=9999), limit=1000
    )
    items = sorted(page["items"], key=lambda i: (i["opens"], i["reference"]), reverse=True)
    return render(
        request,
        "observers/list.html",
        {"items": items, "year": year},
    )


@exchange_page
@refusing
def invitation_new(request):
    require_submitter(request.user)
    icc = may_act_as_icc(request.user)
    states = _subscribing()
    form = InvitationForm(
        request.POST or None,
        state=None if icc else request.user.state_id,
        states=states,
        behalf_choices=states if icc else None,
    )
    status = 200
    if request.method == "POST":
        data, problems = validate(InvitationIn, form.to_body())
        if data is not None:
            inv, problems = call_with_problems(invitation_issue, actor=request.user, data=data)
            if inv is not None:
                messages.success(
                    request,
                    _("Invitation %(ref)s issued; it is in the feed.") % {"ref": inv.reference},
                )
                return redirect("observers:detail", reference=inv.reference)
        form.is_valid()
        form.add_problems(problems)
        status = 422
    return render(request, "observers/form.html", {"form": form}, status=status)


@exchange_page
@refusing
def invitation_detail(request, reference: str):
    page = invitation_page_for(actor=request.user, reference=reference)
    inv = page["inv"]
    replies_taken = timezone.now() <= replies_close_at(date.fromisoformat(inv["reply_by"]))
    point = site_points({inv["site_id"]}).get(inv["site_id"])
    return render(
        request,
        "observers/detail.html",
        {
            **page,
            "may_reply": page["may_reply"] and replies_taken,
            "current": [r for r in inv["replies"] if r["superseded_at"] is None],
            "earlier": [r for r in inv["replies"] if r["superseded_at"] is not None],
            "map_data": {
                "items": [{"label": inv["site_name"] or inv["site_id"], "point": point}]
                if point
                else []
            },
        },
    )


@exchange_page
@refusing
def invitation_reply_page(request, reference: str):
    user = request.user
    require_submitter(user)
    inv = invitation_get_for(actor=user, reference=reference)
    if not may_reply(user, inv["state"]):
        raise PermissionDenied(_("The inviting state cannot reply to its own invitation."))
    icc = may_act_as_icc(user)
    own = next((r for r in inv["replies"] if r["state"] == user.state_id), None)
    initial = {"answer": own["answer"], "observers": "\n".join(own["observers"])} if own else None
    form = ReplyForm(
        request.POST or None,
        behalf_choices=[c for c in _subscribing() if c[0] != inv["state"]] if icc else None,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        data, problems = validate(ReplyIn, form.to_body())
        if data is not None:
            try:
                _reply, problems = call_with_problems(
                    invitation_reply, actor=user, reference=reference, data=data
                )
            except Conflict as e:
                problems = {"__all__": [e.detail]}
            if not problems:
                messages.success(
                    request, _("Your reply to %(ref)s is recorded.") % {"ref": reference}
                )
                return redirect("observers:detail", reference=reference)
        form.is_valid()
        form.add_problems(problems)
        status = 422
    return render(
        request, "observers/reply.html", {"form": form, "inv": inv, "own": own}, status=status
    )


def _inviter_action(request, reference: str, action) -> object:
    """Confirm or withdraw: only the inviting state's submitters (or the ICC); the outcome as a
    message on the invitation's page (the views are `refusing`: a refusal is the 403/404 page)."""
    inv = invitation_visible_or_404(request.user, reference)
    require_inviter(request.user, inv.state_id)
    try:
        text = action(inv)
    except (InvalidInput, Conflict) as e:
        messages.error(request, "; ".join(p.message for p in e.errors) or e.detail)
    else:
        messages.success(request, text)
    return redirect("observers:detail", reference=reference)


@require_POST
@exchange_page
@refusing
def invitation_confirm_page(request, reference: str):
    state = (request.POST.get("state") or "").strip().upper()

    def confirm(inv):
        invitation_confirm(actor=request.user, reference=reference, state_iso3=state)
        return _("The observers of %(state)s are confirmed.") % {"state": name_of(state)}

    return _inviter_action(request, reference, confirm)


@require_POST
@exchange_page
@refusing
def invitation_withdraw_page(request, reference: str):
    def withdraw(inv):
        invitation_withdraw(
            actor=request.user, reference=reference, reason=request.POST.get("reason", "")[:2000]
        )
        return _("Invitation %(ref)s withdrawn.") % {"ref": reference}

    return _inviter_action(request, reference, withdraw)
