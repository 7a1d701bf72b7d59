"""Rules of the invitation formats that need the database or the clock."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.lib.rule_tools import Problem, calendar_ahead_problem, dig, plain_date
from hcoc.sites.selectors import unknown_sites
from hcoc.states.models import State


def invitation_rules(raw: Any) -> list[Problem]:
    problems: list[Problem] = unknown_sites([(("site_id",), dig(raw, "site_id"))])
    today = timezone.now().date()
    opens, closes = plain_date(dig(raw, "opens")), plain_date(dig(raw, "closes"))
    reply_by = plain_date(dig(raw, "reply_by"))
    if opens and closes and closes < opens:
        problems.append((("closes",), _("must not be before opens")))
    if opens and opens < today:
        problems.append((("opens",), _("must not be in the past")))
    if reply_by and reply_by < today:
        problems.append((("reply_by",), _("must not be in the past")))
    if reply_by and opens and reply_by > opens:
        problems.append((("reply_by",), _("must not be after opens")))
    # Plausibility: a visit is planned at most CALENDAR_YEARS_AHEAD years ahead (and, being
    # in the future, never before the Code existed).
    for name, value in (("opens", opens), ("closes", closes), ("reply_by", reply_by)):
        if value and (problem := calendar_ahead_problem(value, today)):
            problems.append(((name,), problem))
    audience, named = dig(raw, "audience"), dig(raw, "named_states")
    named = named if isinstance(named, list) else []
    if audience == "named" and not named:
        problems.append((("named_states",), _("name at least one state for a named invitation")))
    if audience == "all" and named:
        problems.append((("named_states",), _("only a named invitation names states")))
    wanted = [(i, s) for i, s in enumerate(named) if isinstance(s, str)]
    subscribing = {
        s.iso3: s
        for s in State.objects.filter(iso3__in=[s for _, s in wanted])
        if s.is_subscribing_on(today)
    }
    seen: set[str] = set()
    for i, iso3 in wanted:
        if iso3 not in subscribing:
            problems.append(
                (
                    ("named_states", i),
                    _("%(iso3)s is not a subscribing state") % {"iso3": repr(iso3)},
                )
            )
        elif iso3 in seen:
            problems.append((("named_states", i), _("%(iso3)s is named twice") % {"iso3": iso3}))
        seen.add(iso3)
    return problems


def reply_rules(raw: Any) -> list[Problem]:
    answer, observers = dig(raw, "answer"), dig(raw, "observers")
    observers = observers if isinstance(observers, list) else []
    problems: list[Problem] = []
    if answer == "accept" and not observers:
        problems.append((("observers",), _("name at least one observer to accept")))
    if answer == "decline" and observers:
        problems.append((("observers",), _("a decline names no observers")))
    for i, name in enumerate(observers):
        if isinstance(name, str) and not name.strip():
            problems.append((("observers", i), _("must not be blank")))
    return problems
