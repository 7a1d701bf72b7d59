"""Compliance standings beyond filed / late / nil / missing (docs/formats.md, Additions): `not_due`
while the due date that applies to the state is still ahead, `unknown` where the state is not
known to have subscribed in the year. The same standing through the API, the page, the workbook
and the PDF; the report's pages carry their numbers, the marking, the states' names and the date.

The reference registry is the one shipped: France and Japan subscribed at the launch
(2002-11-25); Afghanistan subscribes with no known date; India subscribed on 2016-06-01."""

import re
from datetime import UTC, date, datetime
from io import BytesIO

import time_machine
from openpyxl import load_workbook
from support.bodies import declaration
from support.pdf import pages_text
from support.people import web_client
from support.tables import page_table

from hcoc.accounts.models import User
from hcoc.compliance.report import MARKING
from hcoc.compliance.selectors import compliance_for
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.selectors import declaration_get_for
from hcoc.declarations.services import deadline_extend, deadline_set, declaration_submit
from hcoc.states.models import HcocStatus, State


def users(*names):
    return [User.objects.get(username=n) for n in names]


def rows_of(year: int) -> dict[str, dict]:
    (icc,) = users("icc")
    return {r["state"]: r for r in compliance_for(actor=icc, year=year)["items"]}


def test_a_year_whose_due_date_is_ahead_is_not_due_in_the_api_the_page_the_workbook_and_the_pdf(
    api, personas
):
    icc, fra = users("icc", "fra_submitter")
    this_year = datetime.now(UTC).year
    year, due = this_year - 1, date(this_year, 12, 31)  # due on the last day: never passed yet
    deadline_set(actor=icc, year=year, due_on=due)
    declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(year)))

    body = api.get(f"/compliance/{year}", personas["jpn_reader"]).json()
    rows = {r["state"]: r for r in body["items"]}
    assert rows["FRA"]["declaration"] == "filed"
    assert rows["JPN"]["declaration"] == "not_due" and rows["JPN"]["due_on"] == due.isoformat()
    assert rows["AFG"]["declaration"] == "unknown"  # no known subscription date
    totals = body["totals"]
    dated = [r for r in rows.values() if r["subscribed_on"]]
    assert totals["not_due"] == len(dated) - 1 and totals["missing"] == 0
    assert totals["unknown"] == len(rows) - len(dated)
    assert (
        sum(totals[k] for k in ("filed", "late", "nil", "missing", "not_due", "unknown"))
        == (totals["states"])
    )

    client = web_client("jpn_reader")
    table = page_table(client.get(f"/compliance/{year}").content.decode())
    assert table["JPN"]["declaration"] == f"not yet due (due {due.isoformat()})"
    assert table["AFG"]["declaration"] == "not known"
    assert table["FRA"]["declaration"] == "filed"
    assert table["totals"]["declaration"] == (
        f"1 filed, 0 late, 0 nil, 0 missing, {totals['not_due']} not yet due, "
        f"{totals['unknown']} not known"
    )
    only = page_table(client.get(f"/compliance/{year}?only=not_due").content.decode())
    assert "JPN" in only and "FRA" not in only and "AFG" not in only

    wb = load_workbook(BytesIO(client.get(f"/compliance/{year}/report.xlsx").content))
    sheet = wb[f"Compliance {year}"]
    cells = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert cells["JPN"][1] == "Japan" and cells["JPN"][2] == "not yet due"
    assert cells["AFG"][2] == "not known" and cells["FRA"][2] == "filed"
    assert f"{totals['not_due']} not yet due" in cells["Total"][2]
    assert MARKING in sheet["A1"].value

    text = " ".join(pages_text(client.get(f"/compliance/{year}/report.pdf").content))
    assert re.search(r"Japan \(JPN\) not yet due", text)
    assert re.search(r"Afghanistan \(AFG\) not known", text)
    assert f"{totals['not_due']} not yet due" in text


def test_the_due_date_that_applies_is_the_states_extension_and_passes_the_day_after(personas):
    (icc,) = users("icc")
    this_year = datetime.now(UTC).year
    year = this_year - 2
    deadline_set(actor=icc, year=year, due_on=date(year + 1, 3, 31))  # long passed
    deadline_extend(
        actor=icc, iso3="JPN", year=year, due_on=date(this_year, 12, 31), reason="Elections."
    )
    rows = rows_of(year)
    assert rows["JPN"]["declaration"] == "not_due"  # its extension is ahead
    assert rows["FRA"]["declaration"] == "missing"  # the year's due date has passed
    assert rows["IND"]["declaration"] == "missing"

    # On the due date itself the declaration is still not due; the next day it is missing.
    with time_machine.travel(datetime(this_year, 12, 31, 23, 59, tzinfo=UTC), tick=False):
        assert rows_of(year)["JPN"]["declaration"] == "not_due"
    with time_machine.travel(datetime(this_year + 1, 1, 1, 0, 1, tzinfo=UTC), tick=False):
        assert rows_of(year)["JPN"]["declaration"] == "missing"
    # Filed now, within the extension: on time.
    declaration_submit(
        actor=users("jpn_submitter")[0],
        data=DeclarationIn.model_validate({"year": year, "nil": True}),
    )
    assert rows_of(year)["JPN"]["declaration"] == "nil"


def test_a_declaration_filed_on_its_due_date_is_on_time_and_one_filed_the_day_after_is_late(
    personas,
):
    """The boundary of `late`, which the hand-checked table meets only far from it (filed a
    month after): the due date is the last day to file, in UTC, in the table and in the
    declaration's own `late`."""
    icc, fra, jpn = users("icc", "fra_submitter", "jpn_submitter")
    year = datetime.now(UTC).year - 2
    due = date(year + 1, 3, 31)
    deadline_set(actor=icc, year=year, due_on=due)
    with time_machine.travel(datetime(year + 1, 3, 31, 23, 59, tzinfo=UTC), tick=False):
        declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(year)))
    with time_machine.travel(datetime(year + 1, 4, 1, 0, 0, tzinfo=UTC), tick=False):
        declaration_submit(actor=jpn, data=DeclarationIn.model_validate(declaration(year)))
    rows = rows_of(year)
    assert rows["FRA"]["declaration"] == "filed" and rows["FRA"]["due_on"] == due
    assert rows["JPN"]["declaration"] == "late"
    assert not declaration_get_for(actor=icc, state="FRA", year=year)["late"]
    assert declaration_get_for(actor=icc, state="JPN", year=year)["late"]


def test_without_a_due_date_a_declaration_is_not_due_until_its_year_is_over(personas):
    this_year = datetime.now(UTC).year
    current = rows_of(this_year)
    # Every state subscribing now subscribes this year, with a known date (France) or without
    # (Afghanistan: the registry has none), so none of this year's declarations is unknown.
    assert {r["declaration"] for r in current.values()} == {"not_due"}
    assert current["FRA"]["declaration"] == "not_due" and current["AFG"]["declaration"] == "not_due"
    # A past year with no due date set: owed since the year ended (never late); for a state
    # without a known date, not known.
    past = rows_of(this_year - 3)
    assert past["FRA"]["declaration"] == "missing" and past["AFG"]["declaration"] == "unknown"


def test_a_state_with_no_known_subscription_date_is_unknown_for_a_past_year_not_missing(
    api, personas
):
    icc, fra = users("icc", "fra_submitter")
    year = datetime.now(UTC).year - 2
    deadline_set(actor=icc, year=year, due_on=date(year + 1, 3, 31))
    # France's date is forgotten: it is still a subscribing state (it may use the exchange), but
    # the exchange can no longer say it owed a declaration for a past year.
    State.objects.filter(iso3="FRA").update(subscribed_on=None)
    assert State.objects.get(iso3="FRA").is_subscribing_now

    body = api.get(f"/compliance/{year}", personas["fra_reader"]).json()
    rows = {r["state"]: r for r in body["items"]}
    assert rows["FRA"]["declaration"] == "unknown" and rows["FRA"]["subscribed_on"] is None
    assert rows["AFG"]["declaration"] == "unknown"
    assert rows["JPN"]["declaration"] == "missing"
    unknown = {s for s, r in rows.items() if r["declaration"] == "unknown"}
    assert body["totals"]["unknown"] == len(unknown)
    assert unknown == {
        s.iso3
        for s in State.objects.filter(status=HcocStatus.SUBSCRIBING, subscribed_on__isnull=True)
    }
    # India subscribed in 2016: it has no row for 2010 (it was not subscribing then).
    assert "IND" not in rows_of(2010) and rows_of(2016)["IND"]["declaration"] == "missing"

    # Once it files, its declaration is the evidence: filed, whatever the registry knows.
    with time_machine.travel(datetime(year + 1, 3, 1, tzinfo=UTC), tick=False):
        declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(year)))
    assert rows_of(year)["FRA"]["declaration"] == "filed"

    html = web_client("fra_reader").get(f"/compliance/{year}").content.decode()
    assert page_table(html)["AFG"]["declaration"] == "not known"
    assert "never counted as missing" in html  # the page says how unknowns are counted


def test_the_pdf_numbers_its_pages_and_carries_the_marking_names_year_and_date_on_each(
    personas,
):
    year = datetime.now(UTC).year - 1
    client = web_client("icc")
    with time_machine.travel(datetime(year + 1, 6, 2, 9, 30, tzinfo=UTC), tick=False):
        r = client.get(f"/compliance/{year}/report.pdf")
    assert r.status_code == 200
    pages = pages_text(r.content)
    assert len(pages) >= 2  # ~95 states do not fit on one page
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text
        assert text.count(MARKING) == 2  # top and bottom
        assert f"HCoC compliance {year}. Report of {year + 1}-06-02 09:30 UTC" in text
    whole = " ".join(pages)
    for row in (
        "France (FRA)",
        "Japan (JPN)",
        "United States of America (USA)",
        "Afghanistan (AFG)",
    ):
        assert row in whole
