"""The declaration read model and its crosscheck against the state's notifications."""

from collections import Counter
from datetime import UTC, datetime

from hcoc.lib.canonical import canonical_loads
from hcoc.lib.timeutil import rfc3339
from hcoc.lib.vocabulary import GENERIC_CLASSES
from hcoc.notifications.models import Notification, StoredStatus

from .models import Declaration, DeclarationDeadline, DeclarationVersion

SECTIONS = ("ballistic_missiles", "space_launch_vehicles")


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def crosscheck(state_id: str, year: int, content: dict) -> list[dict]:
    """One row per generic class: declared (the AD's counts), reported (launch reports and
    unnotified launches of that state launched in that year), notified_only (PLNs whose window
    opened in that year with no launch report; cancelled ones excluded: they announce no launch),
    difference = declared - reported."""
    declared: Counter[str] = Counter()
    if not content.get("nil"):
        for section in SECTIONS:
            for row in (content.get(section) or {}).get("launches", []):
                declared[row["generic_class"]] += row["count"]
    start, end = _year_bounds(year)
    mine = Notification.objects.filter(state_id=state_id)
    reported = Counter(
        mine.filter(
            stored_status=StoredStatus.LAUNCHED, launched_at__gte=start, launched_at__lt=end
        ).values_list("generic_class", flat=True)
    )
    notified_only = Counter(
        mine.filter(
            stored_status=StoredStatus.NOTIFIED, window_opens__gte=start, window_opens__lt=end
        ).values_list("generic_class", flat=True)
    )
    classes = set(declared) | set(reported) | set(notified_only)
    order = list(GENERIC_CLASSES)
    return [
        {
            "generic_class": c,
            "declared": declared[c],
            "reported": reported[c],
            "notified_only": notified_only[c],
            "difference": declared[c] - reported[c],
        }
        for c in sorted(classes, key=lambda c: order.index(c) if c in order else len(order))
    ]


def is_late(d: Declaration) -> bool:
    deadline = DeclarationDeadline.objects.filter(year=d.year).first()
    return deadline is not None and d.first_submitted_at.date() > deadline.due_on


def declaration_read_model(d: Declaration, v: DeclarationVersion) -> dict:
    content = canonical_loads(v.content)
    return {
        "state": d.state_id,
        "year": d.year,
        "version": v.version,
        "submitted_at": rfc3339(v.submitted_at),
        "first_submitted_at": rfc3339(d.first_submitted_at),
        "seq": v.seq,
        "late": is_late(d),
        "entered_by_icc": v.entered_by_icc,
        "nil": content["nil"],
        "ballistic_missiles": content.get("ballistic_missiles"),
        "space_launch_vehicles": content.get("space_launch_vehicles"),
        "observers": content.get("observers"),
        "remarks": content.get("remarks"),
        "crosscheck": crosscheck(d.state_id, d.year, content),
    }
