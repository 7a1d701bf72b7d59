"""Build tests/data/geo/, the independent figures that tests/geo/test_geo_dataset.py holds the
shipped boundaries (data/geo/boundaries.geojson.gz) to. Nothing here uses the exchange's own
geometry code or the build's output: every figure comes straight from the sources.

    .venv/bin/pip install global-land-mask==1.0.0        # only this script needs it
    .venv/bin/python tools/build_geo_checks.py            # fetches the npm packages with npm pack
    .venv/bin/python tools/build_geo_checks.py --from DIR # or reads the two .tgz files from DIR

It writes:
- `source_areas.csv`: per reported state, the geodesic area (WGS 84, geographiclib through pyproj)
  of its Natural Earth 1:50m countries (`land_km2`) and of its OpenStreetMap maritime shapes,
  land plus 12-nm belt (`maritime_km2`), each ring read as the source gives it. A ring is a
  sequence of geodesic edges there, each the short way round: no plane, no 180-degree cut.
- `open_ocean.csv`: every point of a grid (every 2.5 degrees of latitude from -85 to 85, every 5
  of longitude) that the GLOBE 1-km land mask (the `global-land-mask` package: NOAA's GLOBE,
  independent of both sources) puts at sea, that lies in none of OSM's maritime shapes (the
  waters a state holds: its territorial sea, and the internal and archipelagic waters inside its
  baselines, such as the Java Sea or Hudson Bay), and whose geodesic distance to the nearest
  vertex of either source (Natural Earth's land, and OSM's maritime boundaries, both with edges
  cut to at most 5 km) exceeds 100 km; with that distance. No state's land or territorial sea can
  be within 95 km of such a point. The shapes that are no belt (build_geo_data.NOT_A_BELT:
  Antarctica's, the whole Treaty area south of 60 S; Peru's 200-nautical-mile domain) neither
  hold points nor count as coasts here.
"""

import argparse
import csv
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import shape

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The build's readers of the two packages and its code-to-state table only (no geometry).
from build_geo_data import (  # noqa: E402
    NOT_A_BELT,
    iso3166,
    packages,
    read_member,
    registry_states,
    state_of,
    topo_arcs,
    topo_ring,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "geo"
GEOD = Geod(ellps="WGS84")
EARTH_KM2 = 4 * GEOD.polygon_area_perimeter([0, 90, 90, 0], [-90, -90, 90, 90])[0] / 1e6
LAT_STEP_DEG, LON_STEP_DEG = 2.5, 5
FAR_KM = 100.0
EDGE_KM = 5.0
# Natural Earth countries without an ISO numeric code, and the state the build reports them
# under (the build decides this by OSM overlap; here it is written out, checked by hand).
NO_CODE = {
    "Somaliland": "SOM",
    "Kosovo": "XKX",
    "N. Cyprus": "CYP",
    "Indian Ocean Ter.": "AUS",
    "Siachen Glacier": "IND",
}


def polygon_km2(rings) -> float:
    """The geodesic area of a polygon (exterior, then holes, wound against it, as GeoJSON and
    TopoJSON have them). Each ring's signed area (counter-clockwise positive) is summed, then
    brought into (-A/2, A/2] for the Earth's area A: so a polygon round a pole (Natural Earth's
    Antarctica: a ring a metre round the South Pole, and the coast) comes out right too."""
    total = 0.0
    for ring in rings:
        lons, lats = zip(*ring, strict=True)
        total += GEOD.polygon_area_perimeter(lons, lats)[0] / 1e6
    total = (total + EARTH_KM2 / 2) % EARTH_KM2 - EARTH_KM2 / 2
    return abs(total)


def geojson_polygons(geometry: dict):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def densified(ring) -> np.ndarray:
    """The ring's vertices with points added so that no edge is longer than about EDGE_KM (in
    the lon/lat plane, on the short way round; source edges are short, so this stays near
    their geodesics)."""
    xy = np.asarray(ring, dtype=float)
    out = [xy[:1]]
    for a, b in zip(xy[:-1], xy[1:], strict=True):
        d = b - a
        d[0] = (d[0] + 180.0) % 360.0 - 180.0
        km = float(np.hypot(d[0] * np.cos(np.radians(a[1])), d[1])) * 111.3
        n = max(1, int(np.ceil(km / EDGE_KM)))
        t = np.linspace(0.0, 1.0, n + 1)[1:, None]
        out.append(a + t * d)
    pts = np.concatenate(out)
    pts[:, 0] = (pts[:, 0] + 180.0) % 360.0 - 180.0
    return pts


def unit_vectors(lon, lat) -> np.ndarray:
    lon, lat = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def nearest_km(points: np.ndarray, coast: np.ndarray) -> np.ndarray:
    """For each (lon, lat) point, the geodesic distance to the nearest coast vertex: the 16
    nearest by chord on the sphere, then each measured on the ellipsoid."""
    cv = unit_vectors(coast[:, 0], coast[:, 1])
    out = np.empty(len(points))
    for i, (lon, lat) in enumerate(points):
        v = unit_vectors(np.array([lon]), np.array([lat]))[0]
        nearest = np.argpartition(-(cv @ v), 16)[:16]
        n = len(nearest)
        _, _, metres = GEOD.inv(
            np.full(n, lon), np.full(n, lat), coast[nearest, 0], coast[nearest, 1]
        )
        out[i] = float(np.min(metres)) / 1000.0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", help="a folder holding the two npm .tgz files")
    args = parser.parse_args()
    from global_land_mask import globe  # only this script needs it

    known = registry_states()
    with tempfile.TemporaryDirectory() as tmp:
        maritime_tgz, atlas_tgz = packages(args.source, Path(tmp))
        topo = json.loads(read_member(atlas_tgz, "countries-50m.json"))
        maritime = json.loads(read_member(maritime_tgz, "map.geo.json"))

    arcs = topo_arcs(topo)
    land_km2, sea_km2 = defaultdict(float), defaultdict(float)
    coast = []
    for obj in topo["objects"]["countries"]["geometries"]:
        country = iso3166.countries_by_numeric.get(obj.get("id") or "")
        code = country.alpha3 if country else NO_CODE[obj["properties"]["name"]]
        polygons = obj["arcs"] if obj["type"] == "MultiPolygon" else [obj["arcs"]]
        for polygon in polygons:
            rings = [topo_ring(r, arcs) for r in polygon]
            land_km2[state_of(code, known)] += polygon_km2(rings)
    for geometry in topo["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        coast += [densified(topo_ring(r, arcs)) for p in polygons for r in p]
    held = []  # the waters states hold, as the source draws them (its shapes are plane-valid)
    for feature in maritime["features"]:
        code = feature["properties"]["A3"]
        state = state_of(code, known)
        for rings in geojson_polygons(feature["geometry"]):
            sea_km2[state] += polygon_km2(rings)
            if code not in NOT_A_BELT:
                coast += [densified(r) for r in rings]
        if code not in NOT_A_BELT:
            held.append(shapely.make_valid(shape(feature["geometry"])))
    coast = np.concatenate(coast)

    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "source_areas.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["state", "land_km2", "maritime_km2"])
        for state in sorted(set(land_km2) | set(sea_km2)):
            out.writerow([state, f"{land_km2[state]:.1f}", f"{sea_km2[state]:.1f}"])

    lats = np.arange(-85.0, 85.0 + LAT_STEP_DEG / 2, LAT_STEP_DEG)
    lons = np.arange(-180.0, 180.0, LON_STEP_DEG)
    grid = np.array([(lon, lat) for lat in lats for lon in lons], dtype=float)
    at_sea = globe.is_ocean(grid[:, 1], grid[:, 0])
    inside, _ = shapely.STRtree(held).query(shapely.points(grid), predicate="within")
    at_sea[inside] = False
    grid = grid[at_sea]
    distance = nearest_km(grid, coast)
    with open(OUT / "open_ocean.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["lat", "lon", "nearest_source_km"])
        for (lon, lat), km in zip(grid, distance, strict=True):
            if km > FAR_KM:
                out.writerow([f"{lat:g}", f"{lon:g}", f"{km:.0f}"])
    far = int((distance > FAR_KM).sum())
    print(
        f"{len(land_km2)} states' areas; {far} open-ocean points of {len(grid)} at sea"
        f" ({len(coast):,} coast vertices)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
