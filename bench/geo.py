#!/usr/bin/env python
"""How fast the geography of notifications is (issue 12: "one notification with a 10,000 km
corridor and 3 impact areas < 10 ms median; 10,000 notifications recomputed < 60 s").

    .venv/bin/python bench/geo.py [--notifications 10000] [--repeat 200] [--seed 12] [--smoke]

No Django, no database: hcoc.lib.geo alone. In one process it measures
1. the load of the boundary data (data/geo/boundaries.geojson.gz: read, parse, STRtree), cold;
2. one notification: a 10,000 km corridor from Plesetsk across the Arctic (it crosses 180 degrees)
   and 3 impact circles: affected_states() on the built shapes, and the whole
   notification_geometry() (shapes, GeoJSON and affected states), each the median of --repeat
   runs after a warm-up;
3. a recompute of --notifications synthetic but realistic notifications: a launch site of
   data/launch_sites.csv that launches that kind (BM or SLV), a generic class, a range drawn in
   the class's band (SLV 300-3,000 km downrange; 1 in 5 without range_km, which takes the class
   bound or, for SLV and SLBM, no corridor), a random azimuth (1 in 10 a sector 10-60 degrees
   wide), 0-3 impact circles along the way (10-100 km), 1 in 10 launch areas a circle or a polygon
   instead of the site. Total time, rate, and how many touched more than one state.
Then the process's peak RSS (getrusage). It prints figures and asserts nothing on time.
"""

import argparse
import csv
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hcoc.lib.geo import states as geo_states  # noqa: E402
from hcoc.lib.geo.corridor import corridor  # noqa: E402
from hcoc.lib.geo.geodesy import GEOD, circle_area  # noqa: E402
from hcoc.lib.geo.notification import notification_geometry  # noqa: E402
from hcoc.lib.vocabulary import CLASS_RANGES  # noqa: E402

BM_CLASSES = ["SRBM"] * 4 + ["MRBM"] * 2 + ["IRBM", "ICBM", "SLBM"]
SLV_CLASSES = ["SLV-small", "SLV-medium", "SLV-medium", "SLV-heavy", "SLV-suborbital"]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sites() -> list[dict]:
    with open(ROOT / "data" / "launch_sites.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def synthetic(rng: random.Random, catalogue: list[dict]) -> dict:
    site = rng.choice(catalogue)
    category = rng.choice(site["kinds"].split())
    generic = rng.choice(BM_CLASSES if category == "BM" else SLV_CLASSES)
    band = CLASS_RANGES.get(generic)
    if band is not None:
        range_km = rng.uniform(max(band.low_km, 100), min(band.high_km, 13_000))
    else:
        range_km = rng.uniform(300, 3_000) if category == "SLV" else rng.uniform(1_000, 9_000)
    lat, lon = float(site["lat"]), float(site["lon"])
    azimuth = rng.uniform(0, 360)
    direction: dict = {"azimuth_deg": azimuth}
    if rng.random() < 0.1:
        width = rng.uniform(10, 60)
        direction = {"azimuth_from_deg": azimuth, "azimuth_to_deg": (azimuth + width) % 360}
    impacts = []
    for _ in range(rng.randint(0, 3)):
        ilon, ilat, _ = GEOD.fwd(lon, lat, azimuth, range_km * rng.uniform(0.2, 1.0) * 1000)
        kind = rng.choice(["payload", "stage", "fairing", "debris"])
        impacts.append(
            {"kind": kind, "center": {"lat": ilat, "lon": ilon}, "radius_km": rng.uniform(10, 100)}
        )
    launch_area: dict = {"site_id": site["id"]}
    roll = rng.random()
    if roll < 0.05:
        launch_area = {"center": {"lat": lat, "lon": lon}, "radius_km": rng.uniform(5, 50)}
    elif roll < 0.1:
        d = rng.uniform(0.05, 0.5)
        launch_area = {
            "polygon": [
                {"lat": lat + dy, "lon": ((lon + dx + 180) % 360) - 180}
                for dx, dy in ((-d, -d), (d, -d), (d, d), (-d, d))
            ]
        }
    return {
        "category": category,
        "generic_class": generic,
        "launch_area": launch_area,
        "planned_direction": direction,
        "impact_areas": impacts,
        "range_km": None if rng.random() < 0.2 else round(range_km),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--smoke", action="store_true", help="20 notifications, 5 repeats: that it runs"
    )
    args = parser.parse_args()
    if args.smoke:
        args.notifications, args.repeat = 20, 5

    rss_before = peak_mib()
    t = time.perf_counter()
    data = geo_states.Boundaries.load()
    load_s = time.perf_counter() - t
    geo_states._loaded = data  # the process's copy from here on, as boundaries() would keep it
    print(
        f"boundary data: {len(data.polygons):,} polygons, loaded in {load_s:.2f} s "
        f"(peak RSS {rss_before:.0f} -> {peak_mib():.0f} MiB)"
    )

    catalogue = sites()
    lookup = {s["id"]: (float(s["lat"]), float(s["lon"])) for s in catalogue}.get
    plesetsk = lookup("RUS-PLESETSK")
    one = {
        "category": "BM",
        "generic_class": "ICBM",
        "launch_area": {"site_id": "RUS-PLESETSK"},
        "planned_direction": {"azimuth_deg": 20.0},
        "range_km": 10_000,
        "impact_areas": [],
    }
    built = corridor((plesetsk[1], plesetsk[0]), one["planned_direction"], 10_000)
    impacts = []
    for fraction, radius in ((0.6, 50), (0.8, 50), (1.0, 100)):
        ilon, ilat, _ = GEOD.fwd(plesetsk[1], plesetsk[0], 20.0, 10_000_000 * fraction)
        impacts.append(circle_area((ilon, ilat), radius))
        one["impact_areas"].append(
            {"kind": "stage", "center": {"lat": ilat, "lon": ilon}, "radius_km": radius}
        )
    parts = {
        "launch_area": circle_area((plesetsk[1], plesetsk[0]), 5),
        "corridor": built.area,
        "impact_area": impacts,
    }

    def median_ms(call) -> tuple[float, float]:
        for _ in range(5):
            call()
        runs = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            call()
            runs.append(time.perf_counter() - t)
        runs.sort()
        return statistics.median(runs) * 1000, runs[int(len(runs) * 0.95)] * 1000

    states_ms = median_ms(lambda: geo_states.affected_states(parts, data=data))
    whole_ms = median_ms(lambda: notification_geometry(one, site_lookup=lookup, data=data))
    found = [s["state"] for s in geo_states.affected_states(parts, data=data)]
    print(
        f"one notification (10,000 km corridor across 180 deg, 3 impact areas; touches {', '.join(found)}):"
    )
    print(
        f"  affected_states() on built shapes: median {states_ms[0]:.2f} ms, p95 {states_ms[1]:.2f} ms"
    )
    print(
        f"  notification_geometry(), all of it: median {whole_ms[0]:.2f} ms, p95 {whole_ms[1]:.2f} ms"
    )

    rng = random.Random(args.seed)
    contents = [synthetic(rng, catalogue) for _ in range(args.notifications)]
    several = corridors = 0
    t = time.perf_counter()
    for content in contents:  # each result is dropped once counted, as a recompute job would
        result = notification_geometry(content, site_lookup=lookup, data=data)
        several += len(result["affected_states"]) > 1
        corridors += result["corridor"] is not None
    total_s = time.perf_counter() - t
    print(
        f"recompute of {args.notifications:,} notifications ({corridors:,} with a corridor; "
        f"{several:,} touching more than one state): {total_s:.1f} s, "
        f"{total_s / args.notifications * 1000:.2f} ms each"
    )
    print(f"peak RSS of the process: {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
