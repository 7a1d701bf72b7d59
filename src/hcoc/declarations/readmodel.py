"""The declaration read model and its crosscheck against the state's notifications.

Lists build many read models at once (`declaration_read_models`): a fixed number of queries
for a whole page, however many declarations it holds.
"""

from collections import Counter
from datetime import UTC, datetime

from django.db.models import Count
from django.db.models.functions import ExtractYear

from hcoc.lib.canonical import canonical_loads
from hcoc.lib.timeutil import rfc3339
from hcoc.lib.vocabulary import GENERIC_CLASSES
from hcoc.notifications.models import Notification, StoredStatus

from .models import DeadlineExtension, Declaration, DeclarationDeadline, DeclarationVersion

SECTIONS = ("ballistic_missiles", "space_launch_vehicles")
ORDER = list(GENERIC_CLASSES)


def _declared(content: dict) -> Counter:
    declared: Counter[str] = Counter()
    if not content.get("nil"):
        for section in SECTIONS:
            for row in (content.get(section) or {}).get("launches", []):
                declared[row["generic_class"]] += row["count"]
    return declared


def crosscheck_counts(states: set[str], years: set[int]) -> tuple[Counter, Counter]:
    """The crosscheck's figures of many states and years in two grouped queries: (state, year,
    class) -> launches reported that year; and PLNs whose window opened that year with no launch
    report (cancelled ones excluded: they announce no launch). Compliance's table counts with it
    too, so its differences are exactly those of each declaration."""
    if not states:
        return Counter(), Counter()
    start, end = datetime(min(years), 1, 1, tzinfo=UTC), datetime(max(years) + 1, 1, 1, tzinfo=UTC)
    mine = Notification.objects.filter(state_id__in=states)

    def grouped(qs, field: str) -> Counter:
        rows = (
            qs.annotate(y=ExtractYear(field))
            .values("state_id", "y", "generic_class")
            .annotate(n=Count("id"))
        )
        return Counter({(r["state_id"], r["y"], r["generic_class"]): r["n"] for r in rows})

    reported = grouped(
        mine.filter(
            stored_status=StoredStatus.LAUNCHED, launched_at__gte=start, launched_at__lt=end
        ),
        "launched_at",
    )
    notified_only = grouped(
        mine.filter(
            stored_status=StoredStatus.NOTIFIED, window_opens__gte=start, window_opens__lt=end
        ),
        "window_opens",
    )
    return reported, notified_only


def crosscheck_rows(
    state_id: str, year: int, content: dict, reported: Counter, notified_only: Counter
) -> list[dict]:
    """One state's crosscheck rows of a year from `crosscheck_counts`' figures."""
    declared = _declared(content)
    mine = {c for (s, y, c) in [*reported, *notified_only] if s == state_id and y == year}
    classes = set(declared) | mine
    return [
        {
            "generic_class": c,
            "declared": declared[c],
            "reported": reported[(state_id, year, c)],
            "notified_only": notified_only[(state_id, year, c)],
            "difference": declared[c] - reported[(state_id, year, c)],
        }
        for c in sorted(classes, key=lambda c: ORDER.index(c) if c in ORDER else len(ORDER))
    ]


def crosscheck(state_id: str, year: int, content: dict) -> list[dict]:
    """One row per generic class: declared (the AD's counts), reported (launch reports and
    unnotified launches of that state launched in that year), notified_only (PLNs whose window
    opened in that year with no launch report), difference = declared - reported."""
    reported, notified_only = crosscheck_counts({state_id}, {year})
    return crosscheck_rows(state_id, year, content, reported, notified_only)


def due_dates(years: set[int], states: set[str]) -> dict[tuple[str, int], object]:
    """(state, year) -> the due date that applies: the state's extension, else the year's."""
    base = dict(DeclarationDeadline.objects.filter(year__in=years).values_list("year", "due_on"))
    out = {(s, y): base[y] for s in states for y in years if y in base}
    for e in DeadlineExtension.objects.filter(year__in=years, state_id__in=states):
        out[(e.state_id, e.year)] = e.due_on
    return out


def declaration_read_models(pairs: list[tuple[Declaration, DeclarationVersion]]) -> list[dict]:
    """Read models of many (declaration, version) pairs, in a fixed number of queries."""
    if not pairs:
        return []
    years = {d.year for d, _ in pairs}
    deadlines = due_dates(years, {d.state_id for d, _ in pairs})
    reported, notified_only = crosscheck_counts({d.state_id for d, _ in pairs}, years)
    out = []
    for d, v in pairs:
        content = canonical_loads(v.content)
        due = deadlines.get((d.state_id, d.year))
        out.append(
            {
                "state": d.state_id,
                "year": d.year,
                "version": v.version,
                "submitted_at": rfc3339(v.submitted_at),
                "first_submitted_at": rfc3339(d.first_submitted_at),
                "seq": v.seq,
                "late": due is not None and d.first_submitted_at.date() > due,
                "entered_by_icc": v.entered_by_icc,
                "nil": content["nil"],
                "ballistic_missiles": content.get("ballistic_missiles"),
                "space_launch_vehicles": content.get("space_launch_vehicles"),
                "observers": content.get("observers"),
                "remarks": content.get("remarks"),
                "crosscheck": crosscheck_rows(d.state_id, d.year, content, reported, notified_only),
            }
        )
    return out


def declaration_read_model(d: Declaration, v: DeclarationVersion) -> dict:
    return declaration_read_models([(d, v)])[0]


def current_versions(
    declarations: list[Declaration],
) -> list[tuple[Declaration, DeclarationVersion]]:
    """Each declaration with its current version, in one query."""
    versions = {
        (v.declaration_id, v.version): v
        for v in DeclarationVersion.objects.filter(declaration_id__in=[d.id for d in declarations])
    }
    return [(d, versions[(d.id, d.current_version)]) for d in declarations]
