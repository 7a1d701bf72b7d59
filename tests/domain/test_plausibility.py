"""Plausibility bounds (issue 10, finding 7; docs/api.md, "Plausibility bounds"): dates and
ranges a user would never mean are refused with 422 naming the field, every problem in one
answer, and nothing is stored; the bounds themselves are accepted."""

import re
from datetime import UTC, date, datetime, timedelta
from html import escape

import pytest
import time_machine
from support.bodies import iso, pln
from support.meetings import meeting_body, open_meeting
from support.people import web_client
from support.stored import nothing_stored

from hcoc.lib.rule_tools import years_after

SECOND = timedelta(seconds=1)


# ---- helpers --------------------------------------------------------------------------------


def refused(r, *expected: str) -> dict[str, list[str]]:
    """A 422 problem whose fields are exactly `expected`: field -> messages."""
    assert r.status_code == 422, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json")
    messages: dict[str, list[str]] = {}
    for e in r.json()["errors"]:
        messages.setdefault(e["field"], []).append(e["message"])
    assert set(messages) == set(expected), messages
    return messages


def created(r) -> dict:
    assert r.status_code == 201, r.text
    return r.json()


def window(opens: datetime, closes: datetime) -> dict:
    return {"opens": iso(opens), "closes": iso(closes)}


def bm(generic_class: str, km: float, **overrides) -> dict:
    return pln(category="BM", generic_class=generic_class, range_km=km, **overrides)


@pytest.fixture
def fra(personas):
    return personas["fra_submitter"]


@pytest.fixture
def icc(personas):
    return personas["icc"]


@pytest.fixture
def frozen():
    """The clock stopped (for the server too), so that a bound can be hit to the second."""
    at = datetime.now(UTC).replace(microsecond=0) + SECOND
    with time_machine.travel(at, tick=False):
        yield at


# ---- PLN window -----------------------------------------------------------------------------


def test_a_window_in_the_year_9999_is_refused_naming_window_opens(api, fra):
    body = pln(window={"opens": "9999-06-01T06:00:00Z", "closes": "9999-06-01T12:00:00Z"})
    with nothing_stored():
        r = api.post("/notifications", fra, json=body)
    [message] = refused(r, "window.opens")["window.opens"]
    assert message.startswith("must be at most a year after submission: ")


def test_a_window_opens_at_most_one_year_after_submission(api, fra, frozen):
    latest = years_after(frozen, 1)
    with nothing_stored():
        r = api.post(
            "/notifications", fra, json=pln(window=window(latest + SECOND, latest + 2 * SECOND))
        )
    assert refused(r, "window.opens")["window.opens"] == [
        f"must be at most a year after submission: {iso(latest)} at the latest"
    ]
    n = created(api.post("/notifications", fra, json=pln(window=window(latest, latest + SECOND))))
    assert n["window"]["opens"] == iso(latest)


def test_an_amendment_follows_the_same_bounds(api, fra):
    n = created(api.post("/notifications", fra, json=bm("MRBM", 2000)))
    body = bm(
        "MRBM",
        9000,
        window={"opens": "9999-06-01T06:00:00Z", "closes": "9999-06-01T12:00:00Z"},
    )
    with nothing_stored():
        r = api.post(f"/notifications/{n['reference']}/amendments", fra, json=body)
    refused(r, "window.opens", "range_km")
    assert api.get(f"/notifications/{n['reference']}", fra).json()["version"] == 1


# ---- range_km and the generic class ---------------------------------------------------------

# fmt: off
RANGE_REFUSED = [
    ("SRBM", 1000, "an SRBM's range is under 1,000 km; 1,000 km is outside it (it is an MRBM's range)"),
    ("MRBM", 999.5, "an MRBM's range is from 1,000 km to under 3,000 km; 999.5 km is outside it (it is an SRBM's range)"),
    ("MRBM", 3000, "an MRBM's range is from 1,000 km to under 3,000 km; 3,000 km is outside it (it is an IRBM's range)"),
    ("MRBM", 9000, "an MRBM's range is from 1,000 km to under 3,000 km; 9,000 km is outside it (it is an ICBM's range)"),
    ("IRBM", 2999, "an IRBM's range is from 3,000 km to 5,500 km; 2,999 km is outside it (it is an MRBM's range)"),
    ("IRBM", 5500.5, "an IRBM's range is from 3,000 km to 5,500 km; 5,500.5 km is outside it (it is an ICBM's range)"),
    ("ICBM", 5500, "an ICBM's range is over 5,500 km, up to 20,000 km; 5,500 km is outside it (it is an IRBM's range)"),
    ("ICBM", 20001, "an ICBM's range is over 5,500 km, up to 20,000 km; 20,001 km is outside it"),
]
RANGE_ACCEPTED = [
    ("SRBM", 999.9), ("MRBM", 1000), ("MRBM", 2999.9), ("IRBM", 3000), ("IRBM", 5500),
    ("ICBM", 5500.1), ("ICBM", 20000), ("SLBM", 45000), ("SLV-small", 50000),
]
# fmt: on


@pytest.mark.parametrize(
    "generic_class, km, message", RANGE_REFUSED, ids=[f"{c}-{k}" for c, k, _ in RANGE_REFUSED]
)
def test_a_range_outside_its_generic_class_is_refused_naming_the_class_range(
    api, fra, generic_class, km, message
):
    with nothing_stored():
        r = api.post("/notifications", fra, json=bm(generic_class, km))
    assert refused(r, "range_km")["range_km"] == [message]


def test_the_class_ranges_own_bounds_are_accepted(api, fra):
    # 1,000 km is an MRBM's, 3,000 km an IRBM's, 5,500 km an IRBM's (lib/vocabulary.py).
    for generic_class, km in RANGE_ACCEPTED:
        category = "SLV" if generic_class.startswith("SLV") else "BM"
        body = pln(category=category, generic_class=generic_class, range_km=km)
        assert created(api.post("/notifications", fra, json=body))["range_km"] == km


def test_every_implausible_value_comes_back_in_one_answer_with_the_shape_problems(api, fra):
    body = bm(
        "MRBM",
        9000,
        window={"opens": "9999-06-01T06:00:00Z", "closes": "9999-06-01T12:00:00Z"},
        launch_area={"site_id": "NOWHERE"},
        apogee_km=-1,
    )
    with nothing_stored():
        r = api.post("/notifications", fra, json=body)
    refused(r, "window.opens", "range_km", "launch_area.site_id", "apogee_km")


# ---- launch reports -------------------------------------------------------------------------


def report(launched_at: datetime | str) -> dict:
    when = launched_at if isinstance(launched_at, str) else iso(launched_at)
    return {"launched_at": when, "outcome": "success"}


def test_a_launch_report_dated_1900_is_refused(api, fra):
    n = created(api.post("/notifications", fra, json=pln()))
    with nothing_stored():
        r = api.post(
            f"/notifications/{n['reference']}/launch-report",
            fra,
            json=report("1900-12-03T07:00:00Z") | {"outcome": "boom"},
        )
    messages = refused(r, "launched_at", "outcome")
    assert messages["launched_at"] == [
        "must not be before 1 January 1957: the first ballistic missiles of intercontinental "
        "range and the first satellite flew in 1957"
    ]


def test_a_launch_is_at_most_30_days_before_its_window(api, fra, frozen):
    n = created(api.post("/notifications", fra, json=pln()))
    opens = datetime.fromisoformat(n["window"]["opens"])
    path = f"/notifications/{n['reference']}/launch-report"
    with nothing_stored():
        r = api.post(path, fra, json=report(opens - timedelta(days=30) - SECOND))
    [message] = refused(r, "launched_at")["launched_at"]
    assert message == (
        f"must not be more than 30 days before the window opens ({iso(opens)}): "
        f"{iso(opens - timedelta(days=30))} at the earliest"
    )
    done = created(api.post(path, fra, json=report(opens - timedelta(days=30))))
    assert done["launch_report"]["outside_window"] is True


def test_a_launch_is_reported_at_most_a_year_after_its_window_closes(api, fra, frozen):
    n = created(api.post("/notifications", fra, json=pln()))
    closes = datetime.fromisoformat(n["window"]["closes"])
    last = years_after(closes, 1)
    path = f"/notifications/{n['reference']}/launch-report"
    with time_machine.travel(last + timedelta(days=1), tick=False):
        with nothing_stored():
            r = api.post(path, fra, json=report(last + SECOND))
        [message] = refused(r, "launched_at")["launched_at"]
        assert message.startswith("must be at most a year after the window closes")
        assert "report a later launch as an unnotified launch" in message
        done = created(api.post(path, fra, json=report(last)))
    assert (done["status"], done["launch_report"]["launched_at"]) == ("launched", iso(last))


# ---- unnotified launches --------------------------------------------------------------------


def unnotified(launched_at: str) -> dict:
    return {
        "category": "BM",
        "generic_class": "SLBM",
        "launch_area": {"center": {"lat": 45.0, "lon": -5.0}, "radius_km": 50},
        "planned_direction": {"azimuth_deg": 270.0},
        "launched_at": launched_at,
        "outcome": "success",
        "reason": "omission",
    }


def test_an_unnotified_launch_in_the_year_1000_is_refused(api, fra):
    with nothing_stored():
        r = api.post("/unnotified-launches", fra, json=unnotified("1000-06-01T00:00:00Z"))
    assert refused(r, "launched_at")["launched_at"] == [
        "must not be before 25 November 2002, when the Code was launched "
        "(only a historical import goes further back)"
    ]


def test_an_unnotified_launch_is_not_before_the_code(api, fra):
    with nothing_stored():
        r = api.post("/unnotified-launches", fra, json=unnotified("2002-11-24T23:59:59Z"))
    refused(r, "launched_at")
    n = created(api.post("/unnotified-launches", fra, json=unnotified("2002-11-25T00:00:00Z")))
    assert n["launch_report"]["launched_at"] == "2002-11-25T00:00:00Z"


def test_an_unnotified_launch_is_not_in_the_future(api, fra, frozen):
    with nothing_stored():
        r = api.post("/unnotified-launches", fra, json=unnotified(iso(frozen + SECOND)))
    assert refused(r, "launched_at")["launched_at"] == ["must not be in the future"]
    created(api.post("/unnotified-launches", fra, json=unnotified(iso(frozen))))


# ---- historical imports ---------------------------------------------------------------------


def imported(state: str, first: str, opens: str, closes: str, launched: str | None) -> dict:
    return {
        "state": state,
        "first_submitted_at": first,
        "notification": pln(window={"opens": opens, "closes": closes}),
        "launch_report": None if launched is None else report(launched),
        "source": "ICC archive (test)",
    }


def test_an_import_may_go_back_to_1957_and_no_further(api, icc):
    # Australia: subscribing, its subscription date unknown, so any past date is in its time.
    before = imported(
        "AUS", "1956-12-31T23:59:59Z", "1957-01-01T06:00:00Z", "1957-01-01T12:00:00Z", None
    )
    with nothing_stored():
        r = api.post("/imports/notifications", icc, json=before)
    assert refused(r, "first_submitted_at")["first_submitted_at"][0].startswith(
        "must not be before 1 January 1957"
    )
    window_before = imported(
        "AUS", "1957-01-01T00:00:00Z", "1956-12-31T20:00:00Z", "1957-01-01T06:00:00Z", None
    )
    with nothing_stored():
        r = api.post("/imports/notifications", icc, json=window_before)
    refused(r, "notification.window.opens")
    first = imported(
        "AUS",
        "1957-01-01T00:00:00Z",
        "1957-01-01T06:00:00Z",
        "1957-01-01T12:00:00Z",
        "1957-01-01T07:00:00Z",
    )
    n = created(api.post("/imports/notifications", icc, json=first))
    assert (n["reference"], n["imported"], n["status"]) == ("AUS-1957-0001", True, "launched")


def test_an_imported_window_opens_at_most_a_year_after_its_first_submission(api, icc):
    first = "2024-03-01T09:00:00Z"
    late = imported("FRA", first, "2025-03-01T09:00:01Z", "2025-03-01T12:00:00Z", None)
    with nothing_stored():
        r = api.post("/imports/notifications", icc, json=late)
    assert refused(r, "notification.window.opens")["notification.window.opens"] == [
        "must be at most a year after first_submitted_at: 2025-03-01T09:00:00Z at the latest"
    ]
    ok = imported("FRA", first, "2025-03-01T09:00:00Z", "2025-03-01T12:00:00Z", None)
    created(api.post("/imports/notifications", icc, json=ok))


@pytest.mark.parametrize(
    "launched, accepted",
    [
        ("2024-02-04T05:59:59Z", False),  # 30 days and a second before the window opens
        ("2024-02-04T06:00:00Z", True),
        ("2025-03-05T12:00:00Z", True),  # a year after it closes
        ("2025-03-05T12:00:01Z", False),
    ],
)
def test_an_imported_launch_report_keeps_near_its_window(api, icc, launched, accepted):
    body = imported(
        "FRA", "2024-03-01T09:00:00Z", "2024-03-05T06:00:00Z", "2024-03-05T12:00:00Z", launched
    )
    if accepted:
        created(api.post("/imports/notifications", icc, json=body))
    else:
        with nothing_stored():
            r = api.post("/imports/notifications", icc, json=body)
        refused(r, "launch_report.launched_at")


# ---- declarations and their deadlines -------------------------------------------------------


def test_a_declaration_deadline_in_9999_is_refused_naming_both_fields(api, icc):
    with nothing_stored():
        r = api.post("/deadlines", icc, json={"year": 9999, "due_on": "9999-12-31"})
    messages = refused(r, "year", "due_on")
    assert messages["year"] == [f"must be a year from 2002 to {datetime.now(UTC).year + 1}"]


def test_a_deadline_covers_a_year_up_to_next_year(api, icc, frozen):
    year = frozen.year + 2
    with nothing_stored():
        r = api.post("/deadlines", icc, json={"year": year, "due_on": f"{year + 1}-03-31"})
    refused(r, "year")
    year = frozen.year + 1
    created(api.post("/deadlines", icc, json={"year": year, "due_on": f"{year + 1}-03-31"}))


def test_a_due_date_falls_within_three_years_after_its_year(api, icc):
    year = datetime.now(UTC).year - 1
    with nothing_stored():
        r = api.post("/deadlines", icc, json={"year": year, "due_on": f"{year + 4}-01-01"})
    assert refused(r, "due_on")["due_on"] == [
        f"must be within 3 years after the end of {year}: {year + 3}-12-31 at the latest"
    ]
    created(api.post("/deadlines", icc, json={"year": year, "due_on": f"{year + 3}-12-31"}))


def test_an_extension_falls_within_three_years_after_its_year(api, icc):
    year = datetime.now(UTC).year - 1
    created(api.post("/deadlines", icc, json={"year": year, "due_on": f"{year + 1}-03-31"}))
    path = f"/deadlines/{year}/extensions"
    body = {"state": "JPN", "due_on": f"{year + 4}-01-01", "reason": "Elections."}
    with nothing_stored():
        r = api.post(path, icc, json=body)
    refused(r, "due_on")
    extended = created(api.post(path, icc, json=body | {"due_on": f"{year + 3}-12-31"}))
    assert extended["extensions"][0]["due_on"] == f"{year + 3}-12-31"


def test_a_declaration_covers_2002_at_the_earliest(api, fra):
    from support.bodies import declaration

    with nothing_stored():
        r = api.post("/declarations", fra, json=declaration(2001))
    refused(r, "year")
    assert created(api.post("/declarations", fra, json=declaration(2002)))["year"] == 2002


# ---- Regular Meetings -----------------------------------------------------------------------


def test_a_meeting_in_9999_is_refused_naming_both_dates(api, icc):
    body = meeting_body(25) | {"opens_on": "9999-01-01", "closes_on": "9999-01-02"}
    with nothing_stored():
        r = api.post("/meetings", icc, json=body)
    messages = refused(r, "opens_on", "closes_on")
    assert messages["opens_on"][0].startswith("must not be more than 5 years ahead: ")


def test_a_meetings_dates_run_from_the_code_to_five_years_ahead(api, icc, frozen):
    today = frozen.date()
    latest = years_after(today, 5)
    too_early = meeting_body(1) | {"opens_on": "2002-11-24", "closes_on": "2002-11-25"}
    too_late = meeting_body(2) | {"closes_on": (latest + timedelta(days=1)).isoformat()}
    with nothing_stored():
        early, late = (api.post("/meetings", icc, json=b) for b in (too_early, too_late))
        assert refused(early, "opens_on")["opens_on"] == [
            "must not be before 25 November 2002, when the Code was launched"
        ]
        assert refused(late, "closes_on")["closes_on"] == [
            f"must not be more than 5 years ahead: {latest} at the latest"
        ]
    created(api.post("/meetings", icc, json=too_early | {"opens_on": "2002-11-25"}))
    created(api.post("/meetings", icc, json=too_late | {"closes_on": latest.isoformat()}))


def test_a_silence_procedure_runs_at_most_a_year(api, personas, frozen):
    open_meeting(api, personas)
    latest = years_after(frozen, 1)
    body = {"agenda_item": 1, "text": "x", "procedure": "silence"}
    chair = personas["fra_submitter"]
    with nothing_stored():
        r = api.post(
            "/meetings/25/proposals", chair, json=body | {"deadline": iso(latest + SECOND)}
        )
    assert refused(r, "deadline")["deadline"] == [
        f"must be at most a year ahead: {iso(latest)} at the latest"
    ]
    p = created(api.post("/meetings/25/proposals", chair, json=body | {"deadline": iso(latest)}))
    assert p["deadline"] == iso(latest)


# ---- observer invitations -------------------------------------------------------------------


def invitation(opens: date, closes: date, reply_by: date) -> dict:
    return {
        "site_id": "FRA-KOUROU",
        "opens": opens.isoformat(),
        "closes": closes.isoformat(),
        "access": "Observation site at 6 km.",
        "audience": "all",
        "places": 2,
        "reply_by": reply_by.isoformat(),
    }


def test_an_invitation_in_9999_is_refused_naming_every_date(api, fra):
    day = date(9999, 1, 1)
    with nothing_stored():
        r = api.post("/invitations", fra, json=invitation(day, day + timedelta(days=2), day))
    refused(r, "opens", "closes", "reply_by")


def test_an_invitations_dates_run_to_five_years_ahead(api, fra, frozen):
    latest = years_after(frozen.date(), 5)
    opens, reply_by = latest - timedelta(days=2), latest - timedelta(days=30)
    with nothing_stored():
        r = api.post(
            "/invitations", fra, json=invitation(opens, latest + timedelta(days=1), reply_by)
        )
    assert refused(r, "closes")["closes"] == [
        f"must not be more than 5 years ahead: {latest} at the latest"
    ]
    with nothing_stored():
        r = api.post(
            "/invitations",
            fra,
            json=invitation(
                latest + timedelta(days=1), latest + timedelta(days=1), latest + timedelta(days=1)
            ),
        )
    refused(r, "opens", "closes", "reply_by")
    created(api.post("/invitations", fra, json=invitation(latest, latest, latest)))


# ---- the web pages show the same messages at their fields -----------------------------------


def slot(html: str, name: str) -> str:
    m = re.search(rf'<div id="err-{re.escape(name)}"[^>]*>(.*?)</div>', html, re.S)
    assert m, f"no error slot {name}"
    return m.group(1)


def test_the_pln_form_shows_the_bounds_at_their_fields(api, fra):
    expected = refused(
        api.post(
            "/notifications",
            fra,
            json=bm(
                "MRBM",
                9000,
                window={"opens": "9999-06-01T06:00:00Z", "closes": "9999-06-01T12:00:00Z"},
            ),
        ),
        "window.opens",
        "range_km",
    )
    form = {
        "action": "review",
        "area_mode": "site",
        "site_id": "FRA-KOUROU",
        "direction_mode": "azimuth",
        "azimuth_deg": "90",
        "window_opens": "9999-06-01T06:00",
        "window_closes": "9999-06-01T12:00",
        "category": "BM",
        "generic_class": "MRBM",
        "range_km": "9000",
    }
    client = web_client(fra.username)
    with nothing_stored():
        r = client.post("/notifications/new", form)
    html = r.content.decode()
    assert r.status_code == 422
    assert escape(expected["range_km"][0]) in slot(html, "range_km")
    # The limit is "a year after submission": the form's second is not the API call's.
    assert "must be at most a year after submission" in slot(html, "window_opens")


def test_the_launch_report_form_shows_the_bounds_at_launched_at(api, fra):
    n = created(api.post("/notifications", fra, json=pln()))
    client = web_client(fra.username)
    url = f"/notifications/{n['reference']}/report"
    with nothing_stored():
        old = client.post(url, {"launched_at": "1900-12-03T07:00", "outcome": "success"})
        opens = datetime.fromisoformat(n["window"]["opens"])
        early = (opens - timedelta(days=31)).strftime("%Y-%m-%dT%H:%M")
        before = client.post(url, {"launched_at": early, "outcome": "success"})
    assert old.status_code == before.status_code == 422
    assert "must not be before 1 January 1957" in slot(old.content.decode(), "launched_at")
    assert "30 days before the window opens" in slot(before.content.decode(), "launched_at")
