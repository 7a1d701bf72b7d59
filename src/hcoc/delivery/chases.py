"""The ICC's chases: a reminder, by e-mail to a state's points of contact, of the items it has not
acknowledged once they have been in the exchange for HCOC_CHASE_AFTER_HOURS: by the ICC's button
on an item's page (`chase_item`), or daily for the items of the last CHASE_LOOKBACK_DAYS days
(`chases_send_due`, run by the worker). Each (item, state) is chased at most once a day and
recorded (Chase) before its message goes."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hcoc.accounts.access import require_icc
from hcoc.accounts.models import User
from hcoc.exchange.models import Event
from hcoc.exchange.selectors import acknowledgement_status_for, unacknowledged_states
from hcoc.lib.errors import Conflict
from hcoc.lib.timeutil import shown_utc
from hcoc.states.languages import addresses_by_language
from hcoc.states.models import PointOfContact
from hcoc.states.names import names_of

from .alerts import KIND_LABELS
from .models import Chase

CHASE_LOOKBACK_DAYS = 30  # the daily chase covers the items of the last 30 days


def _chase(seq_states: dict[int, list[str]], *, by: User | None) -> dict[str, list[int]]:
    """Record, then mail, one message per state listing its items (one per language its points
    of contact read, each in theirs): {state: newly chased seqs}. A (seq, state) already chased
    today is left out: never twice the same day."""
    now = timezone.now()
    chased: dict[str, list[int]] = {}
    for seq, states in sorted(seq_states.items()):
        for state in states:
            try:
                with transaction.atomic():
                    Chase.objects.create(
                        seq=seq,
                        state_id=state,
                        day=now.date(),
                        at=now,
                        by=by,
                        recipients=", ".join(_contacts(state)),
                    )
            except IntegrityError:
                continue
            chased.setdefault(state, []).append(seq)
    events = {e.seq: e for e in Event.objects.filter(seq__in=list(seq_states))}
    for state, seqs in chased.items():
        # One message per language its points of contact read (hcoc.states.languages).
        for language, to in addresses_by_language(_contacts(state), state).items():
            with translation.override(language):
                subject, body = _chase_message(state, [events[s] for s in seqs])
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    return chased


def _chase_message(state: str, events: list[Event]) -> tuple[str, str]:
    """(subject, body) of the chase of `state` for `events`, in the active language."""
    names = names_of({state, *(e.state_id for e in events)})
    items = [
        {
            "seq": e.seq,
            "kind": KIND_LABELS.get(e.kind, e.kind),
            "subject": e.subject,
            "state": names.get(e.state_id, e.state_id or _("the ICC")),
            "at": shown_utc(e.at),
        }
        for e in events
    ]
    subject = ngettext(
        "HCoC: %(state)s has not acknowledged %(count)s item",
        "HCoC: %(state)s has not acknowledged %(count)s items",
        len(events),
    ) % {"state": names.get(state, state), "count": len(events)}
    body = render_to_string("delivery/chase.txt", {"items": items, "site": settings.SITE_URL})
    return subject, body


def _contacts(state: str) -> list[str]:
    return sorted(
        set(
            PointOfContact.objects.filter(state_id=state)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def chase_due_at(at):
    """When an item that entered the exchange at `at` may be chased: states have
    HCOC_CHASE_AFTER_HOURS to acknowledge it first (the button's page says so before the click,
    and the button refuses until then)."""
    return at + timedelta(hours=settings.CHASE_AFTER_HOURS)


def chase_item(*, actor, seq: int) -> dict[str, list[int]]:
    """The ICC's button: chase every state that has not acknowledged item `seq`, once it has
    been in the exchange for HCOC_CHASE_AFTER_HOURS."""
    actor = require_icc(actor)
    status = acknowledgement_status_for(actor=actor, seq=seq)
    event = Event.objects.get(seq=seq)
    due = chase_due_at(event.at)
    if timezone.now() < due:
        # Said as people read times everywhere else (the pages' `utc` filter's form).
        raise Conflict(
            _("Item #%(seq)s can be chased from %(due)s: states have until then to acknowledge it.")
            % {"seq": seq, "due": shown_utc(due)}
        )
    return _chase({seq: status["not_acknowledged"]}, by=actor)


def chases_send_due() -> dict[str, list[int]]:
    """The daily chase: every item of the last CHASE_LOOKBACK_DAYS days that has been in the
    exchange for HCOC_CHASE_AFTER_HOURS, to each state that has not acknowledged it."""
    now = timezone.now()
    seqs = list(
        Event.objects.filter(
            at__lte=now - timedelta(hours=settings.CHASE_AFTER_HOURS),
            at__gte=now - timedelta(days=CHASE_LOOKBACK_DAYS),
        ).values_list("seq", flat=True)
    )
    missing = {seq: states for seq, states in unacknowledged_states(seqs).items() if states}
    return _chase(missing, by=None)
