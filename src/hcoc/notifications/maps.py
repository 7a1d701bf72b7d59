"""Notifications as what static/hcoc/map.js draws: the shapes stored with each version when it
was written (NotificationVersion.geometry, GeoJSON split at 180 degrees), never computed here."""

from hcoc.lib.geo.geodesy import ring_centre
from hcoc.sites.selectors import site_points

from .models import NotificationVersion

# The affected states and the 12-nm belts come from OpenStreetMap (ODbL 1.0): every map that
# shows a notification credits it (docs/geography.md, data/geo/README.md).
ATTRIBUTION = "Natural Earth · territorial seas © OpenStreetMap contributors"


def area_point(area: dict, sites: dict[str, list[float]]) -> list[float] | None:
    """Where the launch is marked: the site, the circle's centre, the polygon's centre on the
    ellipsoid (right across 180 degrees, where a mean of longitudes is not)."""
    if area.get("site_id"):
        return sites.get(area["site_id"])
    if area.get("center"):
        return [area["center"]["lat"], area["center"]["lon"]]
    if area.get("polygon"):
        lon, lat = ring_centre([(p["lon"], p["lat"]) for p in area["polygon"]])
        return [round(lat, 5), round(lon, 5)]
    return None


def version_geometries(seqs: list[int]) -> dict[int, dict]:
    """The stored geometry of the versions with these exchange sequence numbers. The callers
    hold read models they were allowed to read (selectors): this only adds their shapes."""
    rows = NotificationVersion.objects.filter(seq__in=seqs).values_list("seq", "geometry")
    return {seq: geometry for seq, geometry in rows if geometry is not None}


def notification_items(notifications: list[dict], *, link: bool = True) -> list[dict]:
    sites = site_points(
        {n["launch_area"].get("site_id") for n in notifications if n["launch_area"].get("site_id")}
    )
    geometries = version_geometries([n["seq"] for n in notifications if n.get("seq")])
    items = []
    for n in notifications:
        # A stored version's shapes; the confirmation page's preview brings its own.
        geometry = n.get("geometry") or geometries.get(n.get("seq"), {})
        item = {
            "label": f"{n['reference']} {n['generic_class']}",
            "point": area_point(n["launch_area"], sites),
            "shapes": {
                "launch_area": geometry.get("launch_area"),
                "corridor": geometry.get("corridor"),
                "impact_areas": geometry.get("impact_areas", []),
            },
        }
        if link:
            item["href"] = f"/notifications/{n['reference']}"
        items.append(item)
    return items


def map_payload(notifications: list[dict], *, link: bool = True) -> dict:
    """The JSON block a map element reads (ui/_map_scripts.html, static/hcoc/map.js)."""
    return {"items": notification_items(notifications, link=link), "attribution": ATTRIBUTION}
