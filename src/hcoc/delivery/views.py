"""Live delivery's pages: a state's webhook endpoints and e-mail alerts (shown on /account by the
`delivery` template tags), an endpoint's delivery log, and the ICC's chase button (on
/icc/items/<seq>). Thin: the same writes (webhooks, alerts, chases) and selectors as the API."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hcoc.lib.errors import Conflict, DomainError, InvalidInput
from hcoc.lib.numbers import LARGEST_STORED, whole_number
from hcoc.ui.forms import label_for
from hcoc.ui.pages import exchange_page, icc_page, refusing

from . import selectors, webhooks
from .access import may_register, may_remove
from .alerts import KIND_LABELS, alert_modes_set
from .chases import chase_item

ACCOUNT = "/account#webhooks"


@require_POST
@exchange_page
def webhook_new(request):
    try:
        endpoint, secret = webhooks.endpoint_register(
            actor=request.user, url=(request.POST.get("url") or "").strip()
        )
    except InvalidInput as e:
        for p in e.errors:
            messages.error(request, p.message)
    except DomainError as e:
        messages.error(request, e.detail)
    else:
        # Shown once, on the next view of the account page, then gone from the session.
        request.session["new_webhook_secret"] = {"id": endpoint.pk, "secret": secret}
    return redirect(ACCOUNT)


@never_cache
@exchange_page
@refusing
def webhook_detail(request, endpoint_id: int):
    log = selectors.deliveries_for(actor=request.user, endpoint_id=endpoint_id, limit=200)
    context = {
        "log": log,
        "may_replay": may_register(request.user),
        "may_remove": may_remove(request.user),
    }
    return render(request, "delivery/webhook.html", context)


@require_POST
@exchange_page
@refusing
def webhook_delete(request, endpoint_id: int):
    webhooks.endpoint_delete(actor=request.user, endpoint_id=endpoint_id)
    messages.info(request, _("Webhook endpoint deleted."))
    return redirect(ACCOUNT)


@require_POST
@exchange_page
@refusing
def webhook_replay(request, endpoint_id: int):
    after = whole_number(request.POST.get("after") or "0")
    if after is None or after > LARGEST_STORED:
        messages.error(request, _("Give the seq after which to deliver again (0: from the start)."))
        return redirect("delivery:webhook", endpoint_id=endpoint_id)
    try:
        webhooks.endpoint_replay(actor=request.user, endpoint_id=endpoint_id, after=after)
    except InvalidInput as e:
        for p in e.errors:
            messages.error(request, p.message)
    else:
        messages.info(request, _("Every item after #%(n)d will be delivered again.") % {"n": after})
    return redirect("delivery:webhook", endpoint_id=endpoint_id)


@require_POST
@exchange_page
def alerts(request):
    """The user's own e-mail choices, one per kind of item (a form of the account page)."""
    current = selectors.alert_modes_for(user=request.user)
    chosen = {kind: request.POST.get(f"mode-{kind}", mode) for kind, mode in current.items()}
    try:
        alert_modes_set(user=request.user, modes=chosen)
    except InvalidInput as e:
        # Each kind named as the page names it ("Launch report"), never its code.
        labels = {kind: str(label) for kind, label in KIND_LABELS.items()}
        for p in e.errors:
            label = label_for(p.field, labels)
            messages.error(
                request, _("%(label)s: %(value)s") % {"label": label, "value": p.message}
            )
    else:
        messages.info(request, _("Your e-mail alerts are saved."))
    return redirect("/account#alerts")


@require_POST
@icc_page
@refusing
def chase(request, seq: int):
    try:
        chased = chase_item(actor=request.user, seq=seq)
    except Conflict as e:
        messages.error(request, e.detail)
        return redirect("exchange:icc_item", seq=seq)
    if chased:
        messages.info(
            request,
            _("Chased %(states)s by e-mail.") % {"states": ", ".join(sorted(chased))},
        )
    else:
        messages.info(request, _("Nobody left to chase today for this item."))
    return redirect("exchange:icc_item", seq=seq)
