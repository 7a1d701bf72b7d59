"""Reminders of missing annual declarations: which are due (the sending, a write, is
services.reminders_send).

For every year with a due date, each state subscribing by then that has not declared gets, at its
points of contact (or, without any, its users' addresses): a reminder 30 days before the due date
that applies to it, another 7 days before; once the date has passed, the ICC is told (of states
known to have subscribed in that year, as the compliance table counts them `missing`). Run daily
(`hcoc reminders send`, or the `send_reminders` task); a missed day is caught up, sending only the
most urgent reminder. Each is recorded and never sent twice for the same reason.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy

from hcoc.accounts.models import User
from hcoc.states.models import HcocStatus, PointOfContact, State

from .models import Declaration, DeclarationDeadline, Reminder, ReminderKind
from .readmodel import due_dates


@dataclass(frozen=True)
class PlannedReminder:
    state: str
    year: int
    kind: str
    due_on: date
    recipients: tuple[str, ...]


def _kind_on(today: date, due_on: date) -> str | None:
    if today > due_on:
        return ReminderKind.PAST_DUE
    if today >= due_on - timedelta(days=7):
        return ReminderKind.DUE_IN_7_DAYS
    if today >= due_on - timedelta(days=30):
        return ReminderKind.DUE_IN_30_DAYS
    return None


def _state_addresses(states: set[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, set[str]] = {}
    for poc in PointOfContact.objects.filter(state_id__in=states).exclude(email=""):
        out.setdefault(poc.state_id, set()).add(poc.email)
    for user in User.objects.filter(state_id__in=states, is_active=True).exclude(email=""):
        if user.state_id not in out:  # users only where the state has no point of contact
            out.setdefault(f"user:{user.state_id}", set()).add(user.email)
    return {s: tuple(sorted(out.get(s) or out.get(f"user:{s}") or ())) for s in states}


def reminders_due(*, today: date | None = None) -> list[PlannedReminder]:
    """What would be sent today (nothing is written)."""
    today = today or timezone.now().date()
    years = set(DeclarationDeadline.objects.values_list("year", flat=True))
    if not years:
        return []
    states = {s.iso3: s for s in State.objects.filter(status=HcocStatus.SUBSCRIBING)}
    due = due_dates(years, set(states))
    declared = set(Declaration.objects.filter(year__in=years).values_list("state_id", "year"))
    sent = set(
        Reminder.objects.filter(year__in=years).values_list("state_id", "year", "kind", "due_on")
    )
    wanted = []
    for (iso3, year), due_on in due.items():
        kind = _kind_on(today, due_on)
        if kind is None or (iso3, year) in declared or not states[iso3].is_subscribing_on(due_on):
            continue
        if kind == ReminderKind.PAST_DUE and not states[iso3].known_subscribed_in(year, today):
            # The ICC hears of a declaration past due only where the compliance table says
            # `missing`: for a state not known to have subscribed in that year it says `unknown`.
            # The state itself is still reminded before the date: it subscribes now.
            continue
        if (iso3, year, kind, due_on) not in sent:
            wanted.append((iso3, year, kind, due_on))
    addresses = _state_addresses({w[0] for w in wanted})
    icc = tuple(
        sorted(
            User.objects.icc()
            .filter(is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    return [
        PlannedReminder(
            iso3, year, kind, due_on, icc if kind == ReminderKind.PAST_DUE else addresses[iso3]
        )
        for iso3, year, kind, due_on in sorted(wanted)
    ]


# In the recipient's language (declarations.services.reminders_send): %(year)s, %(due)s.
SUBJECTS = {
    ReminderKind.DUE_IN_30_DAYS: gettext_lazy(
        "HCoC: your annual declaration for %(year)s is due on %(due)s (in 30 days)"
    ),
    ReminderKind.DUE_IN_7_DAYS: gettext_lazy(
        "HCoC: your annual declaration for %(year)s is due on %(due)s (in 7 days)"
    ),
}
