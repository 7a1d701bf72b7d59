"""Notifications' read models as what static/hcoc/map.js draws."""

from hcoc.sites.selectors import site_points


def area_point(area: dict, sites: dict[str, list[float]]) -> list[float] | None:
    """A representative point of an area: the site, the circle's centre, the polygon's mean."""
    if area.get("site_id"):
        return sites.get(area["site_id"])
    if area.get("center"):
        return [area["center"]["lat"], area["center"]["lon"]]
    if area.get("polygon"):
        pts = area["polygon"]
        return [sum(p["lat"] for p in pts) / len(pts), sum(p["lon"] for p in pts) / len(pts)]
    return None


def notification_items(notifications: list[dict]) -> list[dict]:
    sites = site_points(
        {n["launch_area"].get("site_id") for n in notifications if n["launch_area"].get("site_id")}
    )
    items = []
    for n in notifications:
        items.append(
            {
                "label": f"{n['reference']} {n['generic_class']}",
                "href": f"/notifications/{n['reference']}",
                "point": area_point(n["launch_area"], sites),
                "area": n["launch_area"],
                "direction": n["planned_direction"],
                "impact_areas": n.get("impact_areas", []),
            }
        )
    return items
