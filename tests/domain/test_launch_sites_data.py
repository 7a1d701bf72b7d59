"""Checks for the launch-site catalogue in data/launch_sites.csv.

Plain pytest, stdlib only (no Django). The GCAT site list and the launch log are
cross-checks, read from the slices of them in tests/data/ (tests/data/README.md); nothing
from them is copied into the catalogue.
"""

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from support.reference_data import reference

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = REPO_ROOT / "data" / "launch_sites.csv"

HEADER = [
    "id",
    "name",
    "state",
    "territory",
    "lat",
    "lon",
    "kinds",
    "site_kind",
    "gcat_site",
    "source",
]
ID_PATTERN = re.compile(r"^[A-Z]{3}-[A-Z0-9-]+$")
ISO3_PATTERN = re.compile(r"^[A-Z]{3}$")
COORDINATE_PATTERN = re.compile(r"^-?\d{1,3}(\.\d{1,3})?$")
KINDS = {"BM", "SLV"}
TOLERANCE_DEG = 0.2
EPSILON = 1e-9

RANKING_YEARS = range(2005, 2025)
RANKING_SIZE = 40

# Launch-log sites (column site_ucode) that are not fixed land sites, so they are
# left out of the "most used land sites" ranking and out of the catalogue:
NON_LAND_SITES = {
    "KLA": "Sea Launch platform, Kiritimati launch area (Pacific Ocean)",
    "HHAI": "Chinese sea launches from ships/barges in the Yellow Sea (several points)",
    "YJ": "Chinese sea launches off Yangjiang (South China Sea)",
    "BLA": "submarine launches in the Barents Sea",
    "MHV": "LauncherOne air launches; Mojave is only the carrier aircraft's airport",
    "NEWQ": "LauncherOne air launch; Newquay is only the carrier aircraft's airport",
    "JEJU": "barge launch off Jungmun, Jeju Island",
}

# GCAT sites whose reference point (sites.csv Latitude/Longitude) is a nominal or
# administrative point rather than the launch area the catalogue row describes.
# For these the row is checked against the nearest of that site's GCAT launch
# points (launch_points.csv) instead, with the same 0.2 degree tolerance.
GCAT_REFERENCE_POINT_IS_NOT_THE_LAUNCH_AREA = {
    "GIK-5": "Baikonur: GCAT uses the round nominal point 46.0N 63.0E, west of the pads",
    "JQ": "Jiuquan: GCAT point is the old north launch area; launches use the south site",
    "TYSC": "Taiyuan: GCAT point is the city of Taiyuan, the launch area is in Kelan county",
    "VOST": "Vostochny: GCAT reuses the old Svobodny point (stated error 0.5 deg)",
    "YAS": "Yasny: GCAT point is Dombarovsky air base, south-west of the silo field",
    "GTsMP-4": "Kapustin Yar: GCAT point is Znamensk town, the launch complexes lie east of it",
    "ANHU": "Anheung: GCAT point lies south of the ADD range; its own launch point LP1 does not",
    "CHAN": "Integrated Test Range: nominal inland point; Abdul Kalam Island is its LC-IV",
}


def read_catalogue():
    with CATALOGUE.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


FIELDNAMES, ROWS = read_catalogue()
ROWS_WITH_GCAT_SITE = [row for row in ROWS if row["gcat_site"]]


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def as_float(value):
    try:
        return float(value)
    except ValueError:
        return None


def gcat_sites():
    return {row["Site"]: row for row in read_csv(reference("gcat/sites.csv"))}


def gcat_launch_points(site, ucode):
    points = []
    for row in read_csv(reference("gcat/launch_points.csv")):
        lat, lon = as_float(row["Latitude"]), as_float(row["Longitude"])
        if row["Site"] in {site, ucode} and lat is not None and lon is not None:
            points.append((row["Code"], lat, lon))
    return points


def offset(row, lat, lon):
    return max(abs(float(row["lat"]) - lat), abs(float(row["lon"]) - lon))


def test_the_header_is_exactly_the_documented_one():
    assert FIELDNAMES == HEADER


def test_the_catalogue_has_between_40_and_80_sites():
    assert 40 <= len(ROWS) <= 80


def test_every_id_is_unique():
    duplicates = [key for key, count in Counter(row["id"] for row in ROWS).items() if count > 1]
    assert duplicates == []


def test_every_id_is_an_iso3_prefix_and_uppercase_words():
    bad = [row["id"] for row in ROWS if not ID_PATTERN.match(row["id"])]
    assert bad == []


def test_every_id_starts_with_the_operating_state():
    bad = [row["id"] for row in ROWS if row["id"][:3] != row["state"]]
    assert bad == []


def test_the_rows_are_sorted_by_id():
    ids = [row["id"] for row in ROWS]
    assert ids == sorted(ids)


def test_every_state_and_territory_is_three_uppercase_letters():
    bad = [
        row["id"]
        for row in ROWS
        if not (ISO3_PATTERN.match(row["state"]) and ISO3_PATTERN.match(row["territory"]))
    ]
    assert bad == []


def test_every_site_has_a_name_and_a_source():
    bad = [row["id"] for row in ROWS if not row["name"].strip() or not row["source"].strip()]
    assert bad == []


def test_every_coordinate_has_at_most_three_decimals():
    bad = [
        row["id"]
        for row in ROWS
        if not (COORDINATE_PATTERN.match(row["lat"]) and COORDINATE_PATTERN.match(row["lon"]))
    ]
    assert bad == []


def test_every_latitude_is_between_minus_90_and_90():
    bad = [row["id"] for row in ROWS if not -90 <= float(row["lat"]) <= 90]
    assert bad == []


def test_every_longitude_is_between_minus_180_and_180():
    bad = [row["id"] for row in ROWS if not -180 <= float(row["lon"]) <= 180]
    assert bad == []


def test_every_site_has_kinds_drawn_from_bm_and_slv():
    bad = [
        row["id"]
        for row in ROWS
        if not row["kinds"].split() or not set(row["kinds"].split()) <= KINDS
    ]
    assert bad == []


def test_every_site_is_a_launch_site_an_impact_range_or_both_and_kura_is_an_impact_range():
    kinds = {row["id"]: row["site_kind"] for row in ROWS}
    assert set(kinds.values()) <= {"launch_site", "impact_range", "both"}
    assert kinds["RUS-KURA"] == "impact_range"
    assert kinds["USA-REAGAN-TEST-SITE"] == "both"  # Kwajalein: interceptors out, ICBMs in


def test_every_gcat_exception_is_used_by_a_catalogue_row():
    used = {row["gcat_site"] for row in ROWS}
    assert set(GCAT_REFERENCE_POINT_IS_NOT_THE_LAUNCH_AREA) <= used


@pytest.mark.parametrize("row", ROWS_WITH_GCAT_SITE, ids=[r["id"] for r in ROWS_WITH_GCAT_SITE])
def test_every_site_lies_within_0_2_degrees_of_gcat(row):
    sites = gcat_sites()
    code = row["gcat_site"]
    assert code in sites, f"{row['id']}: GCAT has no site {code!r}"
    site = sites[code]

    if code in GCAT_REFERENCE_POINT_IS_NOT_THE_LAUNCH_AREA:
        points = gcat_launch_points(code, site["UCode"])
        assert points, f"{row['id']}: GCAT has no launch points for {code!r}"
        label, lat, lon = min(points, key=lambda p: offset(row, p[1], p[2]))
        reference = f"GCAT launch point {code}/{label}"
    else:
        lat, lon = as_float(site["Latitude"]), as_float(site["Longitude"])
        assert lat is not None and lon is not None, f"GCAT site {code!r} has no coordinates"
        reference = f"GCAT site {code}"

    distance = offset(row, lat, lon)
    assert distance <= TOLERANCE_DEG + EPSILON, (
        f"{row['id']} ({row['lat']}, {row['lon']}) is {distance:.3f} deg from "
        f"{reference} ({lat}, {lon})"
    )


def test_the_40_most_used_land_sites_of_2005_to_2024_are_catalogued():
    sites = gcat_sites()

    launches = Counter()
    for launch in read_csv(reference("launches/launches_2005_2024_sites.csv")):
        if int(launch["year"]) in RANKING_YEARS and launch["site_ucode"] not in NON_LAND_SITES:
            launches[launch["site_ucode"]] += 1
    ranking = [ucode for ucode, _ in launches.most_common(RANKING_SIZE)]
    assert len(ranking) >= 30, "the launch log looks truncated"

    catalogued = set()
    for row in ROWS_WITH_GCAT_SITE:
        catalogued.add(row["gcat_site"])
        if row["gcat_site"] in sites:
            catalogued.add(sites[row["gcat_site"]]["UCode"])
    missing = [
        f"{ucode} ({launches[ucode]} launches)" for ucode in ranking if ucode not in catalogued
    ]
    assert missing == []


def test_no_excluded_non_land_site_is_catalogued():
    catalogued = {row["gcat_site"] for row in ROWS}
    assert catalogued.isdisjoint(NON_LAND_SITES)
