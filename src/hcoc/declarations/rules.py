"""Rules of the annual-declaration format that need the database or the clock."""

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hcoc.lib.rule_tools import Problem, dig
from hcoc.lib.vocabulary import category_of
from hcoc.sites.selectors import site_details, unknown_sites
from hcoc.states.names import names_of

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
        problems.append(
            (
                ("year",),
                _("must be a year from %(first)s to %(last)s")
                % {"first": FIRST_YEAR, "last": last_year},
            )
        )
    if due_on.year <= year:
        problems.append((("due_on",), _("must be after the end of %(year)s") % {"year": year}))
    else:
        problems += extension_problems(year, due_on)
    return problems


def extension_problems(year: int, due_on: date) -> list[Problem]:
    """A due date, or an extension's (which the service also keeps after the year's own due
    date), falls by the end of the DUE_WITHIN_YEARS-th year after `year`."""
    latest = due_on_latest(year)
    if due_on > latest:
        problem = ngettext(
            "must be within %(n)s year after the end of %(year)s: %(latest)s at the latest",
            "must be within %(n)s years after the end of %(year)s: %(latest)s at the latest",
            DUE_WITHIN_YEARS,
        )
        return [(("due_on",), problem % {"n": DUE_WITHIN_YEARS, "year": year, "latest": latest})]
    return []


def declaration_rules(raw: Any) -> list[Problem]:
    problems: list[Problem] = []
    this_year = timezone.now().year
    year = dig(raw, "year")
    if isinstance(year, int) and not isinstance(year, bool) and not FIRST_YEAR <= year < this_year:
        problems.append(
            (
                ("year",),
                _("must be a past calendar year, %(first)s to %(last)s")
                % {"first": FIRST_YEAR, "last": this_year - 1},
            )
        )
    nil = dig(raw, "nil") is True
    if not nil and isinstance(raw, dict) and all(raw.get(n) is None for n in SECTION_CATEGORY):
        problems.append(
            (
                ("ballistic_missiles",),
                _(
                    "a declaration that is not nil needs ballistic_missiles or "
                    "space_launch_vehicles"
                ),
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
                        ((name, "launches", i, "generic_class"), not_of(generic_class, category))
                    )
                elif generic_class in seen:
                    problems.append(
                        (
                            (name, "launches", i, "generic_class"),
                            _("%(cls)s appears more than once in this section")
                            % {"cls": generic_class},
                        )
                    )
                seen.add(generic_class)
            if nil and isinstance(count, int) and count > 0:
                problems.append(
                    ((name, "launches", i, "count"), _("a nil declaration declares no launches"))
                )
        for i, row in enumerate(_items(raw, name, "systems")):
            generic_class = dig(row, "generic_class")
            if isinstance(generic_class, str) and category_of(generic_class) != category:
                problems.append(
                    ((name, "systems", i, "generic_class"), not_of(generic_class, category))
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
    # The states by their names in the reader's language (the registry's own in English).
    names = names_of({details[site]["state"] for _loc, site in foreign} | {state_iso3})
    return [
        (
            loc,
            _(
                "%(site)s (%(id)s) is a launch site of %(owner)s, not of %(state)s: a "
                "declaration lists only the declaring state's own launch sites"
            )
            % {
                "site": details[site]["name"],
                "id": site,
                "owner": names.get(details[site]["state"], details[site]["state"]),
                "state": names.get(state_iso3, state_iso3),
            },
        )
        for loc, site in foreign
    ]


def not_of(generic_class: str, category: str) -> str:
    return _("%(cls)s is not a generic class of category %(category)s") % {
        "cls": repr(generic_class),
        "category": category,
    }


def _items(raw: Any, section: str, field: str) -> list:
    value = dig(raw, section, field)
    return value if isinstance(value, list) else []
