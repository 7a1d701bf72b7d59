"""Rules of the annual-declaration format that need the database or the clock."""

from datetime import date
from typing import Any

from django.utils import timezone

from hcoc.lib.rule_tools import Problem, dig
from hcoc.lib.vocabulary import category_of
from hcoc.sites.selectors import site_details, unknown_sites
from hcoc.states.models import State

SECTION_CATEGORY = {"ballistic_missiles": "BM", "space_launch_vehicles": "SLV"}
FIRST_YEAR = 2002  # the Code was launched in November 2002
DEADLINE_YEARS_AHEAD = 1  # the ICC may set next year's due date ahead, no further
DUE_WITHIN_YEARS = 3  # a due date (or an extension) falls in the 3 years after its year


def due_on_latest(year: int) -> date:
    """The latest due date (or extension) of the declarations covering `year`."""
    return date(min(max(year + DUE_WITHIN_YEARS, 1), 9999), 12, 31)


def deadline_problems(year: int, due_on: date) -> list[Problem]:
    """Plausibility of the due date the ICC sets for the declarations covering `year`."""
    problems: list[Problem] = []
    last_year = timezone.now().year + DEADLINE_YEARS_AHEAD
    if not FIRST_YEAR <= year <= last_year:
        problems.append((("year",), f"must be a year from {FIRST_YEAR} to {last_year}"))
    if due_on.year <= year:
        problems.append((("due_on",), f"must be after the end of {year}"))
    else:
        problems += extension_problems(year, due_on)
    return problems


def extension_problems(year: int, due_on: date) -> list[Problem]:
    """A due date, or an extension's (which the service also keeps after the year's own due
    date), falls by the end of the DUE_WITHIN_YEARS-th year after `year`."""
    latest = due_on_latest(year)
    if due_on > latest:
        return [
            (
                ("due_on",),
                f"must be within {DUE_WITHIN_YEARS} years after the end of {year}: "
                f"{latest} at the latest",
            )
        ]
    return []


def declaration_rules(raw: Any) -> list[Problem]:
    problems: list[Problem] = []
    this_year = timezone.now().year
    year = dig(raw, "year")
    if isinstance(year, int) and not isinstance(year, bool) and not FIRST_YEAR <= year < this_year:
        problems.append(
            (("year",), f"must be a past calendar year, {FIRST_YEAR} to {this_year - 1}")
        )
    nil = dig(raw, "nil") is True
    if not nil and isinstance(raw, dict) and all(raw.get(n) is None for n in SECTION_CATEGORY):
        problems.append(
            (
                ("ballistic_missiles",),
                "a declaration that is not nil needs ballistic_missiles or space_launch_vehicles",
            )
        )
    sites = []
    for name, category in SECTION_CATEGORY.items():
        seen: set[str] = set()
        for i, row in enumerate(_items(raw, name, "launches")):
            generic_class, count = dig(row, "generic_class"), dig(row, "count")
            if isinstance(generic_class, str):
                if category_of(generic_class) != category:
                    problems.append(
                        (
                            (name, "launches", i, "generic_class"),
                            f"{generic_class!r} is not a generic class of category {category}",
                        )
                    )
                elif generic_class in seen:
                    problems.append(
                        (
                            (name, "launches", i, "generic_class"),
                            f"{generic_class} appears more than once in this section",
                        )
                    )
                seen.add(generic_class)
            if nil and isinstance(count, int) and count > 0:
                problems.append(
                    ((name, "launches", i, "count"), "a nil declaration declares no launches")
                )
        for i, row in enumerate(_items(raw, name, "systems")):
            generic_class = dig(row, "generic_class")
            if isinstance(generic_class, str) and category_of(generic_class) != category:
                problems.append(
                    (
                        (name, "systems", i, "generic_class"),
                        f"{generic_class!r} is not a generic class of category {category}",
                    )
                )
        sites += [
            ((name, "launch_sites", i, "site_id"), dig(s, "site_id"))
            for i, s in enumerate(_items(raw, name, "launch_sites"))
        ]
    return problems + unknown_sites(sites)


def foreign_sites(state_iso3: str, content: dict) -> list[Problem]:
    """Launch sites of another state in a declaration entered through the pages, which list
    only the declaring state's own sites (the catalogue's `state`: the state that operates the
    site). A forged choice is refused here; unknown sites are declaration_rules' to name. The
    API is left as it is: it accepts any catalogue site, as docs/formats.md says."""
    wanted = [
        ((name, "launch_sites", i, "site_id"), dig(s, "site_id"))
        for name in SECTION_CATEGORY
        for i, s in enumerate(_items(content, name, "launch_sites"))
    ]
    details = site_details({site for _, site in wanted if isinstance(site, str)})
    foreign = [
        (loc, site)
        for loc, site in wanted
        if site in details and details[site]["state"] != state_iso3
    ]
    if not foreign:
        return []
    iso3s = {details[site]["state"] for _, site in foreign} | {state_iso3}
    names = dict(State.objects.filter(iso3__in=iso3s).values_list("iso3", "name"))
    return [
        (
            loc,
            f"{details[site]['name']} ({site}) is a launch site of "
            f"{names.get(details[site]['state'], details[site]['state'])}, not of "
            f"{names.get(state_iso3, state_iso3)}: a declaration lists only the declaring "
            "state's own launch sites",
        )
        for loc, site in foreign
    ]


def _items(raw: Any, section: str, field: str) -> list:
    value = dig(raw, section, field)
    return value if isinstance(value, list) else []
