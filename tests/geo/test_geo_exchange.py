"""Geography in the exchange (issue 12): the corridor and the affected states of each version,
computed when it is written, in the API and in the feed; recomputed by `hcoc geo recompute`."""

import io
import json

import pytest
from django.core.management import call_command
from support.bodies import pln
from support.stored import nothing_stored

from hcoc.exchange.models import Event
from hcoc.notifications.models import NotificationVersion

MINUTEMAN = {
    "category": "BM",
    "generic_class": "ICBM",
    "vehicle_name": "Minuteman III",
    "launch_area": {"site_id": "USA-VANDENBERG"},
    "planned_direction": {"azimuth_deg": 250.0},
    "impact_areas": [{"kind": "payload", "center": {"lat": 9.4, "lon": 167.5}, "radius_km": 50}],
    "range_km": 6750,
    "apogee_km": 1100,
}
YARS_TO_KURA = {
    "category": "BM",
    "generic_class": "ICBM",
    "vehicle_name": "Yars",
    "launch_area": {"site_id": "RUS-PLESETSK"},
    "planned_direction": {"azimuth_deg": 50.0},
    "impact_areas": [{"kind": "payload", "site_id": "RUS-KURA"}],
    "range_km": 5800,
    "apogee_km": None,
}
# A launch area of 2 x 2 degrees round 180 degrees, east of Fiji's main islands.
ACROSS_180 = [
    {"lat": -16.0, "lon": 179.0},
    {"lat": -16.0, "lon": -179.0},
    {"lat": -18.0, "lon": -179.0},
    {"lat": -18.0, "lon": 179.0},
]


def submit(api, who, **body):
    r = api.post("/notifications", who, json=pln(**body))
    assert r.status_code == 201, r.text
    return r.json()


def test_an_icbm_test_from_plesetsk_to_kura_concerns_russia_alone(api, personas):
    n = submit(api, personas["fra_submitter"], **YARS_TO_KURA)
    assert n["affected_states"] == [
        {
            "state": "RUS",
            "parts": ["launch_area", "corridor", "impact_area"],
            "zones": ["land", "territorial_sea"],
        }
    ]


def test_a_minuteman_test_from_vandenberg_touches_the_usa_and_the_marshall_islands(api, personas):
    n = submit(api, personas["fra_submitter"], **MINUTEMAN)
    assert n["affected_states"] == [
        {"state": "MHL", "parts": ["impact_area"], "zones": ["territorial_sea"]},
        {
            "state": "USA",
            "parts": ["launch_area", "corridor"],
            "zones": ["land", "territorial_sea"],
        },
    ]
    corridor = n["corridor"]
    assert corridor["type"] == "Feature"
    assert corridor["properties"]["length_km"] == 6750
    assert corridor["properties"]["length_source"] == "range_km"
    assert corridor["properties"]["start"] == {"lat": 34.77, "lon": -120.6}  # the site
    # Read again by another state, and in the feed: the same, stored once.
    got = api.get(f"/notifications/{n['reference']}", personas["jpn_reader"]).json()
    assert got["affected_states"] == n["affected_states"] and got["corridor"] == corridor
    feed = api.get("/feed", personas["jpn_reader"]).json()["items"]
    assert feed[-1]["payload"]["affected_states"] == n["affected_states"]
    assert feed[-1]["payload"]["corridor"] == corridor


def test_without_range_km_the_corridor_runs_to_the_farthest_impact_area_and_says_so(api, personas):
    n = submit(api, personas["fra_submitter"], **{**YARS_TO_KURA, "range_km": None})
    props = n["corridor"]["properties"]
    assert (props["length_source"], props["tier"]) == ("impact_area", "concerned")
    assert 5000 < props["length_km"] < 6500  # Plesetsk to Kura
    assert n["affected_states"] == [
        {
            "state": "RUS",
            "parts": ["launch_area", "corridor", "impact_area"],
            "zones": ["land", "territorial_sea"],
        }
    ]
    assert "in_planned_direction" not in n  # present only when a state is in it


def test_an_icbm_without_range_or_impact_area_concerns_only_the_states_under_its_launch_area(
    api, personas
):
    n = submit(
        api, personas["fra_submitter"], **{**YARS_TO_KURA, "range_km": None, "impact_areas": []}
    )
    props = n["corridor"]["properties"]
    assert (props["length_source"], props["tier"], props["length_km"]) == (
        "class_upper_bound",
        "planned_direction",
        20000,
    )
    assert n["affected_states"] == [{"state": "RUS", "parts": ["launch_area"], "zones": ["land"]}]
    # Half round the world from Plesetsk: across the Arctic and the Pacific, listed apart.
    direction = {row["state"] for row in n["in_planned_direction"]}
    assert direction and "RUS" not in direction
    # The feed carries the same: a state in the planned direction is never "concerned".
    feed = api.get("/feed", personas["jpn_reader"]).json()["items"][-1]["payload"]
    assert feed["affected_states"] == n["affected_states"]
    assert feed["in_planned_direction"] == n["in_planned_direction"]


def test_a_space_launch_without_range_has_only_a_planned_direction_beyond_its_areas(api, personas):
    n = submit(api, personas["fra_submitter"], range_km=None, impact_areas=[])
    props = n["corridor"]["properties"]
    assert (props["length_source"], props["tier"], props["length_km"]) == (
        "nominal",
        "planned_direction",
        3000,
    )
    assert n["affected_states"] == [{"state": "FRA", "parts": ["launch_area"], "zones": ["land"]}]


def test_a_polygon_across_180_degrees_is_accepted_as_sent_and_touches_fiji(api, personas):
    n = submit(
        api,
        personas["fra_submitter"],
        launch_area={"polygon": ACROSS_180},
        range_km=None,
        impact_areas=[],
    )
    assert n["launch_area"] == {"polygon": ACROSS_180}  # stored as the state sent it
    assert n["affected_states"] == [
        {"state": "FJI", "parts": ["launch_area"], "zones": ["land", "territorial_sea"]}
    ]


def test_an_amendment_computes_the_new_versions_geography(api, personas):
    fra = personas["fra_submitter"]
    n = submit(api, fra, **MINUTEMAN)
    r = api.post(f"/notifications/{n['reference']}/amendments", fra, json=pln(**YARS_TO_KURA))
    assert r.status_code == 201, r.text
    assert [s["state"] for s in r.json()["affected_states"]] == ["RUS"]
    # The first version keeps its own.
    first = NotificationVersion.objects.get(notification__reference=n["reference"], version=1)
    assert [s["state"] for s in first.geometry["affected_states"]] == ["MHL", "USA"]


def test_an_impact_area_far_beyond_the_stated_range_is_flagged_not_refused(api, personas):
    n = submit(
        api,
        personas["fra_submitter"],
        **{
            **MINUTEMAN,
            "generic_class": "SRBM",
            "range_km": 900,
            "launch_area": {"site_id": "USA-PMRF"},
        },
    )
    assert n["flags"] == [
        {
            "field": "impact_areas[0]",
            "code": "impact_area_beyond_range",
            "message": n["flags"][0]["message"],
        }
    ]
    assert "far beyond the stated range_km of 900 km" in n["flags"][0]["message"]
    assert submit(api, personas["fra_submitter"], **MINUTEMAN)["flags"] == []


def test_recompute_fills_versions_stored_before_geography_and_never_touches_an_event(api, personas):
    n = submit(api, personas["fra_submitter"], **MINUTEMAN)
    NotificationVersion.objects.update(geometry=None)
    events = list(Event.objects.order_by("seq").values_list("seq", "payload"))
    got = api.get(f"/notifications/{n['reference']}", personas["jpn_reader"]).json()
    assert got["affected_states"] is None and got["corridor"] is None  # unknown, not "none"
    call_command("geo", "recompute", "--missing")
    got = api.get(f"/notifications/{n['reference']}", personas["jpn_reader"]).json()
    assert got["affected_states"] == n["affected_states"] and got["corridor"] == n["corridor"]
    assert list(Event.objects.order_by("seq").values_list("seq", "payload")) == events
    assert json.loads(events[-1][1])["affected_states"] == n["affected_states"]


def test_recompute_says_for_which_versions_the_states_concerned_changed(api, personas):
    n = submit(api, personas["fra_submitter"], **MINUTEMAN)
    # As if stored under an older rule that also counted Fiji; and one not computed at all.
    stale = NotificationVersion.objects.get(notification__reference=n["reference"])
    stale.geometry = {
        **stale.geometry,
        "affected_states": [{"state": "FJI", "parts": ["corridor"], "zones": ["land"]}],
    }
    stale.save(update_fields=["geometry"])
    other = submit(api, personas["fra_submitter"])
    NotificationVersion.objects.filter(notification__reference=other["reference"]).update(
        geometry=None
    )
    out = io.StringIO()
    call_command("geo", "recompute", stdout=out)
    assert out.getvalue().splitlines() == [
        "2 notification versions recomputed",
        "the states concerned changed for 2 of them:",
        f"  {n['reference']} v1: FJI -> MHL, USA",
        f"  {other['reference']} v1: not computed -> FRA",
    ]
    out = io.StringIO()
    call_command("geo", "recompute", stdout=out)
    assert out.getvalue().splitlines() == ["2 notification versions recomputed"]


# ---- the checks that belong to the domain --------------------------------------------------


def assert_refused(r, field: str, *words: str) -> str:
    assert r.status_code == 422, r.text
    messages = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert field in messages, messages
    for word in words:
        assert word in messages[field]
    return messages[field]


def test_a_launch_area_at_an_impact_range_is_refused_naming_the_field(api, personas):
    with nothing_stored():
        r = api.post(
            "/notifications",
            personas["fra_submitter"],
            json=pln(**{**YARS_TO_KURA, "launch_area": {"site_id": "RUS-KURA"}}),
        )
    assert_refused(r, "launch_area.site_id", "RUS-KURA", "impact range, not a launch site")


def test_an_impact_range_is_a_fine_impact_area_and_listed_as_such(api, personas):
    submit(api, personas["fra_submitter"], **YARS_TO_KURA)  # impact_areas[0] is RUS-KURA
    sites = {s["id"]: s for s in api.get("/sites", personas["jpn_reader"]).json()}
    assert sites["RUS-KURA"]["site_kind"] == "impact_range"
    assert sites["RUS-PLESETSK"]["site_kind"] == "launch_site"


def test_an_mrbm_of_9000_km_is_refused_naming_the_classs_range(api, personas):
    with nothing_stored():
        r = api.post(
            "/notifications",
            personas["fra_submitter"],
            json=pln(**{**MINUTEMAN, "generic_class": "MRBM", "range_km": 9000}),
        )
    message = assert_refused(r, "range_km", "from 1,000 km to under 3,000 km", "9,000 km")
    assert message.startswith("an MRBM's range is")


@pytest.mark.parametrize(
    "ring",
    [
        ACROSS_180,
        # round the South Pole, as a state would give an Antarctic area
        [{"lat": -75.0, "lon": lon} for lon in (0.0, -90.0, 180.0, 90.0)],
    ],
    ids=["across-180", "round-the-south-pole"],
)
def test_a_polygon_across_180_or_round_a_pole_is_a_valid_impact_area(api, personas, ring):
    n = submit(
        api,
        personas["fra_submitter"],
        impact_areas=[{"kind": "debris", "polygon": ring}],
        range_km=None,
    )
    assert n["impact_areas"][0]["polygon"] == ring


def test_a_polygon_crossing_itself_across_180_is_still_refused(api, personas):
    bow_tie = [ACROSS_180[0], ACROSS_180[2], ACROSS_180[1], ACROSS_180[3]]
    with nothing_stored():
        r = api.post(
            "/notifications",
            personas["fra_submitter"],
            json=pln(launch_area={"polygon": bow_tie}),
        )
    assert_refused(r, "launch_area.polygon", "not a simple polygon")


def test_a_feed_item_is_slim_and_the_corridor_band_is_at_the_geojson_endpoint(api, personas):
    """Issue 24: the item keeps the statement and what the exchange derives from it (the
    affected states, the corridor's parameters), under 2 KB; the band is served by the
    notification's GeoJSON endpoint, and is corridor_feature of the statement."""
    from hcoc.lib.geo.notification import corridor_feature
    from hcoc.sites.selectors import site_points

    n = submit(api, personas["fra_submitter"], **MINUTEMAN)
    item = Event.objects.get(seq=n["seq"]).item
    assert len(item.encode()) <= 2048, len(item.encode())
    corridor = json.loads(item)["payload"]["corridor"]
    assert corridor["geometry"] is None and "axis" not in corridor["properties"]
    assert corridor == n["corridor"]
    props = corridor["properties"]
    assert (props["length_km"], props["length_source"], props["half_width_km"]) == (
        6750,
        "range_km",
        50,
    )
    r = api.get(f"/notifications/{n['reference']}/geojson", personas["jpn_reader"])
    assert r.status_code == 200
    [band] = [f for f in r.json()["features"] if f["properties"]["part"] == "corridor"]
    assert band["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert {k: band["properties"][k] for k in props} == props
    # Reproducible from the statement alone (and the launch-site catalogue for a site_id).
    content = json.loads(NotificationVersion.objects.get(seq=n["seq"]).content)
    points = site_points({"USA-VANDENBERG"})
    again, _ = corridor_feature(content, site_lookup=lambda s: points[s][:2])
    assert again["geometry"] == band["geometry"]
    assert {k: v for k, v in again["properties"].items() if k != "axis"} == props
