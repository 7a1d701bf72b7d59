"""Affected states: whose land or territorial sea each part of a notification touches.

The boundaries (data/geo/boundaries.geojson.gz, built by tools/build_geo_data.py) hold two
zones per state:
- `land`: Natural Earth 1:50m land of the state, its dependencies included;
- `territorial_sea`: the 12-nautical-mile belt of OpenStreetMap's maritime boundaries with all
  Natural Earth land taken out, i.e. the water of the belt, per territory, reported under the
  sovereign state.

A part (any shape in the lon/lat plane, in normal form) touches a state's
- `land` when it intersects that state's land;
- `territorial_sea` when it intersects that state's belt of water.
So a part that lies over land only says `land`; one over the sea off a coast says
`territorial_sea`; one that crosses a coast says both. A shape that only touches a boundary line
counts (intersects, not overlaps): a point exactly on a coast touches both zones.

The data is read once per process, at first use, under a lock; each part then costs one query of
an STRtree of some 2,600 polygons with the part prepared (GEOS's indexed geometry).
"""

import gzip
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from hcoc.lib.marking import N_

DEFAULT_PATH = Path(__file__).resolve().parents[4] / "data" / "geo" / "boundaries.geojson.gz"
PARTS = ("launch_area", "corridor", "impact_area")  # the published order, docs/formats.md
ZONES = ("land", "territorial_sea")
# What people read for each of them (pages, e-mail); the published values stay the codes above.
WORDS = {
    "launch_area": N_("launch area"),
    "corridor": N_("corridor"),
    "impact_area": N_("impact area"),
    "land": N_("land"),
    "territorial_sea": N_("territorial sea"),
}


@dataclass(frozen=True)
class Boundaries:
    polygons: np.ndarray  # shapely Polygons
    states: np.ndarray  # ISO alpha-3 of the state each polygon belongs to
    zones: np.ndarray  # index into ZONES
    tree: shapely.STRtree

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> "Boundaries":
        with gzip.open(path, "rb") as f:
            collection = json.load(f)
        features = collection["features"]
        geometries = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
        # One polygon per tree entry: a multipolygon spanning the Earth (the USA's, France's)
        # would be a candidate for every query; its islands one by one are not.
        polygons, index = shapely.get_parts(geometries, return_index=True)
        states = np.array([f["properties"]["state"] for f in features])[index]
        zones = np.array([ZONES.index(f["properties"]["zone"]) for f in features])[index]
        return cls(polygons, states, zones, shapely.STRtree(polygons))

    def touched(self, geom: BaseGeometry) -> set[tuple[str, str]]:
        """The (state, zone) pairs the shape intersects. Each polygon of the shape is one query
        (a shape split at 180 deg has a bounding box as wide as the world; its halves do not);
        the tree prepares each query polygon once and tests it against the candidates whose
        boxes it meets."""
        _, hits = self.tree.query(shapely.get_parts(geom), predicate="intersects")
        hits = np.unique(hits)
        return {
            (str(s), ZONES[z]) for s, z in zip(self.states[hits], self.zones[hits], strict=True)
        }


_loaded: Boundaries | None = None
_lock = threading.Lock()


def boundaries() -> Boundaries:
    """The process's boundaries, read at first use (about half a second), never again."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = Boundaries.load()
    return _loaded


def _shapes(value) -> Iterable[BaseGeometry]:
    if value is None:
        return []
    if isinstance(value, BaseGeometry | Mapping):
        value = [value]
    return [v if isinstance(v, BaseGeometry) else shapely.geometry.shape(v) for v in value]


def affected_states(
    parts: Mapping[str, object], *, data: Boundaries | None = None
) -> list[dict[str, object]]:
    """`parts` maps "launch_area", "corridor", "impact_area" to a shape or a list of shapes
    (shapely geometries or GeoJSON mappings, in normal form; a missing or None part is skipped).
    Returns `[{"state": ISO3, "parts": [...], "zones": [...]}]` sorted by state, parts and zones
    in their published order."""
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts: {', '.join(sorted(unknown))}; one of {', '.join(PARTS)}")
    data = data or boundaries()
    found: dict[str, tuple[set[str], set[str]]] = {}
    for part, value in parts.items():
        for shape in _shapes(value):
            for state, zone in data.touched(shape):
                part_set, zone_set = found.setdefault(state, (set(), set()))
                part_set.add(part)
                zone_set.add(zone)
    return [
        {
            "state": state,
            "parts": [p for p in PARTS if p in found[state][0]],
            "zones": [z for z in ZONES if z in found[state][1]],
        }
        for state in sorted(found)
    ]
