"""Reads of the launch-site catalogue (public within the exchange: no access rule of its own)."""

from .models import LaunchSite


def site_points(site_ids: set[str]) -> dict[str, list[float]]:
    """[lat, lon] of each site, for the maps (static/hcoc/map.js)."""
    return {s.id: [s.lat, s.lon] for s in LaunchSite.objects.filter(id__in=site_ids)}
