"""/compliance/<year>: the year's compliance table (the same selector as the API), filtered and
sorted by GET parameters, every figure linking to the items behind it."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from hcoc.lib.errors import InvalidInput
from hcoc.ui.pages import exchange_page

from .report import report_data, report_pdf, report_xlsx
from .selectors import FIRST_YEAR, ONLY, compliance_for, compliance_rows, named_for_reader

SORT_LABELS = {
    "state": _("state"),
    "declaration": _("declaration"),
    "plns": _("PLNs"),
    "plns_late": _("late PLNs"),
    "cancelled": _("cancelled"),
    "launched": _("launched"),
    "unreported": _("unreported"),
    "unnotified": _("unnotified launches"),
    "differences": _("differences"),
    "mean_lead_time_hours": _("mean lead time"),
}
ONLY_LABELS = {
    "missing": _("declaration missing"),
    "late": _("declaration late"),
    "nil": _("nil declaration"),
    "filed": _("declaration filed"),
    "not_due": _("declaration not yet due"),
    "unknown": _("subscription not known"),
    "differences": _("with differences"),
    "unreported": _("with unreported windows"),
    "unnotified": _("with unnotified launches"),
    "plns_late": _("with late PLNs"),
}
# Which notifications list filter shows the items behind each count (notifications:list).
STATUS_OF = {"cancelled": "cancelled", "launched": "launched", "unreported": "unreported"}


@exchange_page
def compliance_latest(request):
    return redirect("compliance:year", year=timezone.now().year - 1)


@exchange_page
def compliance_year(request, year: int):
    try:
        table = compliance_for(actor=request.user, year=year)
    except InvalidInput:
        raise Http404("No compliance table for that year.") from None
    only = request.GET.get("only") or None
    sort = request.GET.get("sort") or "state"
    rows = compliance_rows(named_for_reader(table["items"]), only=only, sort=sort)
    window = {"window_from": f"{year}-01-01", "window_to": f"{year}-12-31"}
    for r in rows:
        r["links"] = _links(r["state"], window)
    return render(
        request,
        "compliance/year.html",
        {
            "year": year,
            "rows": rows,
            "totals": table["totals"],
            "links": _links(None, window),
            "only": only if only in ONLY else "",
            "only_choices": [(o, ONLY_LABELS[o]) for o in ONLY],
            "sort": sort,
            "sorts": SORT_LABELS.items(),
            "years": range(timezone.now().year, FIRST_YEAR - 1, -1),
        },
    )


def _links(state: str | None, window: dict) -> dict:
    """count -> the notifications list behind it. `plns_late` has no list filter of its own:
    it links to all the year's PLNs, where each late one is marked."""
    base = {"state": state} if state else {}
    out = {}
    for key in ("plns", "plns_late", *STATUS_OF):
        query = {**base, **window}
        if key in STATUS_OF:
            query["status"] = STATUS_OF[key]
        out[key] = "/notifications/?" + urlencode(query)
    # Unnotified launches have no window: list the state's launched items of that year.
    out["unnotified"] = "/notifications/?" + urlencode({**base, "status": "launched"})
    return out


@exchange_page
def compliance_report(request, year: int, fmt: str):
    """The report for the Regular Meeting, as a download (the same figures as the page)."""

    if fmt not in ("xlsx", "pdf"):
        raise Http404("The report comes as .xlsx or .pdf.")
    try:
        data = report_data(actor=request.user, year=year)
    except InvalidInput:
        raise Http404("No compliance table for that year.") from None
    if fmt == "xlsx":
        body, kind = (
            report_xlsx(data),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        body, kind = report_pdf(data), "application/pdf"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="hcoc-compliance-{year}.{fmt}"'
    return response
