"""Live delivery's parts of pages that other apps own: the account page's webhooks and e-mail
alerts (`{% delivery_account %}`), and the chase panel of the ICC's item page
(`{% chase_panel seq %}`). The apps below load them by name and never import this app
(docs/decisions/0005)."""

from django import template
from django.conf import settings
from django.utils import timezone

from hcoc.exchange.models import Event
from hcoc.states.access import may_read_exchange

from ..access import may_register, may_remove
from ..alerts import KIND_LABELS
from ..chases import chase_due_at
from ..models import AlertMode
from ..selectors import alert_modes_for, chases_of, endpoint_list_for

register = template.Library()


@register.inclusion_tag("delivery/_account.html", takes_context=True)
def delivery_account(context):
    request = context["request"]
    user = request.user
    if not may_read_exchange(user):
        return {"shown": False}
    modes = alert_modes_for(user=user)
    return {
        "shown": True,
        "csrf_token": context.get("csrf_token"),
        "endpoints": endpoint_list_for(actor=user, limit=1000)["items"],
        "new_secret": request.session.pop("new_webhook_secret", None),
        "may_register": may_register(user),
        "may_remove": may_remove(user),
        "is_icc": user.state_id is None,
        "has_email": bool(user.email),
        "alerts": [(kind, KIND_LABELS.get(kind, kind), mode) for kind, mode in modes.items()],
        "modes": AlertMode.choices,
    }


@register.inclusion_tag("delivery/_chase.html", takes_context=True)
def chase_panel(context, seq: int):
    user = context["request"].user
    # The button says when it may be pressed, before it is: disabled, with the date, until then.
    due = chase_due_at(Event.objects.values_list("at", flat=True).get(seq=seq))
    return {
        "csrf_token": context.get("csrf_token"),
        "seq": seq,
        "chases": chases_of(actor=user, seq=seq),
        "after_hours": settings.CHASE_AFTER_HOURS,
        "due": due,
        "too_early": timezone.now() < due,
    }
