"""Cut the small slices of reference data the tests read (tests/data/: gcat/, launches/,
missiles/, geo/territorial_sea_points.csv) from the full public files, so that a clone of the
repository runs every test with nothing beside it. Only the rows and columns a test reads are kept;
tests/data/README.md gives each slice's source and licence.

    .venv/bin/python tools/cut_test_data.py SOURCE_DIR

SOURCE_DIR holds the full files as published: `gcat/sites.csv` and `gcat/launch_points.csv`
(GCAT), `launches/jsr_orbital_launches_1957_2024_enriched.csv` and
`launches/jsr_orbital_launches_per_state_per_year.csv`, `missiles/nk_missile_tests_1984_2026.csv`,
and `geo/countries-maritime-10m.geo.json.gz` (the npm package `@geo-maps/countries-maritime-10m`
0.6.0's `map.geo.json`, gzipped). The output depends on nothing else but data/launch_sites.csv
(which GCAT sites the catalogue cites) and a fixed random seed, so it is the same on every run.
"""

import argparse
import csv
import gzip
import json
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data"

# GCAT sites tests/geo/test_geo_states.py flies from and to (Vandenberg, Kwajalein, Plesetsk).
GEO_TEST_SITES = {"VSFB", "KMR", "GIK-1"}
# Sites whose GCAT point is not the launch area: tests/domain/test_launch_sites_data.py reads
# their launch points instead (its GCAT_REFERENCE_POINT_IS_NOT_THE_LAUNCH_AREA).
LAUNCH_POINT_SITES = {"GIK-5", "JQ", "TYSC", "VOST", "YAS", "GTsMP-4", "ANHU", "CHAN"}
RANKING_YEARS = range(2005, 2025)
COMPLIANCE_YEAR = "2024"
# North Korean flights over Japan (tests/geo/test_geo_states.py).
OVERFLIGHTS = {"2017-08-28", "2017-09-14", "2022-10-03"}
# Territorial seas compared with the shipped boundaries (tests/geo/test_geo_states.py).
SEAS = ["PRT", "JPN", "FJI", "NOR", "CHL", "GRC", "PHL", "NZL", "MHL", "KOR", "ITA", "CUB"]
POINTS_PER_SEA = 400
CLEAR_OF_BOUNDARY_KM = 1.0


def read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path: Path, fields: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows", file=sys.stderr)


def gcat(src: Path) -> None:
    cited = {r["gcat_site"] for r in read(ROOT / "data" / "launch_sites.csv") if r["gcat_site"]}
    sites = [r for r in read(src / "gcat" / "sites.csv") if r["Site"] in cited | GEO_TEST_SITES]
    write(OUT / "gcat" / "sites.csv", ["Site", "UCode", "Latitude", "Longitude"], sites)
    codes = LAUNCH_POINT_SITES | {r["UCode"] for r in sites if r["Site"] in LAUNCH_POINT_SITES}
    points = [r for r in read(src / "gcat" / "launch_points.csv") if r["Site"] in codes]
    write(OUT / "gcat" / "launch_points.csv", ["Site", "Code", "Latitude", "Longitude"], points)


def launches(src: Path) -> None:
    log = read(src / "launches" / "jsr_orbital_launches_1957_2024_enriched.csv")
    ranking = [r for r in log if int(r["year"]) in RANKING_YEARS]
    write(OUT / "launches" / "launches_2005_2024_sites.csv", ["year", "site_ucode"], ranking)
    fields = ["launch_id", "dt_min", "year", "lv_state", "success", "site_lat", "site_lon"]
    year = [r for r in log if r["year"] == COMPLIANCE_YEAR]
    write(OUT / "launches" / f"launches_{COMPLIANCE_YEAR}.csv", fields, year)
    per_state = read(src / "launches" / "jsr_orbital_launches_per_state_per_year.csv")
    write(
        OUT / "launches" / f"attempts_{COMPLIANCE_YEAR}.csv",
        ["year", "lv_state", "orbital_launch_attempts"],
        [r for r in per_state if r["year"] == COMPLIANCE_YEAR],
    )


def missiles(src: Path) -> None:
    rows = read(src / "missiles" / "nk_missile_tests_1984_2026.csv")
    write(
        OUT / "missiles" / "nk_overflights_of_japan.csv",
        ["date", "facility_lat", "facility_lon", "bearing_deg", "distance_km"],
        [r for r in rows if r["date"] in OVERFLIGHTS],
    )


def territorial_seas(src: Path) -> None:
    """Random points in each sea's bounding box, more than 1 km from the source's boundary, and
    whether the source puts each in that state's shape: figures from the npm package alone."""
    with gzip.open(src / "geo" / "countries-maritime-10m.geo.json.gz", "rt") as f:
        source = {f["properties"]["A3"]: f["geometry"] for f in json.load(f)["features"]}
    rng = np.random.default_rng(2002)
    rows = []
    for code in SEAS:
        original = shapely.make_valid(shape(source[code]))
        x0, y0, x1, y1 = original.bounds
        points = shapely.points(rng.uniform(x0, x1, POINTS_PER_SEA), rng.uniform(y0, y1, 400))
        lat = np.minimum(np.abs(shapely.get_y(points)) + 0.1, 89.9)
        km = shapely.distance(points, original.boundary) * 111.32 * np.cos(np.radians(lat))
        inside = shapely.intersects(original, points)
        for point, clear, flag in zip(points, km > CLEAR_OF_BOUNDARY_KM, inside, strict=True):
            if clear:
                rows.append(
                    {
                        "state": code,
                        "lon": f"{point.x:.6f}",
                        "lat": f"{point.y:.6f}",
                        "in_source": "1" if flag else "0",
                    }
                )
    write(OUT / "geo" / "territorial_sea_points.csv", ["state", "lon", "lat", "in_source"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="folder with the full published files")
    src = parser.parse_args().source
    gcat(src)
    launches(src)
    missiles(src)
    territorial_seas(src)


if __name__ == "__main__":
    main()
