"""Affected states: whose land or territorial sea each part of a notification touches
(hcoc.lib.geo.states, hcoc.lib.geo.notification), on real launches and on hand-made shapes."""

import csv
import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, shape
from support.reference_data import reference

from hcoc.lib.geo.geodesy import GEOD, circle_area, polygon_area
from hcoc.lib.geo.notification import notification_geometry
from hcoc.lib.geo.states import DEFAULT_PATH, affected_states, boundaries

ROOT = Path(__file__).resolve().parents[2]


def catalogue() -> dict[str, tuple[float, float]]:
    with open(ROOT / "data" / "launch_sites.csv", newline="", encoding="utf-8") as f:
        return {r["id"]: (float(r["lat"]), float(r["lon"])) for r in csv.DictReader(f)}


def gcat_site(code: str) -> tuple[float, float]:
    with open(reference("gcat/sites.csv"), newline="", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["Site"] == code)
    return float(row["Latitude"]), float(row["Longitude"])


def flight(site_id: str, start: tuple[float, float], target: tuple[float, float], **extra):
    """A PLN from a site to an impact circle round `target`: the azimuth and range of the geodesic
    between them, as a state would notify them."""
    azimuth, _, metres = GEOD.inv(start[1], start[0], target[1], target[0])
    content = {
        "category": "BM",
        "generic_class": "ICBM",
        "launch_area": {"site_id": site_id},
        "planned_direction": {"azimuth_deg": azimuth % 360},
        "range_km": round(metres / 1000),
        "impact_areas": [
            {"kind": "payload", "center": {"lat": target[0], "lon": target[1]}, "radius_km": 30}
        ],
    }
    return content | extra


def test_a_minuteman_iii_from_vandenberg_to_kwajalein_touches_the_usa_and_the_marshall_islands():
    vandenberg, kwajalein = gcat_site("VSFB"), gcat_site("KMR")
    content = flight("USA-VANDENBERG", vandenberg, kwajalein)
    assert 7_700 < content["range_km"] < 7_900
    result = notification_geometry(content, site_lookup={"USA-VANDENBERG": vandenberg}.get)
    assert result["affected_states"] == [
        {"state": "MHL", "parts": ["corridor", "impact_area"], "zones": ["territorial_sea"]},
        {
            "state": "USA",
            "parts": ["launch_area", "corridor"],
            "zones": ["land", "territorial_sea"],
        },
    ]
    assert result["corridor"]["properties"]["length_source"] == "range_km"


def test_a_yars_from_plesetsk_to_kura_touches_russia_alone():
    plesetsk, kura = gcat_site("GIK-1"), catalogue()["RUS-KURA"]
    content = flight("RUS-PLESETSK", plesetsk, kura, vehicle_name="Yars")
    assert 5_500 < content["range_km"] < 6_000
    result = notification_geometry(content, site_lookup={"RUS-PLESETSK": plesetsk}.get)
    assert [s["state"] for s in result["affected_states"]] == ["RUS"]
    assert result["affected_states"][0]["parts"] == ["launch_area", "corridor", "impact_area"]


def test_without_a_range_the_corridor_runs_to_the_farthest_impact_area_and_concerns_russia_alone():
    plesetsk, kura = gcat_site("GIK-1"), catalogue()["RUS-KURA"]
    content = flight("RUS-PLESETSK", plesetsk, kura) | {"range_km": None}
    result = notification_geometry(content, site_lookup={"RUS-PLESETSK": plesetsk}.get)
    props = result["corridor"]["properties"]
    assert (props["length_source"], props["tier"]) == ("impact_area", "concerned")
    _, _, metres = GEOD.inv(plesetsk[1], plesetsk[0], kura[1], kura[0])
    assert props["length_km"] == pytest.approx(metres / 1000, abs=0.1)  # to the circle's centre
    assert [s["state"] for s in result["affected_states"]] == ["RUS"]
    assert result["in_planned_direction"] == []


def test_without_a_range_or_an_impact_area_the_class_bound_is_only_the_planned_direction():
    plesetsk, kura = gcat_site("GIK-1"), catalogue()["RUS-KURA"]
    content = flight("RUS-PLESETSK", plesetsk, kura) | {"range_km": None, "impact_areas": []}
    result = notification_geometry(content, site_lookup={"RUS-PLESETSK": plesetsk}.get)
    props = result["corridor"]["properties"]
    assert (props["length_source"], props["tier"], props["length_km"]) == (
        "class_upper_bound",
        "planned_direction",
        20_000,
    )
    # Only the launch area concerns anyone; 20,000 km from Plesetsk reaches others, apart.
    assert result["affected_states"] == [
        {"state": "RUS", "parts": ["launch_area"], "zones": ["land"]}
    ]
    direction = [row["state"] for row in result["in_planned_direction"]]
    assert direction and "RUS" not in direction


@pytest.mark.parametrize("date", ["2017-08-28", "2017-09-14", "2022-10-03"])
def test_north_korean_missiles_that_flew_over_japan_touch_japans_land(date):
    with open(reference("missiles/nk_overflights_of_japan.csv"), newline="", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["date"] == date and r["distance_km"])
    site = (float(row["facility_lat"]), float(row["facility_lon"]))
    content = {
        "category": "BM",
        "generic_class": "IRBM",
        "launch_area": {"center": {"lat": site[0], "lon": site[1]}, "radius_km": 5},
        "planned_direction": {"azimuth_deg": float(row["bearing_deg"])},
        "range_km": float(row["distance_km"]),
    }
    states = {
        s["state"]: s for s in notification_geometry(content, site_lookup={}.get)["affected_states"]
    }
    assert states["PRK"]["parts"] == ["launch_area", "corridor"]
    assert states["JPN"] == {
        "state": "JPN",
        "parts": ["corridor"],
        "zones": ["land", "territorial_sea"],
    }


# ---- hand-made shapes --------------------------------------------------------------------------

CABO_DA_ROCA = (
    -9.4989,
    38.7804,
)  # lon, lat: the westernmost point of Portugal, a coast facing west


def off_cabo_da_roca(km: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(*CABO_DA_ROCA, 270, km * 1000)
    return lon, lat


def test_an_impact_area_10_km_off_a_coast_is_in_that_states_territorial_sea():
    impact = circle_area(off_cabo_da_roca(10), 2)
    assert affected_states({"impact_area": [impact]}) == [
        {"state": "PRT", "parts": ["impact_area"], "zones": ["territorial_sea"]}
    ]


def test_an_impact_area_30_km_off_a_coast_is_in_no_territorial_sea():
    impact = circle_area(off_cabo_da_roca(30), 2)
    assert affected_states({"impact_area": [impact]}) == []


def test_a_circle_across_the_coast_touches_land_and_sea():
    across = circle_area(CABO_DA_ROCA, 5)
    assert affected_states({"launch_area": across}) == [
        {"state": "PRT", "parts": ["launch_area"], "zones": ["land", "territorial_sea"]}
    ]


def test_a_site_inland_touches_land_only():
    plesetsk = catalogue()["RUS-PLESETSK"]
    assert affected_states({"launch_area": Point(plesetsk[1], plesetsk[0])}) == [
        {"state": "RUS", "parts": ["launch_area"], "zones": ["land"]}
    ]


def test_a_box_across_180_degrees_over_taveuni_touches_fiji_only():
    # Taveuni (Fiji) lies across 180 degrees at about 16.8 S; the box is 1 x 1 degree. Read as a
    # band round the world it would touch dozens of states.
    box = polygon_area([(179.5, -16.3), (-179.5, -16.3), (-179.5, -17.3), (179.5, -17.3)])
    assert affected_states({"impact_area": box}) == [
        {"state": "FJI", "parts": ["impact_area"], "zones": ["land", "territorial_sea"]}
    ]


def test_a_dependency_is_reported_under_its_sovereign():
    kourou = catalogue()["FRA-KOUROU"]  # French Guiana: GUF in the OSM data
    assert affected_states({"launch_area": circle_area((kourou[1], kourou[0]), 30)}) == [
        {"state": "FRA", "parts": ["launch_area"], "zones": ["land", "territorial_sea"]}
    ]


def test_parts_may_be_geojson_and_unknown_parts_are_refused():
    point = {"type": "Point", "coordinates": [40.575, 62.927]}
    assert affected_states({"launch_area": point, "corridor": None})[0]["state"] == "RUS"
    with pytest.raises(ValueError, match="unknown parts: trajectory"):
        affected_states({"trajectory": point})


def test_the_boundaries_are_loaded_once_per_process():
    assert boundaries() is boundaries()


# ---- the shipped data against its source ----------------------------------------------------


# `heavy`: the world's land united and measured against 4,800 points (3.7 CPU-s in one `make
# check` run): `make test` runs it, `make check` leaves it out.
@pytest.mark.heavy
def test_the_shipped_territorial_seas_are_within_1_km_of_the_source():
    """Points more than 1 km from every boundary fall in the same territorial sea in the shipped
    file as in the npm package's original, for the seas of 12 states. The points, and whether the
    original holds each, were drawn from the package itself (tools/cut_test_data.py): here they
    are kept clear of the shipped coasts too and looked up in the shipped belts."""
    with open(reference("geo/territorial_sea_points.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with gzip.open(DEFAULT_PATH, "rt") as f:
        shipped = json.load(f)["features"]
    belts = {
        f["properties"]["territory"]: shape(f["geometry"])
        for f in shipped
        if "territory" in f["properties"]
    }
    land = shapely.union_all(
        [shape(f["geometry"]) for f in shipped if f["properties"]["zone"] == "land"]
    )
    codes = sorted({r["state"] for r in rows})
    assert len(codes) == 12
    checked = 0
    for code in codes:
        sample = [r for r in rows if r["state"] == code]
        points = shapely.points([(float(r["lon"]), float(r["lat"])) for r in sample])
        in_source = np.array([r["in_source"] == "1" for r in sample])
        km_per_deg = 111.32 * np.cos(
            np.radians(np.minimum(np.abs(shapely.get_y(points)) + 0.1, 89.9))
        )
        far = shapely.distance(points, land.boundary) * km_per_deg > 1.0
        water = far & ~shapely.intersects(land, points)  # in the water, clear of coasts
        in_shipped = shapely.intersects(belts[code], points)
        assert (in_source[water] == in_shipped[water]).all(), code
        checked += int(in_source[water].sum())
    assert checked > 200  # enough of the points fell in territorial seas to mean something
