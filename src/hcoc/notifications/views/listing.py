"""/notifications/: the filtered list, paged by the selector's cursor, and its CSV export."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hcoc.lib.errors import InvalidInput
from hcoc.ui.pages import exchange_page

from ..forms import FilterForm
from ..selectors import notification_list_for
from .common import domain_errors, is_illustrative

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
)


@exchange_page
@domain_errors
def notification_list(request):
    form = FilterForm(request.GET)
    filters = form.selector_args()
    if request.GET.get("format") == "csv":
        return _csv(request, filters)
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


def _cell(value) -> str:
    """Text as a spreadsheet will not run it: a leading =, +, - or @ would be a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _direction(d: dict) -> str:
    if d.get("azimuth_deg") is not None:
        return f"{d['azimuth_deg']:g}"
    return f"{d.get('azimuth_from_deg', 0):g}-{d.get('azimuth_to_deg', 0):g}"


def _csv(request, filters: dict) -> HttpResponse:
    stamp = timezone.now().strftime("%Y%m%dT%H%MZ")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="notifications-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    cursor, written = None, 0
    while written < CSV_MAX_ROWS:
        page = notification_list_for(
            actor=request.user,
            limit=min(CSV_PAGE, CSV_MAX_ROWS - written),
            cursor=cursor,
            **filters,
        )
        for n in page["items"]:
            window = n.get("window") or {}
            area = n["launch_area"]
            writer.writerow(
                [
                    n["reference"],
                    n["state"],
                    n["version"],
                    n["status"],
                    n["category"],
                    n["generic_class"],
                    _cell(n.get("vehicle_name")),
                    "true" if n.get("test_flight") else "false",
                    window.get("opens", ""),
                    window.get("closes", ""),
                    _cell(area.get("site_id") or area.get("description") or ""),
                    _direction(n["planned_direction"]),
                    n["first_submitted_at"],
                    n["submitted_at"],
                    "true" if n["late"] else "false",
                    "true" if n["imported"] else "false",
                ]
            )
        written += len(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    return response
