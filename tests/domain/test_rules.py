"""Every rule of docs/formats.md, with a bad input: the status, the field path in the problem details,
and that nothing was stored or changed. A few positive checks pin the rules' other side."""

import copy
import math
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from support.bodies import declaration, iso, pln
from support.stored import nothing_stored

PROBLEM_JSON = "application/problem+json"
DROP = object()  # a mutation value that removes the field
NOW = datetime.now(UTC).replace(microsecond=0)
THIS_YEAR = NOW.year


# ---- helpers --------------------------------------------------------------------------------


def assert_problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == status
    if field is not None:
        fields = [e["field"] for e in body.get("errors", [])]
        assert field in fields, f"expected a problem at {field!r}, got {body.get('errors')}"
    return body


def mutated(body: dict, changes: dict) -> dict:
    """A copy of body with each dotted path (`a.b[2].c`) set to its value, or dropped (DROP)."""
    body = copy.deepcopy(body)
    for path, value in changes.items():
        keys = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]
        target = body
        for k in keys[:-1]:
            target = target[k]
        if value is DROP:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value(body) if callable(value) else value
    return body


def cases(table: list[tuple]) -> list:
    """A rule table's rows (id, *values) as pytest params named by their id."""
    return [pytest.param(*values, id=case_id) for case_id, *values in table]


def window(opens: datetime, closes: datetime) -> dict:
    return {"opens": iso(opens), "closes": iso(closes)}


def act(api, who, ref: str, action: str, body: dict) -> dict:
    """A successful cancellation or launch report, to set up a conflict."""
    r = api.post(f"/notifications/{ref}/{action}", who, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def submit(api, who, **overrides) -> dict:
    r = api.post("/notifications", who, json=pln(**overrides))
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def fra(personas):
    return personas["fra_submitter"]


@pytest.fixture
def notified(api, fra) -> dict:
    return submit(api, fra)


def circle(n: int) -> list[dict]:
    return [
        {"lat": 10 * math.sin(2 * math.pi * i / n), "lon": 10 * math.cos(2 * math.pi * i / n)}
        for i in range(n)
    ]


# ---- pre-launch notification: submit --------------------------------------------------------

SOON = NOW + timedelta(days=10)
# fmt: off
PLN_RULES = [
    ("category-not-bm-or-slv", {"category": "ICBM"}, "category"),
    ("generic-class-unknown", {"generic_class": "SLV-enormous"}, "generic_class"),
    ("generic-class-of-another-category", {"generic_class": "ICBM"}, "generic_class"),
    ("vehicle-name-too-long", {"vehicle_name": "x" * 201}, "vehicle_name"),
    ("test-flight-not-boolean", {"test_flight": "yes"}, "test_flight"),
    ("window-missing", {"window": DROP}, "window"),
    ("opens-without-zone", {"window.opens": "2026-12-03T06:00:00"}, "window.opens"),
    ("opens-as-a-number", {"window.opens": 1796277600}, "window.opens"),
    ("closes-before-opens", {"window": window(SOON, SOON - timedelta(hours=1))}, "window.closes"),
    ("closes-equal-opens", {"window": window(SOON, SOON)}, "window.closes"),
    ("window-over-30-days", {"window": window(SOON, SOON + timedelta(days=30, seconds=1))}, "window.closes"),
    ("closes-in-the-past", {"window": window(NOW - timedelta(days=2), NOW - timedelta(days=1))}, "window.closes"),
    ("launch-area-without-a-shape", {"launch_area": {"description": "somewhere"}}, "launch_area"),
    ("launch-area-with-two-shapes", {"launch_area": {"site_id": "FRA-KOUROU", "center": {"lat": 5, "lon": -52}, "radius_km": 10}}, "launch_area"),
    ("launch-area-unknown-site", {"launch_area": {"site_id": "FRA-ATLANTIS"}}, "launch_area.site_id"),
    ("center-without-radius", {"launch_area": {"center": {"lat": 5, "lon": -52}}}, "launch_area"),
    ("radius-zero", {"launch_area": {"center": {"lat": 5, "lon": -52}, "radius_km": 0}}, "launch_area.radius_km"),
    ("radius-over-2000", {"launch_area": {"center": {"lat": 5, "lon": -52}, "radius_km": 2001}}, "launch_area.radius_km"),
    ("lat-91", {"launch_area": {"center": {"lat": 91, "lon": 0}, "radius_km": 10}}, "launch_area.center.lat"),
    ("lon-181", {"launch_area": {"center": {"lat": 0, "lon": 181}, "radius_km": 10}}, "launch_area.center.lon"),
    ("lat-as-text", {"launch_area": {"center": {"lat": "9.4", "lon": 0}, "radius_km": 10}}, "launch_area.center.lat"),
    ("polygon-of-2-points", {"launch_area": {"polygon": circle(3)[:2]}}, "launch_area.polygon"),
    ("polygon-on-one-line", {"launch_area": {"polygon": [{"lat": 0, "lon": 0}, {"lat": 1, "lon": 1}, {"lat": 2, "lon": 2}]}}, "launch_area.polygon"),
    ("polygon-of-1001-points", {"launch_area": {"polygon": circle(1001)}}, "launch_area.polygon"),
    ("description-too-long", {"launch_area.description": "x" * 501}, "launch_area.description"),
    ("planned-direction-missing", {"planned_direction": DROP}, "planned_direction"),
    ("azimuth-360", {"planned_direction": {"azimuth_deg": 360}}, "planned_direction.azimuth_deg"),
    ("azimuth-negative", {"planned_direction": {"azimuth_deg": -1}}, "planned_direction.azimuth_deg"),
    ("sector-wider-than-180", {"planned_direction": {"azimuth_from_deg": 350, "azimuth_to_deg": 171}}, "planned_direction"),
    ("azimuth-and-sector", {"planned_direction": {"azimuth_deg": 90, "azimuth_from_deg": 80, "azimuth_to_deg": 100}}, "planned_direction"),
    ("21-impact-areas", {"impact_areas": lambda b: b["impact_areas"] * 21}, "impact_areas"),
    ("impact-area-bad-kind", {"impact_areas[0].kind": "booster"}, "impact_areas[0].kind"),
    ("impact-area-without-kind", {"impact_areas[0].kind": DROP}, "impact_areas[0].kind"),
    ("impact-area-unknown-site", {"impact_areas": [{"kind": "debris", "site_id": "FRA-ATLANTIS"}]}, "impact_areas[0].site_id"),
    ("range-zero", {"range_km": 0}, "range_km"),
    ("range-over-50000", {"range_km": 50001}, "range_km"),
    ("apogee-over-50000", {"apogee_km": 50000.5}, "apogee_km"),
    ("remarks-too-long", {"remarks": "x" * 4001}, "remarks"),
    ("unknown-top-level-field", {"colour": "blue"}, "colour"),
    ("unknown-nested-field", {"window.timezone": "UTC"}, "window.timezone"),
]
# fmt: on


@pytest.mark.parametrize("changes, field", cases(PLN_RULES))
def test_a_notification_breaking_a_rule_is_rejected_with_its_field_and_nothing_is_stored(
    api, fra, changes, field
):
    with nothing_stored():
        r = api.post("/notifications", fra, json=mutated(pln(), changes))
    assert_problem(r, 422, field)


BOW_TIES = {
    "bow-tie": [(0, 0), (2, 2), (0, 2), (1, 0)],
    "symmetric-bow-tie": [(0, 0), (1, 1), (0, 1), (1, 0)],  # its lobes' areas cancel out
}


@pytest.mark.parametrize("points", BOW_TIES.values(), ids=BOW_TIES.keys())
def test_a_self_intersecting_polygon_is_rejected_as_not_simple(api, fra, points):
    area = {"polygon": [{"lat": lat, "lon": lon} for lat, lon in points]}
    with nothing_stored():
        r = api.post("/notifications", fra, json=pln(launch_area=area))
    problem = assert_problem(r, 422, "launch_area.polygon")
    assert "not a simple polygon" in problem["errors"][0]["message"]


def test_the_limits_themselves_are_accepted(api, fra):
    # The other side of the table: each bound is inclusive where docs/formats.md says so.
    n = submit(
        api,
        fra,
        vehicle_name="x" * 200,
        window=window(SOON, SOON + timedelta(days=30)),
        launch_area={"polygon": circle(1000), "description": "x" * 500},
        planned_direction={"azimuth_from_deg": 350, "azimuth_to_deg": 170},  # exactly 180 wide
        impact_areas=[{"kind": "debris", "center": {"lat": -90, "lon": 180}, "radius_km": 2000}]
        * 20,
        range_km=50000,
        apogee_km=50000,
        remarks="x" * 4000,
    )
    assert n["planned_direction"] == {"azimuth_from_deg": 350, "azimuth_to_deg": 170}
    assert len(n["impact_areas"]) == 20


def test_a_body_with_several_problems_reports_all_of_them_in_one_answer(api, fra):
    body = mutated(
        pln(),
        {
            "category": "XX",
            "window": window(SOON, SOON - timedelta(hours=1)),
            "impact_areas[0].kind": "booster",
            "range_km": -5,
            "colour": "blue",
        },
    )
    with nothing_stored():
        r = api.post("/notifications", fra, json=body)
    problem = assert_problem(r, 422)
    fields = {e["field"] for e in problem["errors"]}
    assert {"category", "window.closes", "impact_areas[0].kind", "range_km", "colour"} <= fields
    assert all(e["message"] for e in problem["errors"])


def test_a_body_that_is_not_json_is_a_400_problem(api, fra):
    with nothing_stored():
        r = api.post(
            "/notifications",
            fra,
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
    assert_problem(r, 400)
    assert r.json()["errors"] == [{"field": "body", "message": "not valid JSON"}]


def test_a_body_that_is_a_json_array_is_a_client_error_problem(api, fra):
    with nothing_stored():
        r = api.post("/notifications", fra, json=[pln()])
    assert 400 <= r.status_code < 500
    assert_problem(r, r.status_code)


def test_a_body_over_one_mebibyte_is_a_413_problem(api, fra):
    with nothing_stored():
        r = api.post("/notifications", fra, json=pln(remarks="x" * (1024 * 1024)))
    assert_problem(r, 413)


# ---- pre-launch notification: amend, cancel, report -----------------------------------------


def test_an_amendment_breaking_a_rule_is_rejected_and_the_version_is_unchanged(api, fra, notified):
    ref = notified["reference"]
    with nothing_stored():
        r = api.post(
            f"/notifications/{ref}/amendments",
            fra,
            json=pln(window=window(SOON, SOON - timedelta(hours=1))),
        )
    assert_problem(r, 422, "window.closes")
    assert api.get(f"/notifications/{ref}", fra).json()["version"] == 1


def test_a_cancelled_notification_cannot_be_amended(api, fra, notified):
    ref = notified["reference"]
    act(api, fra, ref, "cancellation", {"reason": "weather"})
    with nothing_stored():
        r = api.post(f"/notifications/{ref}/amendments", fra, json=pln())
    assert_problem(r, 409)


def test_a_notification_whose_window_has_closed_cannot_be_amended(api, fra, notified):
    ref = notified["reference"]
    after = datetime.fromisoformat(notified["window"]["closes"]) + timedelta(hours=1)
    with time_machine.travel(after, tick=True):
        body = pln(window=window(after + timedelta(days=1), after + timedelta(days=2)))
        with nothing_stored():
            r = api.post(f"/notifications/{ref}/amendments", fra, json=body)
        assert_problem(r, 409)
        assert api.get(f"/notifications/{ref}", fra).json()["status"] == "unreported"


def test_amending_an_unknown_reference_is_not_found(api, fra):
    with nothing_stored():
        r = api.post("/notifications/FRA-2026-9999/amendments", fra, json=pln())
    assert_problem(r, 404)


@pytest.mark.parametrize("body", [{"reason": ""}, {}], ids=["empty-reason", "missing-reason"])
def test_a_cancellation_needs_a_reason(api, fra, notified, body):
    with nothing_stored():
        r = api.post(f"/notifications/{notified['reference']}/cancellation", fra, json=body)
    assert_problem(r, 422, "reason")


def test_a_notification_cannot_be_cancelled_twice(api, fra, notified):
    ref = notified["reference"]
    act(api, fra, ref, "cancellation", {"reason": "weather"})
    with nothing_stored():
        r = api.post(f"/notifications/{ref}/cancellation", fra, json={"reason": "again"})
    assert_problem(r, 409)


def test_a_launched_notification_cannot_be_cancelled(api, fra, notified):
    ref = notified["reference"]
    report = {"launched_at": iso(NOW - timedelta(minutes=5)), "outcome": "success"}
    act(api, fra, ref, "launch-report", report)
    with nothing_stored():
        r = api.post(f"/notifications/{ref}/cancellation", fra, json={"reason": "too late"})
    assert_problem(r, 409)


# fmt: off
LAUNCH_REPORT_RULES = [
    ("bad-outcome", {"launched_at": iso(NOW - timedelta(hours=1)), "outcome": "boom"}, "outcome"),
    ("in-the-future", {"launched_at": iso(NOW + timedelta(days=1)), "outcome": "success"}, "launched_at"),
    ("without-zone", {"launched_at": "2026-01-01T06:00:00", "outcome": "success"}, "launched_at"),
    ("missing-outcome", {"launched_at": iso(NOW - timedelta(hours=1))}, "outcome"),
]
# fmt: on


@pytest.mark.parametrize("body, field", cases(LAUNCH_REPORT_RULES))
def test_a_launch_report_breaking_a_rule_is_rejected_with_its_field(
    api, fra, notified, body, field
):
    with nothing_stored():
        r = api.post(f"/notifications/{notified['reference']}/launch-report", fra, json=body)
    assert_problem(r, 422, field)


@pytest.mark.parametrize("first", ["launch-report", "cancellation"])
def test_a_launch_cannot_be_reported_after_a_report_or_a_cancellation(api, fra, notified, first):
    ref = notified["reference"]
    report = {"launched_at": iso(NOW - timedelta(minutes=5)), "outcome": "success"}
    first_body = report if first == "launch-report" else {"reason": "weather"}
    act(api, fra, ref, first, first_body)
    with nothing_stored():
        r = api.post(f"/notifications/{ref}/launch-report", fra, json=report)
    assert_problem(r, 409)


def test_a_launch_report_records_whether_the_launch_was_outside_the_window(api, fra):
    now = datetime.now(UTC)
    open_now = submit(api, fra, window=window(now - timedelta(hours=2), now + timedelta(hours=4)))
    later = submit(api, fra)
    inside = {"launched_at": iso(now - timedelta(hours=1)), "outcome": "success"}
    before = {"launched_at": iso(now - timedelta(hours=1)), "outcome": "failure"}
    r1 = api.post(f"/notifications/{open_now['reference']}/launch-report", fra, json=inside)
    r2 = api.post(f"/notifications/{later['reference']}/launch-report", fra, json=before)
    assert r1.json()["launch_report"]["outside_window"] is False
    assert r2.json()["launch_report"]["outside_window"] is True
    assert r1.json()["status"] == r2.json()["status"] == "launched"


# ---- unnotified launches --------------------------------------------------------------------


def unnotified(**overrides) -> dict:
    body = {
        "category": "BM",
        "generic_class": "SLBM",
        "launch_area": {"center": {"lat": 45.0, "lon": -5.0}, "radius_km": 50},
        "planned_direction": {"azimuth_deg": 270.0},
        "launched_at": iso(NOW - timedelta(days=1)),
        "outcome": "success",
        "reason": "omission",
        "remarks": "Notification was not sent in time.",
    }
    body.update(overrides)
    return body


# fmt: off
UNNOTIFIED_RULES = [
    ("bad-reason", {"reason": "forgot"}, "reason"),
    ("launched-in-the-future", {"launched_at": iso(NOW + timedelta(days=1))}, "launched_at"),
    ("planned-direction-missing", {"planned_direction": DROP}, "planned_direction"),
    ("a-window-is-not-a-field-here", {"window": window(SOON, SOON + timedelta(hours=1))}, "window"),
]
# fmt: on


@pytest.mark.parametrize("changes, field", cases(UNNOTIFIED_RULES))
def test_an_unnotified_launch_breaking_a_rule_is_rejected_with_its_field(api, fra, changes, field):
    with nothing_stored():
        r = api.post("/unnotified-launches", fra, json=mutated(unnotified(), changes))
    assert_problem(r, 422, field)


def test_an_unnotified_launch_creates_a_launched_notification_without_prior_notice(api, fra):
    r = api.post("/unnotified-launches", fra, json=unnotified())
    assert r.status_code == 201, r.text
    n = r.json()
    assert (n["status"], n["prior_notice"], n["unnotified_reason"]) == (
        "launched",
        False,
        "omission",
    )
    assert n["launch_report"]["outcome"] == "success"


# ---- annual declarations --------------------------------------------------------------------

# fmt: off
DECLARATION_RULES = [
    ("year-in-the-future", {"year": THIS_YEAR + 1}, "year"),
    ("year-current", {"year": THIS_YEAR}, "year"),
    ("year-2001", {"year": 2001}, "year"),
    ("year-as-text", {"year": "2025"}, "year"),
    ("class-of-the-other-section", {"ballistic_missiles.launches[0].generic_class": "SLV-medium"}, "ballistic_missiles.launches[0].generic_class"),
    ("unknown-class", {"space_launch_vehicles.launches[0].generic_class": "SLV-enormous"}, "space_launch_vehicles.launches[0].generic_class"),
    ("system-of-the-other-section", {"ballistic_missiles.systems[0].generic_class": "SLV-small"}, "ballistic_missiles.systems[0].generic_class"),
    ("class-twice-in-a-section", {"ballistic_missiles.launches": [{"generic_class": "SLBM", "count": 1}, {"generic_class": "SLBM", "count": 2}]}, "ballistic_missiles.launches[1].generic_class"),
    ("negative-count", {"ballistic_missiles.launches[0].count": -1}, "ballistic_missiles.launches[0].count"),
    ("fractional-count", {"ballistic_missiles.launches[0].count": 1.5}, "ballistic_missiles.launches[0].count"),
    ("nil-with-launches", {"nil": True}, "ballistic_missiles.launches[0].count"),
    ("not-nil-without-sections", {"ballistic_missiles": DROP, "space_launch_vehicles": DROP}, "ballistic_missiles"),
    ("unknown-launch-site", {"space_launch_vehicles.launch_sites[0].site_id": "FRA-ATLANTIS"}, "space_launch_vehicles.launch_sites[0].site_id"),
    ("policy-too-long", {"ballistic_missiles.policy": "x" * 20001}, "ballistic_missiles.policy"),
    ("unknown-field", {"colour": "blue"}, "colour"),
    ("unknown-nested-field", {"observers.welcome": True}, "observers.welcome"),
]
# fmt: on


@pytest.mark.parametrize("changes, field", cases(DECLARATION_RULES))
def test_a_declaration_breaking_a_rule_is_rejected_with_its_field_and_nothing_is_stored(
    api, fra, changes, field
):
    assert api.post("/declarations", fra, json=declaration(THIS_YEAR - 1)).status_code == 201
    with nothing_stored():
        r = api.post("/declarations", fra, json=mutated(declaration(THIS_YEAR - 1), changes))
    assert_problem(r, 422, field)


def test_a_nil_declaration_may_omit_its_sections(api, fra):
    body = declaration(THIS_YEAR - 1, nil=True, ballistic_missiles=None, space_launch_vehicles=None)
    r = api.post("/declarations", fra, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["nil"] is True


def test_a_second_declaration_version_keeps_the_first_readable(api, fra, personas):
    year = THIS_YEAR - 1
    assert api.post("/declarations", fra, json=declaration(year)).status_code == 201
    second = declaration(year, remarks="Corrected counts.")
    assert api.post("/declarations", fra, json=second).status_code == 201
    versions = api.get(f"/declarations/FRA/{year}/versions", personas["jpn_reader"]).json()
    assert [(v["version"], v["remarks"]) for v in versions] == [(1, ""), (2, "Corrected counts.")]
    assert api.get(f"/declarations/FRA/{year}", personas["jpn_reader"]).json()["version"] == 2


# ---- registry -------------------------------------------------------------------------------

TODAY = NOW.date()


def subscription(**overrides) -> dict:
    body = {
        "note_reference": "Note verbale No. 12/2026",
        "note_received_on": (TODAY - timedelta(days=10)).isoformat(),
        "effective_on": (TODAY - timedelta(days=5)).isoformat(),
    }
    body.update(overrides)
    return body


# fmt: off
REGISTRY_RULES = [
    ("effective-before-received", {"effective_on": (TODAY - timedelta(days=11)).isoformat()}, "effective_on"),
    ("received-in-the-future", {"note_received_on": (TODAY + timedelta(days=1)).isoformat(), "effective_on": (TODAY + timedelta(days=2)).isoformat()}, "note_received_on"),
    ("empty-note-reference", {"note_reference": ""}, "note_reference"),
    ("blank-note-reference", {"note_reference": "   "}, "note_reference"),
    ("bad-date-format", {"note_received_on": "17/11/2026"}, "note_received_on"),
    ("unknown-field", {"colour": "blue"}, "colour"),
]
# fmt: on


@pytest.mark.parametrize("changes, field", cases(REGISTRY_RULES))
def test_a_subscription_breaking_a_rule_is_rejected_with_its_field(api, personas, changes, field):
    with nothing_stored():
        r = api.post(
            "/states/CHN/subscription", personas["icc"], json=mutated(subscription(), changes)
        )
    assert_problem(r, 422, field)


@pytest.mark.parametrize(
    "iso3, status", [("XYZ", 404), ("FRA", 409)], ids=["unknown-state", "already-subscribing"]
)
def test_a_subscription_of_an_unknown_or_subscribing_state_is_refused(api, personas, iso3, status):
    with nothing_stored():
        r = api.post(f"/states/{iso3}/subscription", personas["icc"], json=subscription())
    assert_problem(r, status)


def test_a_recorded_subscription_enters_the_feed(api, personas):
    r = api.post("/states/PRK/subscription", personas["icc"], json=subscription())
    assert r.status_code == 201, r.text
    assert r.json()["state"]["status"] == "subscribing"
    feed = api.get("/feed", personas["jpn_reader"]).json()
    news = [i for i in feed["items"] if i["seq"] == r.json()["seq"]]
    assert [(i["kind"], i["state"]) for i in news] == [("registry.subscribed", "PRK")]


# ---- acknowledgements -----------------------------------------------------------------------

# fmt: off
ACK_RULES = [
    ("seqs-and-up-to", {"seqs": [1], "up_to": 1}, "seqs"),
    ("neither", {}, "seqs"),
    ("unknown-seq", {"seqs": [99999]}, "seqs[0]"),
    ("seq-zero", {"seqs": [1, 0]}, "seqs[1]"),
    ("up-to-beyond-last", {"up_to": 99999}, "up_to"),
    ("seqs-as-text", {"seqs": ["1"]}, "seqs[0]"),
    ("empty-seqs", {"seqs": []}, "seqs"),
]
# fmt: on


@pytest.mark.parametrize("body, field", cases(ACK_RULES))
def test_an_acknowledgement_breaking_a_rule_is_rejected_with_its_field(
    api, personas, notified, body, field
):
    with nothing_stored():
        r = api.post("/acknowledgements", personas["jpn_reader"], json=body)
    assert_problem(r, 422, field)


# ---- historical import ----------------------------------------------------------------------


def imported(**overrides) -> dict:
    body = {
        "state": "FRA",
        "first_submitted_at": "2024-03-01T09:00:00Z",
        "notification": pln(
            window={"opens": "2024-03-05T06:00:00Z", "closes": "2024-03-05T12:00:00Z"}
        ),
        "launch_report": {"launched_at": "2024-03-05T07:00:00Z", "outcome": "success"},
        "source": "ICC archive, 2024 binder, p. 12",
    }
    body.update(overrides)
    return body


# fmt: off
IMPORT_RULES = [
    ("unknown-state", {"state": "XYZ"}, "state"),
    ("submitted-in-the-future", {"first_submitted_at": iso(NOW + timedelta(days=1))}, "first_submitted_at"),
    ("window-closed-before-submission", {"first_submitted_at": "2024-03-06T09:00:00Z"}, "notification.window.closes"),
    ("launch-reported-in-the-future", {"launch_report.launched_at": iso(NOW + timedelta(days=1))}, "launch_report.launched_at"),
    ("launch-report-bad-outcome", {"launch_report.outcome": "boom"}, "launch_report.outcome"),
    ("source-missing", {"source": DROP}, "source"),
    ("pln-rule", {"notification.launch_area": {"site_id": "FRA-ATLANTIS"}}, "notification.launch_area.site_id"),
]
# fmt: on


@pytest.mark.parametrize("changes, field", cases(IMPORT_RULES))
def test_an_import_breaking_a_rule_is_rejected_with_its_field(api, personas, changes, field):
    with nothing_stored():
        r = api.post("/imports/notifications", personas["icc"], json=mutated(imported(), changes))
    assert_problem(r, 422, field)


def test_an_import_is_stored_as_of_its_year_and_announced_as_imported(api, personas):
    r = api.post("/imports/notifications", personas["icc"], json=imported())
    assert r.status_code == 201, r.text
    n = r.json()
    assert re.fullmatch(r"FRA-2024-\d{4}", n["reference"])
    assert (n["imported"], n["first_submitted_at"], n["status"]) == (
        True,
        "2024-03-01T09:00:00Z",
        "launched",
    )
    feed = api.get("/feed", personas["jpn_reader"]).json()["items"]
    assert [(i["kind"], i["subject"]) for i in feed] == [("notification.imported", n["reference"])]


# ---- paging and filters ---------------------------------------------------------------------

# fmt: off
QUERY_RULES = [
    ("/notifications", {"limit": 0}, "limit"),
    ("/notifications", {"limit": 1001}, "limit"),
    ("/notifications", {"cursor": "garbage"}, "cursor"),
    ("/notifications", {"status": "bogus"}, "status"),
    ("/notifications", {"category": "ICBM"}, "category"),
    ("/notifications", {"window_from": "yesterday"}, "window_from"),
    ("/notifications", {"window_to": "2026-12-03T06:00:00"}, "window_to"),
    ("/declarations", {"limit": 1001}, "limit"),
    ("/declarations", {"cursor": "garbage"}, "cursor"),
    ("/feed", {"limit": 0}, "limit"),
    ("/feed", {"after": -1}, "after"),
]
# fmt: on


@pytest.mark.parametrize(
    "path, params, field",
    QUERY_RULES,
    ids=[f"{p}-{next(iter(q))}={next(iter(q.values()))}" for p, q, _ in QUERY_RULES],
)
def test_a_bad_paging_or_filter_parameter_is_rejected_with_its_name(
    api, personas, path, params, field
):
    r = api.get(path, personas["jpn_reader"], params=params)
    assert_problem(r, 422, field)
