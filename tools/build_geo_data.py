"""Build data/geo/boundaries.geojson.gz, the land and territorial seas that "affected states" reads.

    .venv/bin/python tools/build_geo_data.py            # fetches the two npm packages with npm pack
    .venv/bin/python tools/build_geo_data.py --from DIR  # or reads the two .tgz files from DIR

Sources, both from the npm registry (never from a copy elsewhere):
- `@geo-maps/countries-maritime-10m@0.6.0`: each country's land plus its 12-nautical-mile
  territorial sea (OpenStreetMap, ODbL 1.0), `properties.A3` = ISO 3166-1 alpha-3.
- `world-atlas@2.0.2`: Natural Earth 1:50m admin-0 countries and land as TopoJSON (public
  domain; the package is ISC), `id` = ISO 3166-1 numeric.

What it writes, one GeoJSON feature per (state, zone) or (territory, zone):
- `zone: land`: the Natural Earth land of a state (its countries and dependencies dissolved).
- `zone: territorial_sea`: a territory's maritime shape (OSM) minus all Natural Earth land,
  i.e. the water of the 12-nm belt; simplified (Douglas-Peucker, see TOLERANCE_DEG) so that no
  point moves more than 1 km, which the script checks on every feature.
Every feature carries `state` (the sovereign state that is reported: a dependency is reported
under its sovereign, as the site catalogue's `territory` column does) and, for the sea, the
`territory` code of the source. Coordinates are rounded to 1e-4 deg (about 11 m).
"""

import argparse
import csv
import gzip
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

import iso3166
import numpy as np
import shapely
import shapely.affinity
from pyproj import Transformer
from shapely.geometry import Polygon, mapping, shape

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "geo"
MARITIME = "@geo-maps/countries-maritime-10m@0.6.0"
ATLAS = "world-atlas@2.0.2"

# Douglas-Peucker tolerance, in degrees of the lon/lat plane. A degree of latitude is at most
# 111.70 km and a degree of longitude 111.32 km x cos(lat), so a planar offset of d degrees is at
# most d x 111.70 km on the ground: 0.0085 deg is 0.95 km at most. GEOS also drops a ring's start
# point when it lies within the tolerance, which can leave the points next to it up to twice the
# tolerance away (1.11 km on South Georgia). So the script measures every feature's Hausdorff
# distance to its original after the 1e-4 deg rounding; where it is 1 km or more, it simplifies
# that feature again with half the tolerance.
TOLERANCE_DEG = 0.0085
KM_PER_DEG_MAX = 111.70
MAX_SHIFT_KM = 1.0
GRID_DEG = 1e-4

# Dependent territories in the sources, reported under their sovereign state (ISO 3166-1 lists
# them with their own codes; the exchange's affected states are states).
SOVEREIGN = {
    "ABW": "NLD", "AIA": "GBR", "ALA": "FIN", "ASM": "USA", "ATF": "FRA", "BES": "NLD",
    "BLM": "FRA", "BMU": "GBR", "BVT": "NOR", "CCK": "AUS", "CUW": "NLD", "CXR": "AUS",
    "CYM": "GBR", "FLK": "GBR", "FRO": "DNK", "GGY": "GBR", "GIB": "GBR", "GLP": "FRA",
    "GRL": "DNK", "GUF": "FRA", "GUM": "USA", "HKG": "CHN", "HMD": "AUS", "IMN": "GBR",
    "IOT": "GBR", "JEY": "GBR", "MAC": "CHN", "MAF": "FRA", "MNP": "USA", "MSR": "GBR",
    "MTQ": "FRA", "MYT": "FRA", "NCL": "FRA", "NFK": "AUS", "PCN": "GBR", "PRI": "USA",
    "PYF": "FRA", "REU": "FRA", "SGS": "GBR", "SHN": "GBR", "SJM": "NOR", "SPM": "FRA",
    "SXM": "NLD", "TCA": "GBR", "TKL": "NZL", "UMI": "USA", "VGB": "GBR", "VIR": "USA",
    "WLF": "FRA",
}  # fmt: skip
# Codes that are no member of the registry and no dependency: reported as they are, the exchange
# takes no position on their status (Antarctica, Western Sahara, Taiwan, Kosovo, Niue).
AS_THEY_ARE = {"ATA", "ESH", "TWN", "XKX", "NIU"}

# Source shapes that are no 12-nautical-mile belt, and what the build makes of them. Found by the
# open-ocean check of tests/geo/test_geo_dataset.py (points of the open sea that concerned them).
# - ATA: the shape is the whole Antarctic Treaty area, every sea south of 60 S. No territorial
#   sea is recognised there (Antarctic Treaty, Article IV): Antarctica is land only.
# - PER: the shape is Peru's 200-nautical-mile maritime domain (Constitution of 1993, Art. 54),
#   not a territorial sea: clipped to 12 nautical miles of Peru's land (and CLIP_SLACK_KM for
#   Natural Earth's coast, which lies up to a few km off OSM's).
NOT_A_BELT = {"ATA": "dropped", "PER": "clipped to 12 nautical miles"}
BELT_KM = 12 * 1.852
CLIP_SLACK_KM = 5.0
CLIP_CRS = {"PER": "EPSG:32718"}  # UTM zone 18 S: Peru's coast lies within 6 degrees of -75


def npm_pack(spec: str, into: Path) -> Path:
    # npm from PATH with fixed arguments: the two package specs above, nothing from outside.
    out = subprocess.run(  # noqa: S603
        ["npm", "pack", "--silent", spec],  # noqa: S607
        cwd=into,
        check=True,
        capture_output=True,
        text=True,
    )
    return into / out.stdout.strip().splitlines()[-1]


def packages(source: str | None, tmp: Path) -> tuple[Path, Path]:
    """The two packages' .tgz files: from the folder `source`, or fetched into `tmp`."""
    if source:
        src = Path(source)
        return (
            next(src.glob("geo-maps-countries-maritime-10m-0.6.0.tgz")),
            next(src.glob("world-atlas-2.0.2.tgz")),
        )
    return npm_pack(MARITIME, tmp), npm_pack(ATLAS, tmp)


def read_member(tgz: Path, name: str) -> bytes:
    with tarfile.open(tgz) as tar:
        member = tar.extractfile(f"package/{name}")
        if member is None:
            raise SystemExit(f"{tgz.name} has no {name}")
        return member.read()


def registry_states() -> set[str]:
    with open(ROOT / "data" / "hcoc_states.csv", newline="", encoding="utf-8") as f:
        return {row["iso3"] for row in csv.DictReader(f)}


def state_of(code: str, known: set[str]) -> str:
    state = SOVEREIGN.get(code, code)
    if state not in known and state not in AS_THEY_ARE:
        raise SystemExit(f"{code}: neither a state of the registry nor a listed territory")
    return state


# ---- TopoJSON (world-atlas), decoded here to need no extra package ------------------------


def topo_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def topo_ring(indexes: list[int], arcs: list) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def unwrap_ring(ring: list[tuple[float, float]]) -> tuple[np.ndarray, int]:
    """The ring with each edge going the short way in longitude (longitudes may leave
    [-180, 180]), and how many times it winds round the polar axis."""
    xy = np.asarray(ring, dtype=float)
    step = np.diff(xy[:, 0])
    step = (step + 180.0) % 360.0 - 180.0
    unwrapped = xy.copy()
    unwrapped[1:, 0] = xy[0, 0] + np.cumsum(step)
    return unwrapped, round(float(unwrapped[-1, 0] - unwrapped[0, 0]) / 360.0)


def ring_region(ring: list[tuple[float, float]]):
    """What one source ring encloses in the lon/lat plane, cut at 180 degrees.

    Natural Earth's TopoJSON is spherical: a piece of land that crosses 180 degrees (Chukotka,
    Wrangel Island, a Fijian island) is one ring whose longitude jumps from +179.9 to -180 and
    back, and Antarctica is a ring round the South Pole. Read as plane polygons the first were
    bands round the whole world (Chukotka's covered the sea from 65 to 69 N at every longitude,
    so a launch off Norway "concerned" Russia) and Antarctica stopped at a chord across the map
    at 84 S (the pole itself was no one's). Here each edge goes the short way; a ring clear of
    the poles is laid out in unwrapped longitudes, a ring round a pole is closed along that
    pole's edge of the map (the pole of its hemisphere); either is then cut into 360-degree
    windows, each moved back into [-180, 180]."""
    xy, winding = unwrap_ring(ring)
    if winding != 0:
        pole = -90.0 if xy[:, 1].mean() < 0 else 90.0
        xy = np.concatenate([xy, [(xy[-1, 0], pole), (xy[0, 0], pole)]])
    whole = shapely.make_valid(Polygon(xy))
    pieces = []
    for west in (-540.0, -180.0, 180.0):
        piece = shapely.intersection(whole, shapely.box(west, -90.0, west + 360.0, 90.0))
        if not piece.is_empty:
            pieces.append(shapely.affinity.translate(piece, xoff=-(west + 180.0)))
    return polygons_only(shapely.union_all(pieces))


def source_polygon(rings: list[list[tuple[float, float]]]):
    """A source polygon (its exterior and holes) as what its rings enclose by the even-odd rule:
    the exterior less the holes, and Antarctica's ring round the coast less the ring a metre
    round the pole that Natural Earth gives it as its other ring."""
    region = ring_region(rings[0])
    for ring in rings[1:]:
        region = shapely.symmetric_difference(region, ring_region(ring))
    return polygons_only(region)


def topo_geometry(obj: dict, arcs: list):
    polygons = obj["arcs"] if obj["type"] == "MultiPolygon" else [obj["arcs"]]
    parts = [source_polygon([topo_ring(ring, arcs) for ring in p]) for p in polygons]
    return polygons_only(shapely.union_all(parts))


# ---- the build ------------------------------------------------------------------------------


def polygons_only(geom):
    """make_valid and differences may leave lines or points on shared edges: keep the areas."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else Polygon()


def _segments(geom) -> np.ndarray:
    lines = []
    for ring in shapely.get_parts(shapely.boundary(geom)):
        xy = shapely.get_coordinates(ring)
        lines.append(np.stack([xy[:-1], xy[1:]], axis=1))
    return shapely.linestrings(np.concatenate(lines)) if lines else np.array([])


def _directed(points: np.ndarray, to) -> float:
    if len(points) == 0:
        return 0.0
    tree = shapely.STRtree(_segments(to))
    _, distance = tree.query_nearest(
        shapely.points(points), return_distance=True, all_matches=False
    )
    return float(distance.max())


def hausdorff_deg(a, b) -> float:
    """The discrete Hausdorff distance between two shapes' boundaries, every vertex of each to the
    nearest edge of the other (GEOS's own is quadratic: hours on Russia's 62,000 points)."""
    return max(_directed(shapely.get_coordinates(a), b), _directed(shapely.get_coordinates(b), a))


def rounded(geom):
    return polygons_only(shapely.make_valid(shapely.set_precision(geom, GRID_DEG)))


def country_land(topo: dict, arcs: list, alpha3: str):
    """One country's Natural Earth land."""
    numeric = iso3166.countries_by_alpha3[alpha3].numeric
    obj = next(o for o in topo["objects"]["countries"]["geometries"] if o.get("id") == numeric)
    return topo_geometry(obj, arcs)


def within_belt(sea, land, crs: str):
    """The part of a maritime shape within BELT_KM (and CLIP_SLACK_KM) of the land, measured in
    a projection where distances near that land are true to well under 1 %."""
    to_plane = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    near = shapely.transform(land, lambda xy: np.column_stack(to_plane.transform(*xy.T)))
    near = near.buffer((BELT_KM + CLIP_SLACK_KM) * 1000.0, quad_segs=16)
    near = shapely.transform(near, lambda xy: np.column_stack(to_lonlat.transform(*xy.T)))
    return polygons_only(shapely.intersection(sea, near))


def build(maritime_tgz: Path, atlas_tgz: Path) -> dict:
    known = registry_states()
    topo = json.loads(read_member(atlas_tgz, "countries-50m.json"))
    arcs = topo_arcs(topo)
    all_land = topo_geometry(topo["objects"]["land"]["geometries"][0], arcs)
    for extra in topo["objects"]["land"]["geometries"][1:]:
        all_land = all_land.union(topo_geometry(extra, arcs))
    shapely.prepare(all_land)

    maritime = json.loads(read_member(maritime_tgz, "map.geo.json"))
    features, worst_km, n_before, n_after = [], 0.0, 0, 0
    sea_shapes = {}
    for feature in maritime["features"]:
        code = feature["properties"]["A3"]
        original = polygons_only(shapely.make_valid(shape(feature["geometry"])))
        sea_shapes[code] = original
        if NOT_A_BELT.get(code) == "dropped":
            continue
        if code in CLIP_CRS:
            original = within_belt(original, country_land(topo, arcs, code), CLIP_CRS[code])
        tolerance = TOLERANCE_DEG
        while True:
            simple = rounded(shapely.simplify(original, tolerance, preserve_topology=True))
            shift_km = hausdorff_deg(original, simple) * KM_PER_DEG_MAX
            if shift_km < MAX_SHIFT_KM:
                break
            print(
                f"  {code}: moved {shift_km:.2f} km, again at {tolerance / 2} deg", file=sys.stderr
            )
            tolerance /= 2
        worst_km = max(worst_km, shift_km)
        n_before += shapely.get_num_coordinates(original)
        belt = simple.difference(all_land) if shapely.intersects(all_land, simple) else simple
        belt = rounded(belt)
        n_after += shapely.get_num_coordinates(belt)
        if not belt.is_empty:
            features.append(
                {"state": state_of(code, known), "territory": code, "zone": "territorial_sea"},
            )
            features[-1]["geometry"] = belt

    # Natural Earth countries -> alpha-3 -> the reported state; the few without an ISO numeric
    # code (Somaliland, Kosovo, N. Cyprus, Indian Ocean Ter., Siachen Glacier) go to the source
    # territory whose maritime shape covers most of them, so both layers agree on who holds them.
    land_by_state = defaultdict(list)
    for obj in topo["objects"]["countries"]["geometries"]:
        geom = topo_geometry(obj, arcs)
        country = iso3166.countries_by_numeric.get(obj.get("id") or "")
        if country is not None:
            code = country.alpha3
        else:
            code = max(sea_shapes, key=lambda c: sea_shapes[c].intersection(geom).area)
            print(
                f"  {obj['properties']['name']}: no ISO code, most inside {code}", file=sys.stderr
            )
        land_by_state[state_of(code, known)].append(geom)
    for state, geoms in sorted(land_by_state.items()):
        land = rounded(shapely.union_all(geoms))
        n_after += shapely.get_num_coordinates(land)
        features.append({"state": state, "zone": "land", "geometry": land})

    features.sort(key=lambda f: (f["state"], f["zone"], f.get("territory", "")))
    print(
        f"territorial seas: {n_before:,} points -> shipped {n_after:,} points in all;"
        f" largest shift {worst_km:.3f} km",
        file=sys.stderr,
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {k: v for k, v in f.items() if k != "geometry"},
                "geometry": mapping(f["geometry"]),
            }
            for f in features
        ],
    }


def write(collection: dict, path: Path) -> None:
    text = json.dumps(collection, separators=(",", ":"), sort_keys=True)
    # set_precision left every coordinate on the 1e-4 grid; print them that short.
    text = _short_numbers(text)
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:  # mtime=0: reproducible
        f.write(text.encode())


def _short_numbers(text: str) -> str:
    return re.sub(r"-?\d+\.\d{5,}", lambda m: repr(round(float(m.group()), 4)), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", help="a folder holding the two npm .tgz files")
    parser.add_argument("--out", default=str(OUT / "boundaries.geojson.gz"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        maritime_tgz, atlas_tgz = packages(args.source, Path(tmp))
        collection = build(maritime_tgz, atlas_tgz)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        write(collection, out)
        (out.parent / "geo-maps.LICENSE").write_bytes(read_member(maritime_tgz, "LICENSE"))
        (out.parent / "world-atlas.LICENSE").write_bytes(read_member(atlas_tgz, "LICENSE"))
    print(f"wrote {out} ({out.stat().st_size:,} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
