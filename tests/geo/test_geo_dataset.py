"""The shipped boundaries (data/geo/boundaries.geojson.gz) against independent figures: whom a
launch concerns is only as right as this data.

The figures in tests/data/geo/ come straight from the two source packages and NOAA's GLOBE land
mask (tools/build_geo_checks.py, tests/data/geo/README.md), never from the build or the
exchange's geometry code; and the shipped shapes are measured here with shapely and pyproj
alone. On the data shipped before 2026-12-07 these tests fail: three pieces of land that cross
180 degrees were bands round the world (Chukotka, Wrangel Island, a Fijian island), and
Antarctica stopped at a chord across the map at 84 S.
"""

import csv
import gzip
import json
from collections import defaultdict
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, box, shape
from shapely.geometry.polygon import orient

from hcoc.lib.geo.geodesy import circle_area
from hcoc.lib.geo.notification import notification_geometry
from hcoc.lib.geo.states import DEFAULT_PATH, affected_states, boundaries

DATA = Path(__file__).resolve().parents[1] / "data" / "geo"
GEOD = Geod(ellps="WGS84")
GRID_KM2 = 0.5  # the build rounds to a 1e-4 degree grid: a 1 km2 state moves by ~0.3 km2


@cache
def shipped() -> list[dict]:
    with gzip.open(DEFAULT_PATH, "rb") as f:
        return json.load(f)["features"]


def plane_km2(geom) -> float:
    """The area on the ellipsoid of a region of the lon/lat plane, as the plane draws it: cut
    into 10-degree strips (so nothing is read the long way round) with edges every 0.25 degree
    (so each follows its straight line in the plane), each strip measured by geographiclib."""
    total = 0.0
    x0, _, x1, _ = geom.bounds
    for west in range(-180, 180, 10):
        if west + 10 < x0 or west > x1:
            continue
        for piece in shapely.get_parts(shapely.intersection(geom, box(west, -90, west + 10, 90))):
            if piece.geom_type == "Polygon" and not piece.is_empty:
                piece = shapely.segmentize(orient(piece, 1.0), 0.25)
                total += GEOD.geometry_area_perimeter(piece)[0]
    return total / 1e6


def test_no_polygon_but_antarcticas_spans_half_the_world_or_more():
    wide = [
        (f["properties"]["state"], f["properties"]["zone"], [round(x, 2) for x in part.bounds])
        for f in shipped()
        for part in shapely.get_parts(shape(f["geometry"]))
        if part.bounds[2] - part.bounds[0] >= 180
    ]
    assert {state for state, _, _ in wide} <= {"ATA"}, wide


def test_each_states_land_and_sea_measure_what_the_sources_say():
    with open(DATA / "source_areas.csv", newline="", encoding="utf-8") as f:
        source = {r["state"]: r for r in csv.DictReader(f)}
    land, sea = defaultdict(float), defaultdict(float)
    for f in shipped():
        zone = land if f["properties"]["zone"] == "land" else sea
        zone[f["properties"]["state"]] += plane_km2(shape(f["geometry"]))
    assert set(land) | set(sea) == set(source)
    wrong = {}
    for state, row in source.items():
        want = float(row["land_km2"])
        if abs(land[state] - want) > max(0.01 * want, GRID_KM2):
            wrong[state] = ("land", round(land[state]), want)
        # The belt is the OSM shape (land and sea) less all land: never more than that shape
        # (a little slack for a belt of a few km2 simplified by up to 1 km).
        if sea[state] > 1.01 * float(row["maritime_km2"]) + 10:
            wrong[state] = ("sea", round(sea[state]), float(row["maritime_km2"]))
    assert not wrong


def open_ocean() -> list[tuple[float, float, float]]:
    with open(DATA / "open_ocean.csv", newline="", encoding="utf-8") as f:
        return [
            (float(r["lat"]), float(r["lon"]), float(r["nearest_source_km"]))
            for r in csv.DictReader(f)
        ]


def test_open_ocean_concerns_nobody():
    """Points of a grid at sea (GLOBE) and over 100 km from every vertex of both sources: none
    lies in anyone's land or territorial sea, nor does an impact circle of 50 km round it."""
    points = open_ocean()
    assert len(points) > 2000 and min(km for _, _, km in points) >= 100  # rounded to the km
    data = boundaries()
    hits = {
        (lat, lon): sorted(
            data.touched(Point(lon, lat)) | data.touched(circle_area((lon, lat), 50))
        )
        for lat, lon, _ in points
    }
    assert {place: found for place, found in hits.items() if found} == {}


@pytest.mark.parametrize(
    "part, where",
    [
        ("launch_area", Point(0.0, 67.0)),  # the Norwegian Sea (was "Russia": Chukotka's band)
        ("launch_area", Point(10.0, 71.3)),  # off Norway (was "Russia": Wrangel Island's band)
        ("impact_area", circle_area((75.0, -16.5), 50)),  # the Indian Ocean (was "Fiji")
    ],
)
def test_the_open_sea_that_was_counted_as_russian_or_fijian_land_concerns_nobody(part, where):
    assert affected_states({part: where}) == []


def test_the_canadian_arctic_point_is_canadas_waters_and_not_russias():
    # 71.2 N 100 W lies 35 km from the nearest Canadian land, inside Canada's straight baselines
    # round the Arctic archipelago, which OpenStreetMap's maritime shape follows: Canada's waters,
    # not a band of Russia.
    assert affected_states({"launch_area": Point(-100.0, 71.2)}) == [
        {"state": "CAN", "parts": ["launch_area"], "zones": ["territorial_sea"]}
    ]


def test_the_south_pole_is_antarctica():
    for lat, lon in [(-89.99, 0.0), (-89.0, 139.0), (-86.0, -150.0)]:
        assert affected_states({"launch_area": Point(lon, lat)}) == [
            {"state": "ATA", "parts": ["launch_area"], "zones": ["land"]}
        ]


SITES = {
    "FRA-BISCARROSSE": (44.34, -1.265),
    "RUS-PLESETSK": (62.927, 40.575),
    "RUS-KURA": (57.333, 161.833),
}


def test_an_irbm_from_biscarrosse_at_330_degrees_concerns_the_states_its_band_crosses():
    content = {
        "generic_class": "IRBM",
        "launch_area": {"site_id": "FRA-BISCARROSSE"},
        "planned_direction": {"azimuth_deg": 330.0},
        "range_km": 5000,
        "impact_areas": [],
    }
    result = notification_geometry(content, site_lookup=SITES.get)
    # Over Ireland and off Britain, then Greenland (Denmark) and the Canadian Arctic.
    assert [row["state"] for row in result["affected_states"]] == [
        "CAN",
        "DNK",
        "FRA",
        "GBR",
        "IRL",
    ]
    assert result["in_planned_direction"] == []


def test_an_icbm_from_plesetsk_to_kura_concerns_russia_alone():
    content = {
        "generic_class": "ICBM",
        "launch_area": {"site_id": "RUS-PLESETSK"},
        "planned_direction": {"azimuth_deg": 50.0},
        "range_km": 5800,
        "impact_areas": [{"kind": "payload", "site_id": "RUS-KURA"}],
    }
    result = notification_geometry(content, site_lookup=SITES.get)
    assert [row["state"] for row in result["affected_states"]] == ["RUS"]


def test_a_point_a_hair_either_side_of_180_degrees_is_the_same_place():
    # Taveuni (Fiji) straddles 180 degrees: both sides are Fiji's land, and the sea band the old
    # data drew along 16.5 S is gone from the rest of the world.
    for lon in (179.99, -179.99):
        assert [row["state"] for row in affected_states({"launch_area": Point(lon, -16.8)})] == [
            "FJI"
        ]
    assert np.all([affected_states({"launch_area": Point(x, -16.52)}) == [] for x in (0, 90, -90)])
