"""Rules of the notification formats that need the database or the clock.

Each function takes the raw request input and returns (field location, message) problems.
"""

from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from hcoc.lib.rules import Loc, Problem, aware_time, dig
from hcoc.sites.models import LaunchSite
from hcoc.states.models import State

# The time a PLN counts as submitted at: now, except in a historical import, where the window
# rules are checked against the record's first_submitted_at.
SUBMISSION_TIME: ContextVar[datetime | None] = ContextVar("submission_time", default=None)
NO_CLOCK = datetime.min.replace(tzinfo=UTC)  # when the import's own time is unusable


def unknown_sites(wanted: list[tuple[Loc, Any]]) -> list[Problem]:
    wanted = [(loc, site) for loc, site in wanted if isinstance(site, str) and site]
    if not wanted:
        return []
    known = set(
        LaunchSite.objects.filter(id__in=[s for _, s in wanted]).values_list("id", flat=True)
    )
    return [
        (loc, f"unknown site {site!r}; see GET /api/v1/sites")
        for loc, site in wanted
        if site not in known
    ]


def area_sites(raw: Any) -> list[tuple[Loc, Any]]:
    wanted: list[tuple[Loc, Any]] = [
        (("launch_area", "site_id"), dig(raw, "launch_area", "site_id"))
    ]
    impact = dig(raw, "impact_areas")
    if isinstance(impact, list):
        wanted += [
            (("impact_areas", i, "site_id"), dig(a, "site_id")) for i, a in enumerate(impact)
        ]
    return wanted


def not_in_future(raw: Any, field: str) -> list[Problem]:
    when = aware_time(dig(raw, field))
    if when is not None and when > timezone.now():
        return [((field,), "must not be in the future")]
    return []


def pln_rules(raw: Any) -> list[Problem]:
    problems = unknown_sites(area_sites(raw))
    closes = aware_time(dig(raw, "window", "closes"))
    if closes is not None and closes <= (SUBMISSION_TIME.get() or timezone.now()):
        problems.append((("window", "closes"), "must be in the future at submission"))
    return problems


def unnotified_rules(raw: Any) -> list[Problem]:
    return unknown_sites(area_sites(raw)) + not_in_future(raw, "launched_at")


def import_rules(raw: Any) -> list[Problem]:
    problems = not_in_future(raw, "first_submitted_at")
    iso3, submitted = dig(raw, "state"), aware_time(dig(raw, "first_submitted_at"))
    state = State.objects.filter(iso3=iso3).first() if isinstance(iso3, str) else None
    if isinstance(iso3, str) and state is None:
        problems.append((("state",), f"unknown state {iso3!r}"))
    elif (
        state is not None
        and submitted is not None
        and not state.is_subscribing_on(submitted.date())
    ):
        # As for every entry the ICC makes on a state's behalf: subscribing states only.
        problems.append(
            (("state",), f"{state.iso3} was not a subscribing state at first_submitted_at")
        )
    if dig(raw, "notification", "on_behalf_of") is not None:
        problems.append(
            (("notification", "on_behalf_of"), "not used in an import; give the state in state")
        )
    return problems


def import_submission_time(raw: Any) -> datetime:
    return aware_time(dig(raw, "first_submitted_at")) or NO_CLOCK
