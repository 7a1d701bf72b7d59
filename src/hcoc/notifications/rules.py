"""Rules of the notification formats that need the database or the clock.

Each function takes the raw request input and returns (field location, message) problems.
"""

from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.lib.errors import FieldProblem, InvalidInput
from hcoc.lib.rule_tools import (
    CODE_LAUNCHED,
    HISTORY_START,
    Loc,
    Problem,
    aware_time,
    day_text,
    dig,
    years_after,
)
from hcoc.lib.timeutil import rfc3339
from hcoc.lib.vocabulary import range_problem
from hcoc.sites.selectors import not_launch_sites, unknown_sites
from hcoc.states.models import State

# The time a PLN counts as submitted at: now, except in a historical import, where the window
# rules are checked against the record's first_submitted_at.
SUBMISSION_TIME: ContextVar[datetime | None] = ContextVar("submission_time", default=None)
NO_CLOCK = datetime.min.replace(tzinfo=UTC)  # when the import's own time is unusable

# Plausibility bounds (docs/api.md, "Plausibility bounds").
WINDOW_AHEAD_YEARS = 1  # a window opens at most a year after the PLN is submitted
REPORT_BEFORE_WINDOW = timedelta(days=30)  # a launch at most 30 days before its window opens
REPORT_AFTER_WINDOW_YEARS = 1  # and at most a year after it closes
RANGE_MAX_KM = 50000  # the format's own bound on range_km (PLNIn)


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


def launch_site_problems(raw: Any) -> list[Problem]:
    """The launch area's catalogue site must be one launches are made from."""
    return not_launch_sites([(("launch_area", "site_id"), dig(raw, "launch_area", "site_id"))])


def not_in_future(raw: Any, field: str) -> list[Problem]:
    when = aware_time(dig(raw, field))
    if when is not None and when > timezone.now():
        return [((field,), _("must not be in the future"))]
    return []


def earliest() -> datetime:
    """Nothing the exchange records is older than the Code, except a historical import's."""
    return HISTORY_START if SUBMISSION_TIME.get() is not None else CODE_LAUNCHED


def too_early(when: datetime, first: datetime) -> str | None:
    if when >= first:
        return None
    if first == CODE_LAUNCHED:
        return _(
            "must not be before %(day)s, when the Code was launched "
            "(only a historical import goes further back)"
        ) % {"day": day_text(CODE_LAUNCHED)}
    return _(
        "must not be before %(day)s: the first ballistic missiles of "
        "intercontinental range and the first satellite flew in 1957"
    ) % {"day": day_text(first)}


def not_before(raw: Any, loc: Loc, first: datetime) -> list[Problem]:
    when = aware_time(dig(raw, *loc))
    problem = too_early(when, first) if when is not None else None
    return [(loc, problem)] if problem else []


def range_problems(raw: Any) -> list[Problem]:
    """range_km within its generic class's definition (lib.vocabulary.CLASS_RANGES); values the
    format refuses anyway (not a number, <= 0, > 50,000) are left to pydantic."""
    generic_class, km = dig(raw, "generic_class"), dig(raw, "range_km")
    if not isinstance(generic_class, str) or isinstance(km, bool):
        return []
    if not isinstance(km, int | float) or not 0 < km <= RANGE_MAX_KM:
        return []
    problem = range_problem(generic_class, km)
    return [(("range_km",), problem)] if problem else []


def pln_rules(raw: Any) -> list[Problem]:
    problems = unknown_sites(area_sites(raw)) + launch_site_problems(raw)
    submitted = SUBMISSION_TIME.get() or timezone.now()
    closes = aware_time(dig(raw, "window", "closes"))
    if closes is not None and closes <= submitted:
        problems.append((("window", "closes"), _("must be in the future at submission")))
    opens = aware_time(dig(raw, "window", "opens"))
    if opens is not None and (problem := too_early(opens, earliest())):
        problems.append((("window", "opens"), problem))
    elif opens is not None and submitted != NO_CLOCK:
        latest = years_after(submitted.replace(microsecond=0), WINDOW_AHEAD_YEARS)
        if opens > latest:
            if SUBMISSION_TIME.get() is not None:
                problem = _(
                    "must be at most a year after first_submitted_at: %(latest)s at the latest"
                )
            else:
                problem = _("must be at most a year after submission: %(latest)s at the latest")
            problems.append((("window", "opens"), problem % {"latest": rfc3339(latest)}))
    return problems + range_problems(raw)


def launch_window_problems(launched: datetime, opens: datetime, closes: datetime) -> list[str]:
    """A launch report belongs near its window: from 30 days before it opens to a year after
    it closes (decision 0002 accepts reports after the window, but not decades later)."""
    first = opens - REPORT_BEFORE_WINDOW if opens - NO_CLOCK > REPORT_BEFORE_WINDOW else NO_CLOCK
    if launched < first:
        return [
            _(
                "must not be more than 30 days before the window opens (%(opens)s): "
                "%(first)s at the earliest"
            )
            % {"opens": rfc3339(opens), "first": rfc3339(first)}
        ]
    last = years_after(closes, REPORT_AFTER_WINDOW_YEARS)
    if launched > last:
        return [
            _(
                "must be at most a year after the window closes (%(closes)s): "
                "%(last)s at the latest; report a later launch as an unnotified launch"
            )
            % {"closes": rfc3339(closes), "last": rfc3339(last)}
        ]
    return []


def launch_report_window_check(launched_at: datetime, opens, closes) -> None:
    """The launch-report endpoint's body does not carry the window: the service checks it
    against the notification's, once the body is otherwise valid (422, field launched_at)."""
    if opens is None or closes is None:
        return
    problems = launch_window_problems(launched_at.astimezone(UTC), opens, closes)
    if problems:
        raise InvalidInput([FieldProblem("launched_at", m) for m in problems])


def launch_report_rules(raw: Any) -> list[Problem]:
    # Not before 1957 here: the report may be for an imported notification. Its window then
    # bounds it (launch_report_window_check, and import_rules for an import's own report).
    return not_in_future(raw, "launched_at") + not_before(raw, ("launched_at",), HISTORY_START)


def unnotified_rules(raw: Any) -> list[Problem]:
    return (
        unknown_sites(area_sites(raw))
        + launch_site_problems(raw)
        + not_in_future(raw, "launched_at")
        + not_before(raw, ("launched_at",), CODE_LAUNCHED)
    )


def import_rules(raw: Any) -> list[Problem]:
    problems = not_in_future(raw, "first_submitted_at")
    problems += not_before(raw, ("first_submitted_at",), HISTORY_START)
    launched = aware_time(dig(raw, "launch_report", "launched_at"))
    opens = aware_time(dig(raw, "notification", "window", "opens"))
    closes = aware_time(dig(raw, "notification", "window", "closes"))
    if launched is not None and opens is not None and closes is not None and opens < closes:
        problems += [
            (("launch_report", "launched_at"), m)
            for m in launch_window_problems(launched, opens, closes)
        ]
    iso3, submitted = dig(raw, "state"), aware_time(dig(raw, "first_submitted_at"))
    state = State.objects.filter(iso3=iso3).first() if isinstance(iso3, str) else None
    if isinstance(iso3, str) and state is None:
        problems.append((("state",), _("unknown state %(iso3)s") % {"iso3": repr(iso3)}))
    elif (
        state is not None
        and submitted is not None
        and not state.is_subscribing_on(submitted.date())
    ):
        # As for every entry the ICC makes on a state's behalf: subscribing states only.
        problems.append(
            (
                ("state",),
                _("%(iso3)s was not a subscribing state at first_submitted_at")
                % {"iso3": state.iso3},
            )
        )
    if dig(raw, "notification", "on_behalf_of") is not None:
        problems.append(
            (
                ("notification", "on_behalf_of"),
                _("not used in an import; give the state in state"),
            )
        )
    return problems


def import_submission_time(raw: Any) -> datetime:
    return aware_time(dig(raw, "first_submitted_at")) or NO_CLOCK
