"""Compliance per year: one selector, the same figures through the API and the page.

The fixture is small enough to check by hand: six states over 2023-2025 (France, Japan, the
United States, the United Kingdom, India, and China, which subscribes on 1 July 2024), with a
late declaration, nil declarations (one of them late), mismatches (declared != reported), a late
PLN, a cancelled PLN, an unreported window and an unnotified launch. Every other subscribing
state of the registry has filed nothing: its row is `missing` with zeros when the registry knows
its subscription date, `unknown` when it does not (it is not known to have owed anything).
"""

import csv
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from support.database import built_once
from support.people import make_personas, web_client
from support.reference_data import reference
from support.tables import page_table

from hcoc.accounts.models import User
from hcoc.compliance.selectors import compliance_for, compliance_rows
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.services import deadline_set, declaration_submit
from hcoc.lib.timeutil import duration_text
from hcoc.notifications.schemas import ImportIn, UnnotifiedLaunchIn
from hcoc.notifications.services import (
    notification_cancel,
    notification_import,
    unnotified_launch_report,
)
from hcoc.registry.services import subscription_record

SIX = ("CHN", "FRA", "GBR", "IND", "JPN", "USA")
FIGURES = ("declaration", "plns", "plns_late", "cancelled", "launched", "unreported")
FIGURES += ("unnotified", "differences", "mean_lead_time_hours")

# The expected table, by hand. Columns: declaration, plns, plns_late, cancelled, launched,
# unreported, unnotified, differences [(class, declared, reported, difference)], mean lead (h).
# fmt: off
EXPECTED = {
    2023: {
        "FRA": ("filed",   2, 0, 0, 2, 0, 0, [], 84.0),     # leads 120 h and 48 h
        "GBR": ("nil",     0, 0, 0, 0, 0, 0, [], None),
        "IND": ("missing", 0, 0, 0, 0, 0, 0, [], None),
        "JPN": ("late",    0, 0, 0, 0, 0, 0, [], None),     # filed 1 May 2024, due 31 Mar
        "USA": ("filed",   1, 0, 0, 1, 0, 1, [], 24.0),     # declared ICBM 2 = 1 PLN + 1 unnotified
    },
    2024: {
        "CHN": ("filed",   1, 0, 0, 1, 0, 0, [], 72.0),     # subscribed 1 Jul 2024
        "FRA": ("filed",   2, 0, 1, 1, 0, 0, [("SLV-medium", 2, 1, 1)], 60.0),
        "GBR": ("nil",     0, 0, 0, 0, 0, 0, [], None),
        "IND": ("filed",   1, 0, 0, 1, 0, 0, [("SRBM", 0, 1, -1)], 72.0),
        "JPN": ("filed",   1, 1, 0, 1, 0, 0, [], -12.0),    # notified 12 h after the window opened
        "USA": ("missing", 0, 0, 0, 0, 0, 0, [], None),
    },
    2025: {
        "CHN": ("missing", 0, 0, 0, 0, 0, 0, [], None),
        "FRA": ("missing", 0, 0, 0, 0, 0, 0, [], None),
        "GBR": ("late",    0, 0, 0, 0, 0, 0, [], None),     # a nil declaration, but late
        "IND": ("missing", 0, 0, 0, 0, 0, 0, [], None),
        "JPN": ("missing", 1, 0, 0, 0, 1, 0, [], 72.0),     # window closed, never reported
        "USA": ("filed",   0, 0, 0, 0, 0, 0, [], None),
    },
}
# Totals of the six (the other states add only `missing` rows):
# states, filed, late, nil, missing, plns, plns_late, cancelled, launched, unreported,
# unnotified, states_with_differences, mean_lead_time_hours
TOTALS = {
    2023: (5, 2, 1, 1, 1, 3, 0, 0, 3, 0, 1, 0, 64.0),   # (120 + 48 + 24) / 3
    2024: (6, 4, 0, 1, 1, 5, 1, 1, 4, 0, 0, 2, 50.4),   # (72 + 48 + 72 - 12 + 72) / 5
    2025: (6, 1, 1, 0, 4, 1, 0, 0, 0, 1, 0, 0, 72.0),
}
# fmt: on
TOTAL_KEYS = ("states", "filed", "late", "nil", "missing", "plns", "plns_late", "cancelled")
TOTAL_KEYS += ("launched", "unreported", "unnotified", "states_with_differences")
TOTAL_KEYS += ("mean_lead_time_hours",)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def z(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def area(lat: float = 5.2, lon: float = -52.8) -> dict:
    return {"center": {"lat": lat, "lon": lon}, "radius_km": 10}


def import_pln(icc, state, generic_class, opens, closes, submitted, launched=None, **kw) -> str:
    category = "BM" if generic_class in ("SRBM", "MRBM", "IRBM", "ICBM", "SLBM") else "SLV"
    body = {
        "state": state,
        "first_submitted_at": z(submitted),
        "notification": {
            "category": category,
            "generic_class": generic_class,
            "window": {"opens": z(opens), "closes": z(closes)},
            "launch_area": kw.get("launch_area", area()),
            "planned_direction": {"azimuth_deg": 90.0},
        },
        "launch_report": (
            {"launched_at": z(launched), "outcome": kw.get("outcome", "success")}
            if launched
            else None
        ),
        "source": kw.get("source", "test history"),
    }
    return notification_import(actor=icc, data=ImportIn.model_validate(body)).reference


def file_declaration(icc, state: str, year: int, on: str, **content) -> None:
    body = {"year": year, "nil": False, "on_behalf_of": state, **content}
    with time_machine.travel(t(on), tick=False):
        declaration_submit(actor=icc, data=DeclarationIn.model_validate(body))


def slv(*counts) -> dict:
    return {
        "space_launch_vehicles": {"launches": [{"generic_class": c, "count": n} for c, n in counts]}
    }


def bm(*counts) -> dict:
    return {
        "ballistic_missiles": {"launches": [{"generic_class": c, "count": n} for c, n in counts]}
    }


class History:
    """Steps written through the services, each at its own time, run in time order (steps at
    the real present last). The exchange dates what it records under its write lock and never
    before the log's last leaf, so history must be written in the order it happened: a step
    run after a later one would be dated at the later one's time."""

    def __init__(self):
        self.steps: list[tuple[datetime | None, object]] = []

    def at(self, when: datetime, step) -> None:
        self.steps.append((when, step))

    def now(self, step) -> None:
        self.steps.append((None, step))

    def run(self) -> None:
        latest = datetime.max.replace(tzinfo=UTC)
        for when, step in sorted(self.steps, key=lambda s: s[0] or latest):
            if when is None:
                step()
            else:
                with time_machine.travel(when, tick=False):
                    step()


def build_history() -> None:
    """The six states' history, written through the services, each at its own time."""
    icc = User.objects.get(username="icc")
    h = History()
    refs: dict[str, str] = {}
    for year, due in (
        (2023, date(2024, 3, 31)),
        (2024, date(2025, 3, 31)),
        (2025, date(2026, 3, 31)),
    ):
        deadline_set(actor=icc, year=year, due_on=due)

    # France: 2023 two launches, declared alike; 2024 one launch and one cancelled PLN, but
    # two launches declared.
    h.now(
        lambda: import_pln(
            icc,
            "FRA",
            "SLV-medium",
            t("2023-03-10T10:00"),
            t("2023-03-10T14:00"),
            t("2023-03-05T10:00"),
            t("2023-03-10T11:00"),
        )
    )
    h.now(
        lambda: import_pln(
            icc,
            "FRA",
            "SLBM",
            t("2023-06-01T08:00"),
            t("2023-06-01T12:00"),
            t("2023-05-30T08:00"),
            t("2023-06-01T09:00"),
        )
    )
    h.at(
        t("2024-02-01T12:00"),
        lambda: file_declaration(
            icc, "FRA", 2023, "2024-02-01T12:00", **slv(("SLV-medium", 1)), **bm(("SLBM", 1))
        ),
    )
    h.now(
        lambda: import_pln(
            icc,
            "FRA",
            "SLV-medium",
            t("2024-04-10T10:00"),
            t("2024-04-10T14:00"),
            t("2024-04-07T10:00"),
            t("2024-04-10T12:00"),
        )
    )
    h.at(
        t("2024-08-30T10:00"),
        lambda: refs.update(
            cancelled=import_pln(
                icc,
                "FRA",
                "SLV-medium",
                t("2024-09-01T10:00"),
                t("2024-09-01T14:00"),
                t("2024-08-30T10:00"),
            )
        ),
    )
    h.at(
        t("2024-08-31T12:00"),
        lambda: notification_cancel(
            actor=icc, reference=refs["cancelled"], reason="Payload not ready."
        ),
    )
    h.at(
        t("2025-03-01T12:00"),
        lambda: file_declaration(icc, "FRA", 2024, "2025-03-01T12:00", **slv(("SLV-medium", 2))),
    )

    # Japan: a late declaration for 2023; a PLN sent after its window opened (2024); a window
    # that closed with no launch report (2025), and no declaration for 2025.
    h.at(
        t("2024-05-01T12:00"),
        lambda: file_declaration(icc, "JPN", 2023, "2024-05-01T12:00", **slv()),
    )
    h.now(
        lambda: import_pln(
            icc,
            "JPN",
            "SLV-medium",
            t("2024-02-10T00:00"),
            t("2024-02-12T00:00"),
            t("2024-02-10T12:00"),
            t("2024-02-11T01:00"),
        )
    )
    h.at(
        t("2025-03-01T12:00"),
        lambda: file_declaration(icc, "JPN", 2024, "2025-03-01T12:00", **slv(("SLV-medium", 1))),
    )
    h.now(
        lambda: import_pln(
            icc,
            "JPN",
            "SLV-medium",
            t("2025-05-01T00:00"),
            t("2025-05-02T00:00"),
            t("2025-04-28T00:00"),
        )
    )

    # United States: an unnotified launch and a notified one in 2023, both declared (filed on
    # the due date itself: on time); nothing for 2024; a declaration of no launches for 2025.
    h.at(
        t("2023-08-16T12:00"),
        lambda: unnotified_launch_report(
            actor=icc,
            data=UnnotifiedLaunchIn.model_validate(
                {
                    "category": "BM",
                    "generic_class": "ICBM",
                    "launch_area": area(34.7, -120.6),
                    "planned_direction": {"azimuth_deg": 250.0},
                    "launched_at": "2023-08-15T12:00:00Z",
                    "outcome": "success",
                    "reason": "omission",
                    "on_behalf_of": "USA",
                }
            ),
        ),
    )
    h.now(
        lambda: import_pln(
            icc,
            "USA",
            "ICBM",
            t("2023-09-01T06:00"),
            t("2023-09-01T12:00"),
            t("2023-08-31T06:00"),
            t("2023-09-01T07:00"),
        )
    )
    h.at(
        t("2024-03-31T23:00"),
        lambda: file_declaration(icc, "USA", 2023, "2024-03-31T23:00", **bm(("ICBM", 2))),
    )
    h.at(
        t("2026-03-15T12:00"),
        lambda: file_declaration(icc, "USA", 2025, "2026-03-15T12:00", **bm()),
    )

    # United Kingdom: nil declarations, the last one late.
    h.at(
        t("2024-01-15T12:00"),
        lambda: file_declaration(icc, "GBR", 2023, "2024-01-15T12:00", nil=True),
    )
    h.at(
        t("2025-01-15T12:00"),
        lambda: file_declaration(icc, "GBR", 2024, "2025-01-15T12:00", nil=True),
    )
    h.at(
        t("2026-04-15T12:00"),
        lambda: file_declaration(icc, "GBR", 2025, "2026-04-15T12:00", nil=True),
    )

    # India: one SRBM test in 2024, declared as none.
    h.now(
        lambda: import_pln(
            icc,
            "IND",
            "SRBM",
            t("2024-06-01T04:00"),
            t("2024-06-01T10:00"),
            t("2024-05-29T04:00"),
            t("2024-06-01T05:00"),
        )
    )
    h.at(
        t("2025-02-01T12:00"),
        lambda: file_declaration(icc, "IND", 2024, "2025-02-01T12:00", **bm()),
    )

    # China subscribes from 1 July 2024: it has rows for 2024 and 2025, none for 2023.
    h.at(
        t("2024-06-20T12:00"),
        lambda: subscription_record(
            actor=icc,
            iso3="CHN",
            note_reference="Note 2024/17",
            note_received_on=date(2024, 6, 15),
            effective_on=date(2024, 7, 1),
        ),
    )
    h.now(
        lambda: import_pln(
            icc,
            "CHN",
            "SLV-heavy",
            t("2024-10-01T00:00"),
            t("2024-10-01T06:00"),
            t("2024-09-28T00:00"),
            t("2024-10-01T01:00"),
        )
    )
    h.at(
        t("2025-02-01T12:00"),
        lambda: file_declaration(icc, "CHN", 2024, "2025-02-01T12:00", **slv(("SLV-heavy", 1))),
    )
    h.run()


def as_table(items: list[dict]) -> dict:
    out = {}
    for r in items:
        diffs = [
            (d["generic_class"], d["declared"], d["reported"], d["difference"])
            for d in r["differences"]
        ]
        out[r["state"]] = (*(r[k] for k in FIGURES[:7]), diffs, r["mean_lead_time_hours"])
    return out


def check_table(year: int, body: dict) -> None:
    """The six states' rows and the totals equal the hand-written ones; every other row is a
    state that filed nothing: `missing` if the registry dates its subscription, else `unknown`."""
    table = as_table(body["items"])
    assert [r["state"] for r in body["items"]] == sorted(table)
    assert {s: table[s] for s in SIX if s in table} == EXPECTED[year]
    dated = {r["state"] for r in body["items"] if r["subscribed_on"]}
    others = [s for s in table if s not in SIX]
    missing = [s for s in others if s in dated]
    unknown = [s for s in others if s not in dated]
    assert missing and unknown
    assert all(table[s] == ("missing", 0, 0, 0, 0, 0, 0, [], None) for s in missing)
    assert all(table[s] == ("unknown", 0, 0, 0, 0, 0, 0, [], None) for s in unknown)
    expected = dict(zip(TOTAL_KEYS, TOTALS[year], strict=True))
    expected["states"] += len(others)
    expected["missing"] += len(missing)
    expected |= {"not_due": 0, "unknown": len(unknown)}
    assert body["totals"] == expected


@pytest.fixture(scope="class")
def built_history(django_db_setup, django_db_blocker):
    """The personas and the six states' history, built once for `TestOneHistory`
    (support.database.built_once): eight tests read it, and building it is most of their time."""
    with built_once(django_db_blocker):
        make_personas()
        build_history()
        yield


@pytest.fixture
def history(db, built_history):
    """The history as built, inside this test's savepoint (rolled back after it)."""


# ---- through the API (real HTTP) ------------------------------------------------------------


def test_the_api_gives_exactly_the_hand_checked_table_for_each_year(api, personas):
    build_history()
    for year in (2023, 2024, 2025):
        r = api.get(f"/compliance/{year}", personas["jpn_reader"])
        assert r.status_code == 200, r.text
        assert r.json()["year"] == year
        check_table(year, r.json())
    chn = next(
        r
        for r in api.get("/compliance/2024", personas["icc"]).json()["items"]
        if r["state"] == "CHN"
    )
    assert chn["subscribed_on"] == "2024-07-01"
    assert chn["declaration_first_submitted_at"] == "2025-02-01T12:00:00Z"


def test_the_crosscheck_differences_equal_those_of_each_declaration(api, personas):
    build_history()
    for year in (2023, 2024, 2025):
        for row in api.get(f"/compliance/{year}", personas["fra_reader"]).json()["items"]:
            if row["declaration"] in ("missing", "not_due", "unknown"):
                assert row["differences"] == []
                continue
            got = api.get(f"/declarations/{row['state']}/{year}", personas["fra_reader"])
            assert got.status_code == 200
            expected = [
                {k: c[k] for k in ("generic_class", "declared", "reported", "difference")}
                for c in got.json()["crosscheck"]
                if c["difference"]
            ]
            assert row["differences"] == expected
            assert (row["declaration"] == "late") == got.json()["late"]


def test_a_non_subscriber_gets_403_and_an_anonymous_caller_401(api, personas):
    r = api.get("/compliance/2024", personas["prk_user"])
    assert r.status_code == 403 and r.json()["status"] == 403
    r = api.get("/compliance/2024", personas["anonymous"])
    assert r.status_code == 401 and r.json()["status"] == 401


def test_a_year_before_the_code_or_after_this_one_is_refused_naming_the_field(api, personas):
    this_year = datetime.now(UTC).year
    for year in (2001, this_year + 1):
        r = api.get(f"/compliance/{year}", personas["icc"])
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["year"]
    assert api.get(f"/compliance/{this_year}", personas["icc"]).status_code == 200


# ---- the page ------------------------------------------------------------------------------


def shown(row: tuple) -> dict[str, str]:
    diffs = [f"{c} {d}/{r} ({'+' if x > 0 else ''}{x})" for c, d, r, x in row[7]]
    return {
        "declaration": row[0],
        **{k: str(v) for k, v in zip(FIGURES[1:7], row[1:7], strict=True)},
        "differences": " ".join(diffs) or "—",
        # Shown as people read a lead time ("11 days 10 h"), the hours in its title.
        "mean_lead_time_hours": "—" if row[8] is None else duration_text(row[8]),
    }


# ---- real data: the 2024 orbital launches ---------------------------------------------------

GCAT_STATES = {"US": "USA", "F": "FRA", "J": "JPN", "IN": "IND", "RU": "RUS", "KR": "KOR"}
GCAT_STATES |= {"UK": "GBR", "I": "ITA", "D": "DEU", "UA": "UKR", "BR": "BRA", "AU": "AUS"}
# What each state declares for 2024 (SLV-medium): None = exactly what it reported.
DECLARED = {"USA": None, "RUS": None, "IND": None, "JPN": -1, "FRA": +1}


def test_the_2024_orbital_launches_give_each_states_launches_and_only_the_differences_filed(
    personas,
):
    enriched = reference("launches/launches_2024.csv")
    per_state = reference("launches/attempts_2024.csv")
    icc = User.objects.get(username="icc")
    subscribing = {r["state"]: r for r in compliance_for(actor=icc, year=2024)["items"]}
    imported: Counter[str] = Counter()
    with enriched.open(newline="") as f:
        for row in csv.DictReader(f):
            iso3 = GCAT_STATES.get(row["lv_state"])
            if row["year"] != "2024" or iso3 not in subscribing:
                continue  # China, Iran, North Korea, New Zealand, ESA: not subscribing here
            launched = datetime.fromisoformat(row["dt_min"].replace("Z", "+00:00"))
            midnight = launched.replace(hour=0, minute=0, second=0)
            opens = max(launched - timedelta(hours=1), midnight)  # the window opens in 2024
            import_pln(
                icc,
                iso3,
                "SLV-medium",
                opens,
                launched + timedelta(hours=1),
                opens - timedelta(days=3),
                launched,
                launch_area=area(float(row["site_lat"]), float(row["site_lon"])),
                outcome={"TRUE": "success", "FALSE": "failure"}.get(row["success"], "unknown"),
                source=f"GCAT/JSR {row['launch_id']}",
            )
            imported[iso3] += 1

    attempts = {}
    with per_state.open(newline="") as f:
        for row in csv.DictReader(f):
            iso3 = GCAT_STATES.get(row["lv_state"])
            if row["year"] == "2024" and iso3 in subscribing:
                attempts[iso3] = int(row["orbital_launch_attempts"])
    assert set(attempts) == set(DECLARED) and imported == Counter(attempts)

    for iso3, off in DECLARED.items():
        file_declaration(
            icc, iso3, 2024, "2025-02-01T12:00", **slv(("SLV-medium", attempts[iso3] + (off or 0)))
        )
    rows = {r["state"]: r for r in compliance_for(actor=icc, year=2024)["items"]}
    for iso3, n in attempts.items():
        assert rows[iso3]["launched"] == rows[iso3]["plns"] == n
        assert rows[iso3]["declaration"] == "filed"
    assert {s: r["differences"] for s, r in rows.items() if r["differences"]} == {
        "JPN": [{"generic_class": "SLV-medium", "declared": 6, "reported": 7, "difference": -1}],
        "FRA": [{"generic_class": "SLV-medium", "declared": 3, "reported": 2, "difference": 1}],
    }


# ---- the report for the Regular Meeting (XLSX, PDF) ------------------------------------------


def workbook_table(content: bytes, year: int) -> tuple[dict, list]:
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(content))
    rows = list(wb[f"Compliance {year}"].iter_rows(min_row=3, values_only=True))
    table = {r[0]: r for r in rows if r[0] != "Total"}
    discrepancies = list(wb["Discrepancies"].iter_rows(min_row=2, values_only=True))
    return table, discrepancies


# ---- the selector, the page and the report, read from one history --------------------------


class TestOneHistory:
    """The tests that only read the six states' history, from one history built for the class
    (`built_history`): each runs in a savepoint rolled back after it, so each starts from the
    history as built, as if built for it alone."""

    def test_the_selector_runs_a_fixed_number_of_queries_however_many_states(self, history):
        icc = User.objects.get(username="icc")
        counts = []
        for year in (2003, 2023, 2024, 2025):  # 2003 has no activity at all
            with CaptureQueriesContext(connection) as queries:
                compliance_for(actor=icc, year=year)
            counts.append(len(queries))
        assert max(counts) <= 10
        assert counts[1:] == [counts[1]] * 3

    def test_filters_and_sorts_pick_the_rows_the_page_asks_for(self, history):
        items = compliance_for(actor=User.objects.get(username="icc"), year=2024)["items"]
        assert [r["state"] for r in compliance_rows(items, only="differences")] == ["FRA", "IND"]
        assert [r["state"] for r in compliance_rows(items, only="plns_late")] == ["JPN"]
        assert [r["state"] for r in compliance_rows(items, only="nil")] == ["GBR"]
        assert [r["state"] for r in compliance_rows(items, sort="-plns")][:1] == ["FRA"]
        assert [r["state"] for r in compliance_rows(items, sort="-mean_lead_time_hours")][:4] == [
            "CHN",
            "IND",
            "FRA",
            "JPN",
        ]
        late = compliance_rows(
            compliance_for(actor=User.objects.get(username="icc"), year=2023)["items"], only="late"
        )
        assert [r["state"] for r in late] == ["JPN"]

    def test_the_page_shows_the_same_figures_with_totals_and_links(self, history):
        client = web_client("fra_reader")
        for year in (2023, 2024, 2025):
            r = client.get(f"/compliance/{year}")
            assert r.status_code == 200
            html = r.content.decode()
            table = page_table(html)
            assert {s: table[s] for s in SIX if s in table} == {
                s: shown(row) for s, row in EXPECTED[year].items()
            }
            body = compliance_for(actor=User.objects.get(username="icc"), year=year)
            totals = body["totals"]
            for k in ("plns", "plns_late", "cancelled", "launched", "unreported", "unnotified"):
                assert table["totals"][k] == str(totals[k])
            assert table["totals"]["declaration"] == (
                f"{totals['filed']} filed, {totals['late']} late, {totals['nil']} nil, "
                f"{totals['missing']} missing, {totals['not_due']} not yet due, "
                f"{totals['unknown']} not known"
            )
        html = client.get("/compliance/2024").content.decode()
        assert (
            "/notifications/?state=FRA&amp;window_from=2024-01-01&amp;window_to=2024-12-31"
            "&amp;status=cancelled" in html
        )
        assert 'href="/declarations/IND/2024"' in html
        assert 'data-state="CHN"' not in client.get("/compliance/2023").content.decode()

    def test_the_page_filters_and_sorts_by_its_get_parameters(self, history):
        client = web_client("icc")
        table = page_table(client.get("/compliance/2024?only=differences").content.decode())
        assert set(table) == {"FRA", "IND", "totals"}
        html = client.get("/compliance/2025?sort=-unreported").content.decode()
        assert list(page_table(html))[0] == "JPN"

    def test_the_compliance_page_without_a_year_shows_last_year(self, history):
        r = web_client("jpn_reader").get("/compliance/")
        assert r.status_code == 302
        assert r["Location"] == f"/compliance/{datetime.now(UTC).year - 1}"

    def test_a_non_subscriber_gets_a_403_page_and_an_anonymous_visitor_the_login(self, history):
        assert web_client("prk_user").get("/compliance/2024").status_code == 403
        from django.test import Client

        r = Client().get("/compliance/2024")
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
        assert web_client("icc").get("/compliance/2001").status_code == 404

    def test_the_workbook_gives_exactly_the_hand_checked_table_for_each_year(self, history):
        client = web_client("fra_reader")
        for year, expected in EXPECTED.items():
            r = client.get(f"/compliance/{year}/report.xlsx")
            assert r.status_code == 200 and r["Content-Disposition"].endswith(
                f'hcoc-compliance-{year}.xlsx"'
            )
            table, discrepancies = workbook_table(r.content, year)
            for state, (standing, *counts, diffs, lead) in expected.items():
                row = table[state]
                assert (row[2], *row[3:9]) == (standing, *counts)
                assert (row[9] or "") == "; ".join(f"{c} {d:+d}" for c, _, _, d in diffs)
                assert row[10] == lead
            assert sorted(discrepancies) == sorted(
                (s, c, dec, rep, d) for s, e in expected.items() for c, dec, rep, d in e[7]
            )

    @pytest.mark.process  # pdftotext reads the PDF as a viewer does
    def test_the_page_and_the_reports_name_each_state_in_the_readers_language(self, history):
        """The table's names came from the registry, in English, on a French page and in a
        Chinese PDF ("India (IND)"); CLDR's names are the pages' everywhere else. The API keeps
        the registry's name: it is the contract's `name`."""
        from support.pdf import visible_text

        client = web_client("fra_reader")
        User.objects.filter(username="fra_reader").update(language="fr")
        html = client.get("/compliance/2024").content.decode()
        assert "Inde <small>" in html and "India" not in html
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(client.get("/compliance/2024/report.xlsx").content))
        rows = book.worksheets[0].iter_rows(min_row=3, values_only=True)
        assert {r[0]: r[1] for r in rows}["IND"] == "Inde"
        User.objects.filter(username="fra_reader").update(language="zh-hans")
        pdf = visible_text(client.get("/compliance/2024/report.pdf").content)
        assert "印度" in pdf and "India" not in pdf
        User.objects.filter(username="fra_reader").update(language="en")
        assert "India <small>" in client.get("/compliance/2024").content.decode()
        api = {
            r["state"]: r["name"]
            for r in compliance_for(actor=User.objects.get(username="fra_reader"), year=2024)[
                "items"
            ]
        }
        assert api["IND"] == "India"

    def test_the_pdf_and_the_report_command_come_from_the_same_figures(self, history, tmp_path):
        from io import StringIO

        from django.core.management import call_command

        r = web_client("icc").get("/compliance/2024/report.pdf")
        assert (
            r.status_code == 200
            and r["Content-Type"] == "application/pdf"
            and r.content.startswith(b"%PDF")
        )
        out = StringIO()
        call_command("report", "2024", "--as", "icc", "--out", str(tmp_path), stdout=out)
        table, _ = workbook_table((tmp_path / "hcoc-compliance-2024.xlsx").read_bytes(), 2024)
        assert table["IND"][9] == "SRBM -1"
        assert (tmp_path / "hcoc-compliance-2024.pdf").read_bytes().startswith(b"%PDF")
        assert web_client("fra_reader").get("/compliance/2024/report.doc").status_code == 404
