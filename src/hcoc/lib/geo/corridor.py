"""The corridor of a notification: where the planned direction points, for how far.

From the centre of the launch area, along the planned azimuth, a band on the geodesic of the
corridor's length, DEFAULT_HALF_WIDTH_KM to each side; for a sector, the geodesic wedge between
its two sides (the sector is the width).

How long, and so what the corridor means (corridor_length), in two tiers:
- **concerned**: a length the notification states. `range_km` when it gives one; without it, as
  far as the farthest impact area (the distance from the start to that area's centre). States
  under this corridor are concerned by the launch, like those under its launch and impact areas.
- **planned_direction**: the notification states neither. The corridor then shows only what lies
  in the planned direction, as far as the generic class's upper bound (CLASS_RANGES), or for a
  class without a range (SLBM, the space launch vehicles) a nominal length (NOMINAL_KM). It is an
  estimate of the exchange, never a statement of the notifying state: states under it are listed
  apart and are never "concerned".

It is an indication of the notified direction, not a trajectory: a ballistic missile's ground
track on the rotating Earth bends away from the geodesic of its launch azimuth, which is why the
impact areas are parts of their own.
"""

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from shapely.geometry import MultiLineString, MultiPolygon, Polygon

from hcoc.lib.vocabulary import CLASS_RANGES

from .geodesy import GEOD, MAX_EDGE_KM, LonLat, densify, normal_form

# 50 km each side, a band 100 km wide: the order of the hazard areas that navigational warnings
# publish along launch tracks (tens of nautical miles each side), and the sideways spread of a
# whole-degree azimuth (the precision states give) at about 2,900 km (tan 1 deg x 2,865 km). A
# stated choice, not a physical envelope; a sector gives its own width instead.
DEFAULT_HALF_WIDTH_KM = 50.0
# Beyond about half the Earth's circumference (20,004 km from pole to pole) a geodesic comes
# back towards its start; the longest class bound (an ICBM's) is 20,000 km. A longer range_km
# (an orbital vehicle's is not a ground distance) is drawn to this length and says so.
MAX_LENGTH_KM = 20_000.0

ARC_STEP_DEG = 2.0  # a sector's arc has a point at least every 2 degrees of azimuth

# For a class whose definition has no range, how far "the planned direction" is drawn when the
# notification states neither a range nor an impact area (the lower tier only; never a reason to
# call a state concerned). Stated choices, each the order of what such a launch overflies:
# - SLBM: 12,000 km, about the reach of the longest-ranged SLBMs in service (Trident II D5);
# - space launch vehicles: 3,000 km, about where an orbital launch's lower stages come down
#   (first stages within a few hundred km, second stages and fairings to some 3,000 km
#   downrange; beyond that the vehicle is in or near orbit, not falling back).
NOMINAL_KM = {"SLBM": 12_000.0}
SLV_NOMINAL_KM = 3_000.0

LengthSource = Literal["range_km", "impact_area", "class_upper_bound", "nominal"]
Tier = Literal["concerned", "planned_direction"]
STATED_SOURCES = ("range_km", "impact_area")  # what the notification itself says


@dataclass(frozen=True)
class Length:
    km: float  # as drawn
    source: LengthSource
    stated_km: float  # range_km, the farthest impact area, the class bound or the nominal length
    capped: bool  # stated_km was longer than MAX_LENGTH_KM

    @property
    def tier(self) -> Tier:
        return "concerned" if self.source in STATED_SOURCES else "planned_direction"


def nominal_km(generic_class: str) -> float | None:
    """How far the planned direction is drawn for a class without a stated length."""
    if generic_class in CLASS_RANGES:
        return float(CLASS_RANGES[generic_class].high_km)
    if generic_class.startswith("SLV"):
        return SLV_NOMINAL_KM
    return NOMINAL_KM.get(generic_class)


def corridor_length(
    *, range_km: float | None, generic_class: str, impact_reach_km: float | None = None
) -> Length | None:
    """`range_km`; else `impact_reach_km` (how far the farthest impact area lies from the
    start); else, as the lower tier, the class's upper bound or nominal length. None only for a
    class the vocabulary does not know."""
    if range_km is not None:
        stated, source = float(range_km), "range_km"
    elif impact_reach_km is not None:
        stated, source = float(impact_reach_km), "impact_area"
    elif generic_class in CLASS_RANGES:
        stated, source = float(CLASS_RANGES[generic_class].high_km), "class_upper_bound"
    elif (nominal := nominal_km(generic_class)) is not None:
        stated, source = nominal, "nominal"
    else:
        return None
    return Length(min(stated, MAX_LENGTH_KM), source, stated, stated > MAX_LENGTH_KM)


@dataclass(frozen=True)
class Corridor:
    area: Polygon | MultiPolygon  # normal form (split at 180 deg, valid)
    axes: list[np.ndarray]  # the centre line, or a sector's two sides: (n, 2) lon/lat, unsplit
    start: LonLat
    ends: list[LonLat]
    length_km: float
    half_width_km: float | None  # None for a sector


def _line(start: LonLat, azimuth: float, length_km: float) -> tuple[np.ndarray, ...]:
    """Points every <= MAX_EDGE_KM along the geodesic, with the forward azimuth at each."""
    n = max(1, math.ceil(length_km / MAX_EDGE_KM))
    distances = np.linspace(0.0, length_km * 1000.0, n + 1)
    lons, lats, forward = GEOD.fwd(
        np.full(n + 1, start[0]),
        np.full(n + 1, start[1]),
        np.full(n + 1, azimuth),
        distances,
        return_back_azimuth=False,
    )
    forward[0] = azimuth  # at distance 0 pyproj's "forward azimuth" is the one we asked for
    return lons, lats, forward


def band(start: LonLat, azimuth: float, length_km: float, half_width_km: float) -> Corridor:
    """The band along one azimuth: both edges offset at right angles from each point of the
    geodesic, flat at both ends. Built counter-clockwise: out along the right edge, back along
    the left."""
    lons, lats, forward = _line(start, azimuth, length_km)
    offset = np.full(len(lons), half_width_km * 1000.0)
    right_lon, right_lat, _ = GEOD.fwd(lons, lats, forward + 90.0, offset)
    left_lon, left_lat, _ = GEOD.fwd(lons, lats, forward - 90.0, offset)
    ring = np.concatenate(
        [
            np.column_stack([right_lon, right_lat]),
            [(lons[-1], lats[-1])],
            np.column_stack([left_lon, left_lat])[::-1],
            [start],
        ]
    )
    axis = np.column_stack([lons, lats])
    return Corridor(
        area=normal_form(densify(ring)),
        axes=[axis],
        start=start,
        ends=[(float(lons[-1]), float(lats[-1]))],
        length_km=length_km,
        half_width_km=half_width_km,
    )


def wedge(start: LonLat, azimuth_from: float, azimuth_to: float, length_km: float) -> Corridor:
    """The geodesic sector clockwise from `azimuth_from` to `azimuth_to`, out to `length_km`.
    Built counter-clockwise: out along the `to` side, the arc back to `from`, home."""
    width = (azimuth_to - azimuth_from) % 360.0
    lons_to, lats_to, _ = _line(start, azimuth_from + width, length_km)
    lons_from, lats_from, _ = _line(start, azimuth_from, length_km)
    # The arc at length_km: its length is width x R sin(length/R) on a sphere of radius R.
    arc_km = math.radians(width) * 6371.0 * abs(math.sin(length_km / 6371.0))
    n = max(math.ceil(arc_km / MAX_EDGE_KM), math.ceil(width / ARC_STEP_DEG)) + 1
    azimuths = np.linspace(azimuth_from + width, azimuth_from, n)
    arc_lon, arc_lat, _ = GEOD.fwd(
        np.full(n, start[0]), np.full(n, start[1]), azimuths, np.full(n, length_km * 1000.0)
    )
    side_to = np.column_stack([lons_to, lats_to])
    side_from = np.column_stack([lons_from, lats_from])
    ring = np.concatenate([side_to[:-1], np.column_stack([arc_lon, arc_lat]), side_from[-2:0:-1]])
    return Corridor(
        area=normal_form(densify(ring)),
        axes=[side_from, side_to],
        start=start,
        ends=[tuple(side_from[-1].tolist()), tuple(side_to[-1].tolist())],
        length_km=length_km,
        half_width_km=None,
    )


def corridor(
    start: LonLat,
    direction: dict,
    length_km: float,
    *,
    half_width_km: float = DEFAULT_HALF_WIDTH_KM,
) -> Corridor:
    """The corridor for a planned direction as the format stores it: `{"azimuth_deg": a}` or
    `{"azimuth_from_deg": a, "azimuth_to_deg": b}` (clockwise from a to b)."""
    if direction.get("azimuth_deg") is not None:
        return band(start, float(direction["azimuth_deg"]), length_km, half_width_km)
    return wedge(
        start, float(direction["azimuth_from_deg"]), float(direction["azimuth_to_deg"]), length_km
    )


def axes_geometry(axes: list[np.ndarray]) -> MultiLineString:
    """The axes in the lon/lat plane, split where they cross 180 deg (for drawing)."""
    lines = []
    for axis in axes:
        lon, lat = axis[:, 0], axis[:, 1]
        piece_start = 0
        head: list[LonLat] = []
        for i in np.nonzero(np.abs(np.diff(lon)) > 180.0)[0]:  # crosses 180 deg after point i
            edge = 180.0 if lon[i] > 0 else -180.0
            far = lon[i + 1] + (360.0 if lon[i] > 0 else -360.0)
            cross = (edge, float(lat[i] + (lat[i + 1] - lat[i]) * (edge - lon[i]) / (far - lon[i])))
            lines.append([*head, *axis[piece_start : i + 1].tolist(), cross])
            head, piece_start = [(-edge, cross[1])], i + 1
        lines.append([*head, *axis[piece_start:].tolist()])
    return MultiLineString([line for line in lines if len(line) > 1])
