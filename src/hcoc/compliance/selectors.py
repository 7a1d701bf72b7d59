"""Compliance per year: one row per state subscribing during the year, computed by ONE selector
that the API, the page, the trends and the report share, so their figures cannot disagree.

Rules (each figure is about calendar year Y, UTC; "today" is today's UTC date, read once):
- states: status subscribing and subscribed_on null or on/before 31 Dec Y (a state whose known
  subscription date falls after Y was not subscribing in Y and has no row).
- declaration, when one was filed for Y: `late` when first submitted (UTC date) after the due
  date that applies to the state (its extension, else the year's; no due date set: never late)
  — the declaration read model's own `late` rule, and it wins over nil; else `nil` (the current
  version is a nil declaration); else `filed`. A filed declaration keeps its standing whatever
  the registry knows of the state's subscription: the declaration itself is the evidence.
- declaration, when none was filed for Y:
  `unknown` when the state is not known to have subscribed in Y (`State.known_subscribed_in`:
  the registry has no subscription date for it, and Y is before this year); else `not_due` while the due date that applies
  is still ahead (today on or before it; with no due date set, while Y is not over: a
  declaration covers a past year); else `missing`. The same due date decides `late`, and the
  reminders' "past due" (declarations.reminders: today after the due date).
- plns: prior-notice notifications whose window opened in Y; of them `plns_late` (first submitted
  after the window opened), `cancelled`, `launched` (launch reported), `unreported` (notified,
  window closed by now). `unnotified`: launches reported without prior notice, launched in Y.
- mean_lead_time_hours: mean of (window opens - first submitted) over the year's PLNs, late
  ones counting negative; null without PLNs.
- differences: the declaration read model's crosscheck rows with a non-zero difference
  (declared - reported); empty when no declaration was filed.
- totals: the count of each standing. `unknown` states are counted apart: the trends' shares
  are of the other states (those known to have subscribed in Y, or that filed for it).

A fixed number of queries whatever the number of states: each figure is grouped by state in
the database (values + Count), never queried state by state. The crosscheck uses the
declaration read model's own batch helpers (`crosscheck_counts`, `crosscheck_rows`) on purpose:
a state's differences must be exactly those of GET /declarations/{state}/{year} (tested).
"""

from datetime import UTC, date, datetime

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hcoc.declarations.models import Declaration, DeclarationDeadline
from hcoc.declarations.readmodel import (
    crosscheck_counts,
    crosscheck_rows,
    current_versions,
    due_dates,
)
from hcoc.declarations.rules import FIRST_YEAR
from hcoc.lib.canonical import canonical_loads
from hcoc.lib.errors import FieldProblem, InvalidInput
from hcoc.lib.timeutil import rfc3339
from hcoc.notifications.models import Notification, StoredStatus
from hcoc.states.access import require_exchange_reader
from hcoc.states.models import HcocStatus, State
from hcoc.states.names import names_of

COUNTS = ("plns", "plns_late", "cancelled", "launched", "unreported", "unnotified")
STANDINGS = ("filed", "late", "nil", "missing", "not_due", "unknown")
# What people read for each standing (pages, the report); the API keeps the codes.
STANDING_LABELS = {
    "filed": gettext_noop("filed"),
    "late": gettext_noop("late"),
    "nil": gettext_noop("nil"),
    "missing": gettext_noop("missing"),
    "not_due": gettext_noop("not yet due"),
    "unknown": gettext_noop("not known"),
}
ONLY = ("missing", "late", "nil", "filed", "not_due", "unknown", "differences", "unreported")
ONLY += ("unnotified", "plns_late")
SORTS = ("state", "name", "declaration", *COUNTS, "differences", "mean_lead_time_hours")


def check_year(year: int) -> None:
    this_year = timezone.now().year
    if not FIRST_YEAR <= year <= this_year:
        raise InvalidInput(
            [
                FieldProblem(
                    "year",
                    _("must be a year from %(FIRST_YEAR)s to %(this_year)s")
                    % {"FIRST_YEAR": FIRST_YEAR, "this_year": this_year},
                )
            ]
        )


def _states(year: int) -> list[State]:
    return list(
        State.objects.filter(status=HcocStatus.SUBSCRIBING)
        .filter(Q(subscribed_on__isnull=True) | Q(subscribed_on__lte=date(year, 12, 31)))
        .order_by("iso3")
    )


def _notification_figures(ids: set[str], start: datetime, end: datetime, now: datetime) -> dict:
    """state -> counts and mean lead time, in one grouped query."""
    pln = Q(prior_notice=True, window_opens__gte=start, window_opens__lt=end)
    unnotified = Q(prior_notice=False, launched_at__gte=start, launched_at__lt=end)
    lead = ExpressionWrapper(
        F("window_opens") - F("first_submitted_at"), output_field=DurationField()
    )
    rows = (
        Notification.objects.filter(state_id__in=ids)
        .filter(pln | unnotified)
        .values("state_id")
        .annotate(
            plns=Count("id", filter=pln),
            plns_late=Count("id", filter=pln & Q(first_submitted_at__gt=F("window_opens"))),
            cancelled=Count("id", filter=pln & Q(stored_status=StoredStatus.CANCELLED)),
            launched=Count("id", filter=pln & Q(stored_status=StoredStatus.LAUNCHED)),
            unreported=Count(
                "id",
                filter=pln & Q(stored_status=StoredStatus.NOTIFIED, window_closes__lte=now),
            ),
            unnotified=Count("id", filter=unnotified),
            lead=Avg(lead, filter=pln),
        )
    )
    return {r["state_id"]: r for r in rows}


def is_past_due(year: int, due: date | None, today: date) -> bool:
    """Is a declaration covering `year` owed by `today`? After the due date that applies; with
    none set, once the year is over (it can be filed from then on, and is never late)."""
    return today > due if due is not None else today.year > year


def _standing(declaration, content: dict | None, *, due, known: bool, owed: bool) -> str:
    if declaration is None:
        if not known:
            return "unknown"
        return "missing" if owed else "not_due"
    if due is not None and declaration.first_submitted_at.date() > due:
        return "late"
    return "nil" if content.get("nil") else "filed"


def compliance_for(*, actor, year: int) -> dict:
    """The compliance table of `year`: {"year", "items": rows by state, "totals"}."""
    require_exchange_reader(actor)
    check_year(year)
    now = timezone.now()
    today = now.astimezone(UTC).date()
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    states = _states(year)
    ids = {s.iso3 for s in states}
    figures = _notification_figures(ids, start, end, now) if ids else {}
    declarations = (
        current_versions(list(Declaration.objects.filter(year=year, state_id__in=ids)))
        if ids
        else []
    )
    filed = {d.state_id: (d, canonical_loads(v.content)) for d, v in declarations}
    due = due_dates({year}, ids) if ids else {}
    reported, notified_only = crosscheck_counts(set(filed), {year}) if filed else ({}, {})

    items, lead_sum, lead_n = [], 0.0, 0
    for s in states:
        f = figures.get(s.iso3, {})
        d, content = filed.get(s.iso3, (None, None))
        differences = []
        if d is not None:
            differences = [
                {k: r[k] for k in ("generic_class", "declared", "reported", "difference")}
                for r in crosscheck_rows(s.iso3, year, content, reported, notified_only)
                if r["difference"]
            ]
        lead = f.get("lead")
        if lead is not None:
            hours = lead.total_seconds() / 3600
            lead_sum += hours * f["plns"]
            lead_n += f["plns"]
        due_on = due.get((s.iso3, year))
        standing = _standing(
            d,
            content,
            due=due_on,
            known=s.known_subscribed_in(year, today),
            owed=is_past_due(year, due_on, today),
        )
        items.append(
            {
                "state": s.iso3,
                "name": s.name,
                "subscribed_on": s.subscribed_on_text,
                "declaration": standing,
                "declaration_first_submitted_at": rfc3339(d.first_submitted_at) if d else None,
                "due_on": due_on,
                **{k: f.get(k, 0) for k in COUNTS},
                "differences": differences,
                "mean_lead_time_hours": None if lead is None else round(hours, 2),
            }
        )
    totals = {
        "states": len(items),
        **{k: sum(r[k] for r in items) for k in COUNTS},
        **{k: sum(1 for r in items if r["declaration"] == k) for k in STANDINGS},
        "states_with_differences": sum(1 for r in items if r["differences"]),
        "mean_lead_time_hours": round(lead_sum / lead_n, 2) if lead_n else None,
    }
    return {"year": year, "items": items, "totals": totals}


def named_for_reader(items: list[dict]) -> list[dict]:
    """The table's rows, each state named in the reader's language (CLDR's name; the registry's
    own in English), for the page and the reports. The API keeps the registry's name: it is
    the contract's `name`."""
    names = names_of(r["state"] for r in items)
    return [{**r, "name": names.get(r["state"], r["name"])} for r in items]


def years_with_data() -> dict[str, set[int]]:
    """The years the exchange holds anything of (four small queries): "declarations", years with
    a declaration filed or a due date set; "notifications", years in which a PLN's window opened
    or an unnotified launch happened. Elsewhere the exchange has no data: its figures would be
    zeros that mean "not recorded here", not "nothing happened"."""
    declared = set(Declaration.objects.values_list("year", flat=True).distinct())
    declared |= set(DeclarationDeadline.objects.values_list("year", flat=True))
    plns = (
        Notification.objects.filter(prior_notice=True, window_opens__isnull=False)
        .annotate(y=ExtractYear("window_opens"))
        .values_list("y", flat=True)
        .distinct()
    )
    unnotified = (
        Notification.objects.filter(prior_notice=False, launched_at__isnull=False)
        .annotate(y=ExtractYear("launched_at"))
        .values_list("y", flat=True)
        .distinct()
    )
    return {"declarations": declared, "notifications": set(plns) | set(unnotified)}


def compliance_rows(
    items: list[dict], *, only: str | None = None, sort: str = "state"
) -> list[dict]:
    """The rows the page (or an API client) asked for: filtered by `only`, sorted by `sort`
    (a leading "-" for descending). Unknown values are ignored rather than refused."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if only in ONLY:
        if only in STANDINGS:
            items = [r for r in items if r["declaration"] == only]
        elif only == "differences":
            items = [r for r in items if r["differences"]]
        else:
            items = [r for r in items if r[only]]
    if key not in SORTS or key == "state":
        return sorted(items, key=lambda r: r["state"], reverse=descending)

    def value(r):
        v = r[key]
        if key == "differences":
            return len(v)
        if key == "declaration":
            return STANDINGS.index(v)
        return v

    # Ties stay in state order (a stable sort, also when reversed); nulls go last either way.
    rows = sorted(items, key=lambda r: r["state"])
    known = sorted((r for r in rows if value(r) is not None), key=value, reverse=descending)
    return known + [r for r in rows if value(r) is None]
