"""Reads of the launch-site catalogue (public within the exchange: no access rule of its own)."""

from typing import Any

from hcoc.lib.rules import Loc, Problem

from .models import LaunchSite


def unknown_sites(wanted: list[tuple[Loc, Any]]) -> list[Problem]:
    wanted = [(loc, site) for loc, site in wanted if isinstance(site, str) and site]
    if not wanted:
        return []
    known = set(
        LaunchSite.objects.filter(id__in=[s for _, s in wanted]).values_list("id", flat=True)
    )
    return [
        (loc, f"unknown site {site!r}; see GET /api/v1/sites")
        for loc, site in wanted
        if site not in known
    ]


def site_points(site_ids: set[str]) -> dict[str, list[float]]:
    """[lat, lon] of each site, for the maps (static/hcoc/map.js)."""
    return {s.id: [s.lat, s.lon] for s in LaunchSite.objects.filter(id__in=site_ids)}
