"""Everything geographic about one notification, from its stored content, in one call.

    notification_geometry(content, site_lookup=...) -> {"launch_area", "corridor",
                                                       "impact_areas", "affected_states",
                                                       "in_planned_direction"}

`content` is the stored PLN content (notifications.services.pln_content: `launch_area`,
`planned_direction`, `impact_areas`, `range_km`, `generic_class`, ...; an unnotified launch has
no impact areas nor range). Areas name a catalogue site, a circle or a polygon; the caller
resolves sites (`site_lookup(site_id) -> (lat, lon) | None`), so this needs no database.
"""

import json
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from .corridor import DEFAULT_HALF_WIDTH_KM, axes_geometry, corridor, corridor_length
from .geodesy import LonLat, circle_area, distances_km, polygon_area, ring_centre
from .states import Boundaries, affected_states

SiteLookup = Callable[[str], tuple[float, float] | None]
GEOJSON_DECIMALS = 5  # 1e-5 deg is about a metre: more is noise in a feed payload


def geojson(geom: BaseGeometry) -> dict[str, Any]:
    """A GeoJSON geometry with coordinates rounded to GEOJSON_DECIMALS."""
    rounded = shapely.transform(geom, lambda xy: np.round(xy, GEOJSON_DECIMALS))
    return json.loads(shapely.to_geojson(rounded))


def _lon_lat(point: Mapping[str, float]) -> LonLat:
    return float(point["lon"]), float(point["lat"])


def area_shape(area: Mapping[str, Any], *, site_lookup: SiteLookup) -> BaseGeometry | None:
    """The shape of a stored area: a site's point, a geodesic circle, or a polygon (the smaller
    region its edges bound), in normal form; None for a site the lookup does not know."""
    if area.get("site_id") is not None:
        found = site_lookup(area["site_id"])
        return None if found is None else Point(found[1], found[0])
    if area.get("center") is not None:
        return circle_area(_lon_lat(area["center"]), float(area["radius_km"]))
    return polygon_area([_lon_lat(p) for p in area["polygon"]])


def area_centre(area: Mapping[str, Any], *, site_lookup: SiteLookup) -> LonLat | None:
    """Where a corridor starts: the site, the circle's centre, the polygon's centre."""
    if area.get("site_id") is not None:
        found = site_lookup(area["site_id"])
        return None if found is None else (found[1], found[0])
    if area.get("center") is not None:
        return _lon_lat(area["center"])
    return ring_centre([_lon_lat(p) for p in area["polygon"]])


def _position(lon_lat: LonLat) -> dict[str, float]:
    lon, lat = lon_lat
    return {"lat": round(lat, GEOJSON_DECIMALS), "lon": round(lon, GEOJSON_DECIMALS)}


# An impact area whose centre lies this close to the corridor's start leaves nothing between
# them to draw: the corridor is then the launch area's own business (a sounding rocket's).
MIN_CORRIDOR_KM = 1.0


def impact_reach_km(
    content: Mapping[str, Any], start: LonLat, *, site_lookup: SiteLookup
) -> float | None:
    """How far the farthest impact area lies from the corridor's start (to its centre: the
    site, the circle's centre, the polygon's centre); None when none is known."""
    centres = [
        area_centre(area, site_lookup=site_lookup) for area in content.get("impact_areas") or []
    ]
    centres = [c for c in centres if c is not None]
    if not centres:
        return None
    return round(float(distances_km(start, centres).max()), 1)


def corridor_feature(
    content: Mapping[str, Any],
    *,
    site_lookup: SiteLookup,
    half_width_km: float = DEFAULT_HALF_WIDTH_KM,
) -> tuple[dict[str, Any] | None, BaseGeometry | None]:
    """The corridor as a GeoJSON Feature (the band; its properties say where it starts and ends,
    how long it is, where that length comes from and so its tier, and carry the axis for an
    arrow) and its shape; (None, None) when the start is unknown, the class is unknown, or the
    farthest impact area lies at the start."""
    start = area_centre(content["launch_area"], site_lookup=site_lookup)
    if start is None:
        return None, None
    length = corridor_length(
        range_km=content.get("range_km"),
        generic_class=content.get("generic_class", ""),
        impact_reach_km=impact_reach_km(content, start, site_lookup=site_lookup),
    )
    if length is None or length.km < MIN_CORRIDOR_KM:
        return None, None
    built = corridor(start, content["planned_direction"], length.km, half_width_km=half_width_km)
    feature = {
        "type": "Feature",
        "geometry": geojson(built.area),
        "properties": {
            "start": _position(built.start),
            "ends": [_position(end) for end in built.ends],
            "length_km": length.km,
            "length_source": length.source,
            "tier": length.tier,
            "stated_length_km": length.stated_km,
            "length_capped": length.capped,
            "half_width_km": built.half_width_km,
            "axis": geojson(axes_geometry(built.axes)),
        },
    }
    return feature, built.area


def notification_geometry(
    content: Mapping[str, Any],
    *,
    site_lookup: SiteLookup,
    data: Boundaries | None = None,
    half_width_km: float = DEFAULT_HALF_WIDTH_KM,
) -> dict[str, Any]:
    """The launch area, corridor and impact areas as GeoJSON; the states concerned
    (`affected_states`: under the launch area, the impact areas and a corridor of a stated
    length); and, apart, those only the planned direction reaches when the notification states
    no length (`in_planned_direction`: rows {"state", "zones"}, none of them concerned)."""
    launch = area_shape(content["launch_area"], site_lookup=site_lookup)
    corridor_out, corridor_shape = corridor_feature(
        content, site_lookup=site_lookup, half_width_km=half_width_km
    )
    impacts = [
        (area.get("kind"), area_shape(area, site_lookup=site_lookup))
        for area in content.get("impact_areas") or []
    ]
    impacts = [(kind, shape) for kind, shape in impacts if shape is not None]
    stated = corridor_out is not None and corridor_out["properties"]["tier"] == "concerned"
    concerned = affected_states(
        {
            "launch_area": launch,
            "corridor": corridor_shape if stated else None,
            "impact_area": [shape for _, shape in impacts],
        },
        data=data,
    )
    named = {row["state"] for row in concerned}
    direction = [] if stated else affected_states({"corridor": corridor_shape}, data=data)
    return {
        "launch_area": geojson(launch) if launch is not None else None,
        "corridor": corridor_out,
        "impact_areas": [{"kind": kind, "geometry": geojson(shape)} for kind, shape in impacts],
        "affected_states": concerned,
        "in_planned_direction": [
            {"state": row["state"], "zones": row["zones"]}
            for row in direction
            if row["state"] not in named
        ],
    }
