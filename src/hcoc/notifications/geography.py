"""Where a notification flies, computed once per version when it is written (services) and
stored on NotificationVersion.geometry: never on page view. The core is hcoc.lib.geo (no
Django); this module only resolves catalogue sites through the sites app."""

from collections.abc import Mapping
from typing import Any

from hcoc.lib.geo.notification import notification_geometry
from hcoc.lib.geo.reach import impact_flags
from hcoc.sites.selectors import site_points


def _site_ids(content: Mapping[str, Any]) -> set[str]:
    areas = [content.get("launch_area") or {}, *(content.get("impact_areas") or [])]
    return {a["site_id"] for a in areas if a.get("site_id")}


def version_geometry(content: Mapping[str, Any]) -> dict[str, Any]:
    """{"launch_area", "corridor", "impact_areas", "affected_states", "flags"} of one version's
    content: GeoJSON (split at 180 degrees), the affected states and the flags (lib.geo.reach)."""
    points = site_points(_site_ids(content))

    def site_lookup(site_id: str) -> tuple[float, float] | None:
        found = points.get(site_id)
        return (found[0], found[1]) if found else None

    geometry = notification_geometry(content, site_lookup=site_lookup)
    geometry["flags"] = impact_flags(content, site_lookup=site_lookup)
    return geometry
