"""Reads of the launch-site catalogue (public within the exchange: no access rule of its own)."""

from typing import Any

from django.utils.translation import gettext as _

from hcoc.lib.rule_tools import Loc, Problem

from .models import LaunchSite, SiteKind


def unknown_sites(wanted: list[tuple[Loc, Any]]) -> list[Problem]:
    wanted = [(loc, site) for loc, site in wanted if isinstance(site, str) and site]
    if not wanted:
        return []
    known = set(
        LaunchSite.objects.filter(id__in=[s for _, s in wanted]).values_list("id", flat=True)
    )
    return [
        (loc, _("unknown site %(site)s; see GET /api/v1/sites") % {"site": repr(site)})
        for loc, site in wanted
        if site not in known
    ]


def not_launch_sites(wanted: list[tuple[Loc, Any]]) -> list[Problem]:
    """Problems for catalogue sites where nothing is launched from (an impact range such as
    RUS-KURA): a launch area must be a launch site. Unknown sites are unknown_sites' to name."""
    wanted = [(loc, site) for loc, site in wanted if isinstance(site, str) and site]
    if not wanted:
        return []
    impact_only = dict(
        LaunchSite.objects.filter(id__in=[s for _, s in wanted])
        .exclude(site_kind__in=SiteKind.launching())
        .values_list("id", "name")
    )
    return [
        (
            loc,
            _(
                "%(site)s (%(name)s) is an impact range, not a launch site; a launch "
                "area must be a launch site (see GET /api/v1/sites, site_kind)"
            )
            % {"site": site, "name": impact_only[site]},
        )
        for loc, site in wanted
        if site in impact_only
    ]


def site_points(site_ids: set[str]) -> dict[str, list[float]]:
    """[lat, lon] of each site, for the maps (static/hcoc/map.js)."""
    return {s.id: [s.lat, s.lon] for s in LaunchSite.objects.filter(id__in=site_ids)}


def site_details(site_ids: set[str]) -> dict[str, dict[str, Any]]:
    """Name, kind and position of each site, for the pages that say where a launch is."""
    return {
        s.id: {
            "name": s.name,
            "state": s.state_id,
            "site_kind": s.site_kind,
            "lat": s.lat,
            "lon": s.lon,
        }
        for s in LaunchSite.objects.filter(id__in=site_ids)
    }


def launch_sites_of(*, state: str, category: str) -> list[tuple[str, str]]:
    """(id, name) of the sites a state launches `category` (BM or SLV) from, the catalogue's
    `state` being the state that operates the site (RUS-BAIKONUR is Russia's)."""
    sites = LaunchSite.objects.filter(state_id=state).order_by("id")
    return [(s.id, s.name) for s in sites if category in s.kind_list]
