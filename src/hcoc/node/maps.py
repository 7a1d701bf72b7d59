"""A notification's map on the node, from the item it verified and nothing else.

The exchange draws a notification's shapes from the geometry it stored when the version was
written (hcoc.notifications.maps); the node has only the feed item, whose `corridor` carries the
corridor's parameters but, since the slim items of 2026-12-07, not its band
(docs/formats.md, "Geography"). The band is a function of the statement (docs/geography.md,
"Reproducing the band"): the node computes it again with the same function
(hcoc.lib.geo.notification.corridor_feature), and the launch and impact areas from their
stated circles and polygons. A site is placed where the item's own corridor says it starts,
else where the catalogue shipped with the package puts it. The boundary data never enters:
which states a launch concerns is what the item says it is. Nothing is fetched from the exchange
or the internet; the outlines map.js draws come from this server's static files."""

from typing import Any

from hcoc.lib.geo.notification import area_shape, corridor_feature, geojson
from hcoc.notifications.maps import ATTRIBUTION, area_point
from hcoc.sites.selectors import site_points

# The feed kinds whose payload is a notification's read model (and so has a map).
NOTIFICATION_KINDS = frozenset(
    {
        "notification.submitted",
        "notification.amended",
        "notification.cancelled",
        "notification.launch_reported",
        "notification.imported",
        "launch.unnotified",
    }
)


def _sites(payload: dict) -> dict[str, list[float]]:
    """[lat, lon] of each site the notification names: the catalogue's, and for the launch
    area's site the corridor's start the exchange computed from it (the item's own bytes)."""
    areas = [payload.get("launch_area") or {}, *(payload.get("impact_areas") or [])]
    wanted = {a["site_id"] for a in areas if isinstance(a, dict) and a.get("site_id")}
    sites = site_points(wanted) if wanted else {}
    site = (payload.get("launch_area") or {}).get("site_id")
    start = ((payload.get("corridor") or {}).get("properties") or {}).get("start")
    if site and isinstance(start, dict) and {"lat", "lon"} <= set(start):
        sites[site] = [start["lat"], start["lon"]]
    return sites


def _shape(area: dict, lookup) -> dict | None:
    try:
        shape = area_shape(area, site_lookup=lookup)
    except (KeyError, TypeError, ValueError):
        return None  # an area this version of the package cannot read: not drawn, still listed
    return geojson(shape) if shape is not None else None


def _corridor(payload: dict, lookup) -> dict | None:
    """The corridor as the item stated it, with its band: the item's own when it carries one
    (items published before the slim items), else computed again from the statement."""
    stated = payload.get("corridor")
    if not stated:
        return None
    if stated.get("geometry"):
        return stated
    try:
        feature, _ = corridor_feature(payload, site_lookup=lookup)
    except (KeyError, TypeError, ValueError):
        feature = None
    if feature is None:
        return None
    # The item's properties (its tier above all: how map.js draws it), the computed band and
    # axis: the same function the exchange computed them with (tests/node checks they agree).
    properties = {**stated.get("properties", {}), "axis": feature["properties"]["axis"]}
    return {"type": "Feature", "geometry": feature["geometry"], "properties": properties}


def item_map(payload: dict) -> dict[str, Any]:
    """The JSON block static/hcoc/map.js reads, as the exchange's notification page gives it."""
    sites = _sites(payload)

    def lookup(site_id: str) -> tuple[float, float] | None:
        found = sites.get(site_id)
        return (found[0], found[1]) if found else None

    launch_area = payload.get("launch_area") or {}
    impacts = []
    for area in payload.get("impact_areas") or []:
        if isinstance(area, dict) and (shape := _shape(area, lookup)) is not None:
            impacts.append({"kind": area.get("kind"), "geometry": shape})
    item = {
        "label": f"{payload.get('reference', '')} {payload.get('generic_class', '')}".strip(),
        "point": area_point(launch_area, sites) if isinstance(launch_area, dict) else None,
        "shapes": {
            "launch_area": _shape(launch_area, lookup) if launch_area else None,
            "corridor": _corridor(payload, lookup),
            "impact_areas": impacts,
        },
    }
    return {"items": [item], "attribution": ATTRIBUTION}
