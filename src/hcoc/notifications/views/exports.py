"""A notification, or the filtered list, as GeoJSON, KML and PDF; and each user's calendar of
launch windows at a secret URL (a calendar program cannot log in)."""

import json
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hcoc.exchange.selectors import state_names
from hcoc.lib.errors import PermissionDenied
from hcoc.ui.pages import exchange_page, refusing

from .. import exports
from ..maps import ATTRIBUTION, area_point, version_geometries
from ..pdf import notification_pdf
from ..places import notam_for, places
from ..selectors import (
    calendar_link_of,
    calendar_owner,
    notification_get_for,
    notification_list_for,
)
from ..services import calendar_link_issue, calendar_link_revoke
from .common import summary

CALENDAR_DAYS_BACK = 30  # windows that closed within a month stay in the calendar
CALENDAR_MAX = 1000


def _download(body, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def geojson_response(read_models: list[dict], filename: str) -> HttpResponse:
    body = json.dumps(exports.feature_collection(read_models), ensure_ascii=False)
    return _download(body, exports.GEOJSON_TYPE, filename)


def kml_response(read_models: list[dict], filename: str, *, name: str) -> HttpResponse:
    return _download(exports.kml(read_models, name=name), exports.KML_TYPE, filename)


@exchange_page
@refusing
def detail_geojson(request, reference: str):
    n = notification_get_for(actor=request.user, reference=reference)
    return geojson_response([n], f"{reference}.geojson")


@exchange_page
@refusing
def detail_kml(request, reference: str):
    n = notification_get_for(actor=request.user, reference=reference)
    return kml_response([n], f"{reference}.kml", name=reference)


@exchange_page
@refusing
def detail_pdf(request, reference: str):
    n = notification_get_for(actor=request.user, reference=reference)
    geometry = version_geometries([n["seq"]]).get(n["seq"], {})
    point = area_point(n["launch_area"], {})
    if point is None and geometry.get("launch_area", {}).get("type") == "Point":
        lon, lat = geometry["launch_area"]["coordinates"]
        point = [lat, lon]
    named = {n["state"]} | {
        row["state"] for row in (n.get("affected_states") or []) + n.get("in_planned_direction", [])
    }
    body = notification_pdf(
        n,
        geometry=geometry,
        point=point,
        facts=summary(n),
        places=places(n),
        notam=notam_for(n),
        attribution=ATTRIBUTION,
        names=state_names(named),
    )
    return _download(body, "application/pdf", f"{reference}.pdf")


@exchange_page
def calendar_page(request):
    """The user's own calendar link: make (or replace) it, shown once; or remove it."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendar_link_revoke(actor=request.user)
            messages.info(request, _("Your calendar link no longer works."))
            return redirect("notifications:calendar")
        secret = calendar_link_issue(actor=request.user)
        url = request.build_absolute_uri(f"/notifications/calendar/{secret}.ics")
        response = render(request, "notifications/calendar.html", {"new_url": url, "link": True})
        response["Cache-Control"] = "no-store"  # a page that shows a secret
        return response
    link = calendar_link_of(actor=request.user)
    return render(request, "notifications/calendar.html", {"link": link, "new_url": None})


@require_GET
@never_cache
def calendar_feed(request, secret: str):
    """Launch windows the link's owner may read, from a month ago on. No session: the secret
    is the credential, and the owner's access is checked again on every fetch."""
    owner = calendar_owner(secret)
    if owner is None:
        raise Http404("No such calendar.")
    now = timezone.now()
    try:
        page = notification_list_for(
            actor=owner, window_from=now - timedelta(days=CALENDAR_DAYS_BACK), limit=CALENDAR_MAX
        )
    except PermissionDenied as e:  # no longer a reader of the exchange: as if no calendar
        raise Http404("No such calendar.") from e
    base = request.build_absolute_uri("/").rstrip("/")
    body = exports.calendar(page["items"], now=now, base_url=base)
    return HttpResponse(body, content_type=exports.ICAL_TYPE)
