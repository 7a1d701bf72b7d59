"""Reads of the launch-site catalogue."""

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
