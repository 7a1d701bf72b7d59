"""Trends since 2002: each year's figures come from the same selector as that year's table."""

from datetime import UTC, date, datetime

import time_machine
from support.bodies import declaration
from support.people import web_client

from hcoc.accounts.models import User
from hcoc.compliance.selectors import compliance_for
from hcoc.compliance.trends import trends_for
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.services import deadline_set, declaration_submit


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
