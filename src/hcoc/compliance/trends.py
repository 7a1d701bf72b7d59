"""Trends since 2002 (/compliance/trends): per year, the subscribing states, the share that filed
a declaration and the share on time, and the notifications by category; as charts and a table.
Years the exchange holds no data for are gaps in the charts and "no data" in the table."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.lib.charts import bar_chart
from hcoc.notifications.selectors import public_pln_counts_by_year
from hcoc.states.models import subscribers_of_the_code_in
from hcoc.ui.pages import exchange_page

from .selectors import FIRST_YEAR, compliance_for, years_with_data


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def trends_for(*, actor) -> list[dict]:
    """One row per year from 2002 to last year, from the same selector as the yearly tables.

    A figure the exchange holds no data for is None ("no data"), never 0: the declaration
    figures of a year with no declaration filed and no due date set, the notification counts of
    a year without any notification (`years_with_data`). Shares are of the states known to have
    subscribed in the year (`owing`: every row but the `unknown` ones), which are counted apart;
    while a year's declarations are not yet due, its shares are so far."""
    plns = public_pln_counts_by_year()
    known = years_with_data()
    rows = []
    for year in range(FIRST_YEAR, timezone.now().year):
        t = compliance_for(actor=actor, year=year)["totals"]
        owing = t["states"] - t["unknown"]
        declared = t["filed"] + t["late"] + t["nil"]
        on_time = t["filed"] + t["nil"]
        has_declarations = year in known["declarations"]
        has_notifications = year in known["notifications"]
        code = subscribers_of_the_code_in(year)
        rows.append(
            {
                "year": year,
                # The Code's own figure where a source gives one (the registry does not know
                # when most states subscribed: its count of a past year is a lower bound).
                "code_states": code[0] if code else None,
                "code_states_as_of": code[1] if code else None,
                "states": t["states"],
                "owing": owing,
                "unknown": t["unknown"],
                "not_due": t["not_due"] if has_declarations else None,
                "declared": declared if has_declarations else None,
                "on_time": on_time if has_declarations else None,
                "declared_pct": _pct(declared, owing) if has_declarations else None,
                "on_time_pct": _pct(on_time, owing) if has_declarations else None,
                "bm": plns.get(year, {}).get("BM", 0) if has_notifications else None,
                "slv": plns.get(year, {}).get("SLV", 0) if has_notifications else None,
            }
        )
    return rows


@exchange_page
def trends(request):
    rows = trends_for(actor=request.user)
    charts = [
        (
            "states",
            _("Subscribing states (where a source gives the figure)"),
            bar_chart([(str(r["year"]), r["code_states"]) for r in rows]),
        ),
        (
            "declared",
            _("Share of the states known to subscribe that filed a declaration"),
            bar_chart([(str(r["year"]), r["declared_pct"]) for r in rows], percent=True),
        ),
        (
            "on-time",
            _("Share that filed on time"),
            bar_chart([(str(r["year"]), r["on_time_pct"]) for r in rows], percent=True),
        ),
        (
            "bm",
            _("Pre-launch notifications of ballistic missiles"),
            bar_chart([(str(r["year"]), r["bm"]) for r in rows]),
        ),
        (
            "slv",
            _("Pre-launch notifications of space launch vehicles"),
            bar_chart([(str(r["year"]), r["slv"]) for r in rows]),
        ),
    ]
    return render(request, "compliance/trends.html", {"rows": rows[::-1], "charts": charts})
