"""Trends since 2002: each year's figures come from the same selector as that year's table."""

import re
from datetime import UTC, date, datetime

import time_machine
from support.bodies import declaration
from support.people import web_client
from support.tables import page_table

from hcoc.accounts.models import User
from hcoc.compliance.selectors import compliance_for
from hcoc.compliance.trends import trends_for
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.services import deadline_set, declaration_submit
from hcoc.notifications.schemas import ImportIn
from hcoc.notifications.services import notification_import
from hcoc.states.models import State


def test_each_years_trend_equals_its_compliance_table_and_the_page_draws_it(personas):
    icc, fra, jpn = (
        User.objects.get(username=n) for n in ("icc", "fra_submitter", "jpn_submitter")
    )
    year = datetime.now(UTC).year - 1
    deadline_set(actor=icc, year=year, due_on=date(year + 1, 3, 31))
    with time_machine.travel(datetime(year + 1, 3, 1, tzinfo=UTC), tick=False):
        declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(year)))
    with time_machine.travel(datetime(year + 1, 4, 2, tzinfo=UTC), tick=False):
        declaration_submit(
            actor=jpn, data=DeclarationIn.model_validate({"year": year, "nil": True})
        )

    rows = {r["year"]: r for r in trends_for(actor=icc)}
    assert min(rows) == 2002 and max(rows) == year
    totals = compliance_for(actor=icc, year=year)["totals"]
    last = rows[year]
    assert last["states"] == totals["states"] and last["declared"] == 2 and last["on_time"] == 1
    # The share is of the states known to have subscribed: those whose date the registry does
    # not know are counted apart.
    assert last["owing"] == totals["states"] - totals["unknown"] and totals["unknown"] > 0
    assert last["declared_pct"] == round(100 * 2 / last["owing"], 1)

    html = web_client("jpn_reader").get("/compliance/trends").content.decode()
    assert html.count("<svg") == 5 and f"{last['declared_pct']}%" in html


def test_a_year_the_exchange_holds_nothing_of_shows_no_data_not_zero(personas):
    icc, fra = (User.objects.get(username=n) for n in ("icc", "fra_submitter"))
    year = datetime.now(UTC).year - 1
    deadline_set(actor=icc, year=year, due_on=date(year + 1, 3, 31))
    with time_machine.travel(datetime(year + 1, 3, 1, tzinfo=UTC), tick=False):
        declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(year)))
    # 2010: one notification (a launch imported from the record), no declaration, no due date.
    notification_import(
        actor=icc,
        data=ImportIn.model_validate(
            {
                "state": "FRA",
                "first_submitted_at": "2010-03-05T10:00:00Z",
                "notification": {
                    "category": "SLV",
                    "generic_class": "SLV-medium",
                    "window": {"opens": "2010-03-10T10:00:00Z", "closes": "2010-03-10T14:00:00Z"},
                    "launch_area": {"center": {"lat": 5.2, "lon": -52.8}, "radius_km": 10},
                    "planned_direction": {"azimuth_deg": 90.0},
                },
                "launch_report": {"launched_at": "2010-03-10T11:00:00Z", "outcome": "success"},
                "source": "test history",
            }
        ),
    )

    rows = {r["year"]: r for r in trends_for(actor=icc)}
    empty = [y for y in rows if y not in (2010, year)]
    for y in empty:  # nothing held: every figure of the exchange is "no data"
        r = rows[y]
        assert r["declared"] is r["declared_pct"] is r["on_time_pct"] is r["bm"] is None, y
        assert r["states"] > 0  # the registry's figure is still known
    assert rows[2010]["declared"] is None and (rows[2010]["bm"], rows[2010]["slv"]) == (0, 1)
    assert rows[year]["declared"] == 1 and rows[year]["declared_pct"] > 0
    assert rows[year]["bm"] is None  # no notification in that year

    html = web_client("fra_reader").get("/compliance/trends").content.decode()
    table = page_table(html, row_key="data-year")
    assert table["2005"] == {
        "code_states": "not known",  # no source gives the Code's figure for 2005
        "states": str(rows[2005]["states"]),
        **{
            k: "no data"
            for k in ("declared", "declared_pct", "on_time_pct", "not_due", "bm", "slv")
        },
    }
    assert table[str(year)]["declared"] == "1" and table["2010"]["slv"] == "1"
    assert table[str(year)]["declared_pct"] == f"{rows[year]['declared_pct']}%"
    # The charts leave a gap for each such year: one bar per year with data.
    charts = dict(re.findall(r'aria-labelledby="([a-z-]+)-title">(.*?)</svg>', html, re.S))
    assert charts["declared"].count('class="bar"') == 1
    assert charts["slv"].count('class="bar"') == 1
    # The subscribing states: a bar for each year a source gives the Code's figure.
    known = [r for r in rows.values() if r["code_states"] is not None]
    assert 2002 in {r["year"] for r in known} and 2005 not in {r["year"] for r in known}
    assert charts["states"].count('class="bar"') == len(known)


def test_the_trends_say_the_code_was_launched_with_93_states_and_korea_subscribed_then(personas):
    """Issue 25: the registry does not know when most states subscribed, so its count for 2002
    (86) is not the Code's; the Code's figure where a source gives it (93 at the launch on
    2002-11-25), "not known" where none does; Korea, a founding subscriber, dated as such."""
    icc = User.objects.get(username="icc")
    rows = {r["year"]: r for r in trends_for(actor=icc)}
    assert (rows[2002]["code_states"], rows[2002]["code_states_as_of"]) == (93, "2002-11-25")
    assert (rows[2013]["code_states"], rows[2013]["code_states_as_of"]) == (134, "2013-05-30")
    assert rows[2020]["code_states"] == 143 and rows[2024]["code_states"] == 145
    assert rows[2005]["code_states"] is None
    html = web_client("fra_reader").get("/compliance/trends").content.decode()
    table = page_table(html, row_key="data-year")
    assert table["2002"]["code_states"] == "93 (as of 2002-11-25)"
    assert table["2005"]["code_states"] == "not known"
    korea = State.objects.get(iso3="KOR")
    assert korea.founding is True and korea.subscribed_on == date(2002, 11, 25)
    page = web_client("fra_reader").get("/compliance/2002").content.decode()
    row = page_table(page)["KOR"]
    assert row["declaration"] != "not known"  # it owed one: it subscribed in 2002
