"""The exchange's pages: a state's inbox and its acknowledgements; for the ICC, who has and has
not acknowledged an item."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hcoc.accounts.views import safe_next
from hcoc.lib.errors import DomainError
from hcoc.lib.numbers import positive_int
from hcoc.ui.pages import exchange_page, icc_page, refused

from .selectors import acknowledgement_status_for, inbox_recent_for
from .services import acknowledgements_record


@exchange_page
def inbox(request):
    if request.user.state_id is None:
        messages.info(
            request,
            _("The ICC has no inbox of its own: see who has acknowledged what in the ICC console."),
        )
        return redirect("project:dashboard")
    before = request.GET.get("before")
    mine = request.GET.get("concerns") == "mine"
    page = inbox_recent_for(
        actor=request.user, before=positive_int(before), limit=50, concerning_me=mine
    )
    return render(request, "exchange/inbox.html", {"page": page, "concerns_mine": mine})


@require_POST
@exchange_page
def acknowledge(request):
    """Acknowledge the ticked items, or every item up to one (`up_to`); then back to the page
    named in `next`, if it is one of this site's."""
    back = safe_next(request, request.POST.get("next"), reverse("exchange:inbox"))
    try:
        if request.POST.get("up_to"):
            up_to = positive_int(request.POST["up_to"])
            if up_to is None:
                messages.error(request, _("Choose an item of the list to acknowledge up to."))
                return redirect("exchange:inbox")
            result = acknowledgements_record(actor=request.user, up_to=up_to)
        else:
            seqs = [n for s in request.POST.getlist("seq") if (n := positive_int(s)) is not None]
            if not seqs:
                messages.error(request, _("Tick at least one item to acknowledge."))
                return redirect(back)
            result = acknowledgements_record(actor=request.user, seqs=seqs)
    except (DomainError, ValueError) as e:
        messages.error(request, getattr(e, "detail", str(e)))
    else:
        messages.info(request, _("%(n)d item(s) acknowledged.") % {"n": result["acknowledged"]})
    return redirect(back)


@icc_page
def item_status(request, seq: int):
    try:
        status = acknowledgement_status_for(actor=request.user, seq=seq)
    except DomainError as e:
        return refused(request, e)
    return render(request, "exchange/icc_item.html", {"status": status})
