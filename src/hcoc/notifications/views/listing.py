"""/notifications/: the filtered list, paged by the selector's cursor, and its CSV export."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hcoc.lib.errors import InvalidInput
from hcoc.states.names import names_of
from hcoc.ui.csvfile import CsvDownload
from hcoc.ui.pages import exchange_page, refusing

from ..forms import FilterForm
from ..selectors import notification_list_for
from .common import is_illustrative
from .exports import geojson_response, kml_response

PAGE_SIZE = 50
CSV_MAX_ROWS = 10_000
CSV_PAGE = 1_000
CSV_COLUMNS = (
    "reference",
    "state",
    "version",
    "status",
    "category",
    "generic_class",
    "vehicle_name",
    "test_flight",
    "window_opens",
    "window_closes",
    "launch_site",
    "planned_direction",
    "first_submitted_at",
    "submitted_at",
    "late",
    "imported",
    # Every area, in the words of the read model (added after the first columns, issue 12):
    "launch_area",
    "impact_areas",
    "range_km",
    "corridor_length_km",
    "corridor_length_source",
    "affected_states",
    # The lower tier, apart (added after the others): states only the planned direction reaches.
    "in_planned_direction",
    # The state's name beside its code, for whoever opens the file in a spreadsheet (issue 25).
    "state_name",
)


@exchange_page
@refusing
def notification_list(request):
    form = FilterForm(request.GET)
    filters = form.selector_args()
    if request.GET.get("format") == "csv":
        return _csv(request, filters)
    if request.GET.get("format") in ("geojson", "kml"):
        return _shapes(request, filters, request.GET["format"])
    cursor = request.GET.get("cursor") or None
    try:
        page = notification_list_for(
            actor=request.user, limit=PAGE_SIZE, cursor=cursor, newest_first=True, **filters
        )
    except InvalidInput:  # a cursor from elsewhere: start from the first page
        cursor = None
        page = notification_list_for(
            actor=request.user, limit=PAGE_SIZE, newest_first=True, **filters
        )
    for n in page["items"]:
        n["illustrative"] = is_illustrative(n)
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("format", None)
    return render(
        request,
        "notifications/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "cursor": cursor,
        },
    )


def _direction(d: dict) -> str:
    if d.get("azimuth_deg") is not None:
        return f"{d['azimuth_deg']:g}"
    return f"{d.get('azimuth_from_deg', 0):g}-{d.get('azimuth_to_deg', 0):g}"


def _position(p: dict) -> str:
    return f"{p['lat']:g} {p['lon']:g}"


def area_cell(area: dict) -> str:
    """Every area in one cell, coordinates included: `site FRA-KOUROU`,
    `circle 10 -40 r=100 km`, `polygon 5 -52; 5.5 -52; 5.5 -52.5` (lat lon, decimal degrees),
    with `kind:` in front of an impact area and its description after."""
    if area.get("site_id"):
        text = f"site {area['site_id']}"
    elif area.get("center"):
        text = f"circle {_position(area['center'])} r={area['radius_km']:g} km"
    elif area.get("polygon"):
        text = "polygon " + "; ".join(_position(p) for p in area["polygon"])
    else:
        text = ""
    if area.get("kind"):
        text = f"{area['kind']}: {text}"
    if area.get("description"):
        text += f" ({area['description']})"
    return text


def _all(request, filters: dict):
    """Every notification matching the filters, oldest first, up to CSV_MAX_ROWS."""
    cursor, written = None, 0
    while written < CSV_MAX_ROWS:
        page = notification_list_for(
            actor=request.user,
            limit=min(CSV_PAGE, CSV_MAX_ROWS - written),
            cursor=cursor,
            **filters,
        )
        yield from page["items"]
        written += len(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break


def _shapes(request, filters: dict, kind: str) -> HttpResponse:
    stamp = timezone.now().strftime("%Y%m%dT%H%MZ")
    items = list(_all(request, filters))
    if kind == "geojson":
        return geojson_response(items, f"notifications-{stamp}.geojson")
    return kml_response(items, f"notifications-{stamp}.kml", name=f"HCoC notifications {stamp}")


def _csv(request, filters: dict) -> HttpResponse:
    stamp = timezone.now().strftime("%Y%m%dT%H%MZ")
    download = CsvDownload(f"notifications-{stamp}.csv", CSV_COLUMNS)
    cursor, written = None, 0
    while written < CSV_MAX_ROWS:
        page = notification_list_for(
            actor=request.user,
            limit=min(CSV_PAGE, CSV_MAX_ROWS - written),
            cursor=cursor,
            **filters,
        )
        names = names_of(n["state"] for n in page["items"])
        for n in page["items"]:
            window = n.get("window") or {}
            area = n["launch_area"]
            download.row(
                [
                    n["reference"],
                    n["state"],
                    n["version"],
                    n["status"],
                    n["category"],
                    n["generic_class"],
                    n.get("vehicle_name"),
                    "true" if n.get("test_flight") else "false",
                    window.get("opens", ""),
                    window.get("closes", ""),
                    area.get("site_id") or area.get("description") or "",
                    _direction(n["planned_direction"]),
                    n["first_submitted_at"],
                    n["submitted_at"],
                    "true" if n["late"] else "false",
                    "true" if n["imported"] else "false",
                    area_cell(area),
                    " | ".join(area_cell(a) for a in n.get("impact_areas") or []),
                    f"{n['range_km']:g}" if n.get("range_km") else "",
                    f"{n['corridor']['properties']['length_km']:g}" if n.get("corridor") else "",
                    n["corridor"]["properties"]["length_source"] if n.get("corridor") else "",
                    " ".join(
                        f"{s['state']}({'+'.join(s['parts'])};{'+'.join(s['zones'])})"
                        for s in n.get("affected_states") or []
                    ),
                    " ".join(
                        f"{s['state']}({'+'.join(s['zones'])})"
                        for s in n.get("in_planned_direction") or []
                    ),
                    names.get(n["state"], n["state"]),
                ]
            )
        written += len(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    return download.response
