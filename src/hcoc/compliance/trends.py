"""Trends since 2002 (/compliance/trends): per year, the subscribing states, the share that filed
a declaration and the share on time, and the notifications by category; as charts and a table."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.lib.charts import bar_chart
from hcoc.notifications.selectors import public_pln_counts_by_year
from hcoc.ui.pages import exchange_page

from .selectors import FIRST_YEAR, compliance_for


def trends_for(*, actor) -> list[dict]:
    """One row per year from 2002 to last year, from the same selector as the yearly tables."""
    plns = public_pln_counts_by_year()
    rows = []
    for year in range(FIRST_YEAR, timezone.now().year):
        t = compliance_for(actor=actor, year=year)["totals"]
        states = t["states"]
        declared = t["filed"] + t["late"] + t["nil"]
        rows.append(
            {
                "year": year,
                "states": states,
                "declared": declared,
                "on_time": t["filed"] + t["nil"],
                "declared_pct": round(100 * declared / states, 1) if states else 0.0,
                "on_time_pct": round(100 * (t["filed"] + t["nil"]) / states, 1) if states else 0.0,
                "bm": plns.get(year, {}).get("BM", 0),
                "slv": plns.get(year, {}).get("SLV", 0),
            }
        )
    return rows


@exchange_page
def trends(request):
    rows = trends_for(actor=request.user)
    charts = [
        (
            "states",
            _("Subscribing states"),
            bar_chart([(str(r["year"]), r["states"]) for r in rows]),
        ),
        (
            "declared",
            _("Share of subscribing states that filed a declaration"),
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
