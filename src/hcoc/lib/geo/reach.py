"""Impact areas far beyond the stated range: flagged, not refused.

    impact_flags(content, site_lookup=...) -> [{"field": "impact_areas[1]",
                                                "code": "impact_area_beyond_range",
                                                "message": "..."}]

A state states `range_km` and its impact areas separately; when an impact area's nearest point
lies much further from the launch area than the range, one of them is probably wrong. It is a
flag in the read model rather than a 422: the Code asks for the notification before the window,
and a stage or payload may legitimately fall beyond a round figure of range (an SLV's
`range_km` is no ground distance), so refusing would keep a notification from the exchange for
a doubt the receiving states can judge themselves.
"""

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point

from .geodesy import LonLat, distances_km
from .notification import SiteLookup, area_centre, area_shape

FAR_FACTOR = 1.25  # a stated range is a round figure: only clearly inconsistent areas count
FAR_MARGIN_KM = 100.0  # and never for a difference under 100 km (sounding rockets, SRBMs)
CODE = "impact_area_beyond_range"
# The flag's message as the API publishes it and the log keeps it (English, for the record; a
# state's software reads `code` and `field`). Pages say it in the reader's language from the two
# figures in it (`figures`): the stored message is never rewritten.
MESSAGE = (
    "this impact area lies {distance} km from the launch area's centre, "
    "far beyond the stated range_km of {range} km"
)
_FIGURES = re.compile(
    re.escape(MESSAGE).replace(r"\{distance\}", "([0-9,]+)").replace(r"\{range\}", "([0-9,]+)")
)


def nearest_km(start: LonLat, area: Mapping[str, Any], *, site_lookup: SiteLookup) -> float | None:
    """Geodesic distance from `start` to the nearest point of an area (0 inside it); edges are
    densified to 25 km, so the figure is within a few km."""
    if area.get("center") is not None:
        centre = (float(area["center"]["lon"]), float(area["center"]["lat"]))
        gap = distances_km(start, np.array([centre]))[0] - float(area["radius_km"])
        return max(0.0, float(gap))
    shape = area_shape(area, site_lookup=site_lookup)
    if shape is None:
        return None
    if shape.geom_type != "Point" and shape.covers(Point(start)):
        return 0.0
    return float(distances_km(start, shapely.get_coordinates(shape)).min())


def _extent_km(area: Mapping[str, Any], start: LonLat, *, site_lookup: SiteLookup) -> float:
    """How far the launch area reaches from its centre: a launch anywhere in it is allowed."""
    if area.get("center") is not None:
        return float(area["radius_km"])
    if area.get("polygon"):
        coords = np.array([(float(p["lon"]), float(p["lat"])) for p in area["polygon"]])
        return float(distances_km(start, coords).max())
    return 0.0


def _km(value: float) -> str:
    return f"{value:,.0f}"


def impact_flags(content: Mapping[str, Any], *, site_lookup: SiteLookup) -> list[dict[str, str]]:
    """One flag per impact area whose nearest point is more than FAR_FACTOR x range_km +
    FAR_MARGIN_KM beyond the edge of the launch area. Only a stated range_km is compared: a
    class's upper bound is no statement of the sender's."""
    range_km = content.get("range_km")
    launch = content.get("launch_area") or {}
    start = area_centre(launch, site_lookup=site_lookup) if launch else None
    if not range_km or start is None:
        return []
    limit = float(range_km) * FAR_FACTOR + FAR_MARGIN_KM
    slack = _extent_km(launch, start, site_lookup=site_lookup)
    flags = []
    for i, area in enumerate(content.get("impact_areas") or []):
        distance = nearest_km(start, area, site_lookup=site_lookup)
        if distance is None or distance - slack <= limit:
            continue
        flags.append(
            {
                "field": f"impact_areas[{i}]",
                "code": CODE,
                "message": MESSAGE.format(distance=_km(distance), range=_km(float(range_km))),
            }
        )
    return flags


def figures(flag: Mapping[str, Any]) -> tuple[int, int] | None:
    """(distance, stated range) in km of a flag `impact_flags` wrote, read from its message;
    None for a flag of another kind or a message in another form."""
    if flag.get("code") != CODE or not isinstance(flag.get("message"), str):
        return None
    found = _FIGURES.fullmatch(flag["message"])
    if found is None:
        return None
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))
