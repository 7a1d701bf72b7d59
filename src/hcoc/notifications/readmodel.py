"""The notification read model: what every subscribing state receives (docs/formats.md)."""

from datetime import datetime

from django.utils import timezone

from hcoc.lib.canonical import canonical_loads
from hcoc.lib.timeutil import rfc3339

from .models import Notification, NotificationVersion, Status, StoredStatus


def status_at(n: Notification, now: datetime) -> str:
    if (
        n.stored_status == StoredStatus.NOTIFIED
        and n.window_closes is not None
        and n.window_closes <= now
    ):
        return Status.UNREPORTED
    return n.stored_status


def notification_read_model(
    n: Notification, version: NotificationVersion, *, now: datetime | None = None
) -> dict:
    now = now or timezone.now()
    content = canonical_loads(version.content)
    opens = n.window_opens
    lead = None
    if opens is not None:
        lead = round((opens - n.first_submitted_at).total_seconds() / 3600, 2)
    report = None
    if n.launched_at is not None:
        report = {
            "launched_at": rfc3339(n.launched_at),
            "outcome": n.outcome,
            "remarks": n.launch_remarks or None,
            "outside_window": n.outside_window,
            "reported_at": rfc3339(n.reported_at),
            "entered_by_icc": n.report_entered_by_icc,
        }
    cancellation = None
    if n.cancelled_at is not None:
        cancellation = {"cancelled_at": rfc3339(n.cancelled_at), "reason": n.cancel_reason}
    return {
        "reference": n.reference,
        "state": n.state_id,
        "version": version.version,
        "status": status_at(n, now),
        "submitted_at": rfc3339(version.submitted_at),
        "first_submitted_at": rfc3339(n.first_submitted_at),
        "lead_time_hours": lead,
        # An unnotified launch is by definition notified late: after the launch itself.
        "late": True if opens is None else n.first_submitted_at > opens,
        "entered_by_icc": version.entered_by_icc,
        "imported": n.imported,
        "import_source": n.import_source or None,
        "prior_notice": n.prior_notice,
        "unnotified_reason": n.unnotified_reason or None,
        "launch_report": report,
        "cancellation": cancellation,
        "seq": version.seq,
        **statement_read_model(
            content,
            national_reference=version.national_reference,
            reason=version.reason,
            geometry=version.geometry,
        ),
    }


def statement_read_model(
    content: dict,
    *,
    national_reference: str | None,
    reason: str | None,
    geometry: dict | None,
) -> dict:
    """The part of the published read model that the sender's statement fixes: its content,
    its own reference and reason, and what the exchange derives from them (the geography). The
    rest (reference, version, times, status, seq) is set when it is sent. The PLN form's review
    shows exactly these keys, as the canonical bytes every state will receive."""
    return {
        "category": content["category"],
        "generic_class": content["generic_class"],
        "vehicle_name": content.get("vehicle_name"),
        "test_flight": content.get("test_flight", False),
        "window": content.get("window"),
        "launch_area": content["launch_area"],
        "planned_direction": content["planned_direction"],
        "impact_areas": content.get("impact_areas", []),
        "range_km": content.get("range_km"),
        "apogee_km": content.get("apogee_km"),
        "remarks": content.get("remarks"),
        **notes(national_reference, reason, reason_key="amendment_reason"),
        **geography_read_model(geometry),
    }


def version_notes(version: NotificationVersion, *, reason_key: str) -> dict:
    """The state's own reference and the amendment's reason, each only when given: a version
    without them reads (and was published) exactly as before they existed, so the read model
    of every older version, and any payload built from it, keeps its bytes (docs/api.md)."""
    return notes(version.national_reference, version.reason, reason_key=reason_key)


def notes(national_reference: str | None, reason: str | None, *, reason_key: str) -> dict:
    out = {}
    if national_reference:
        out["national_reference"] = national_reference
    if reason:
        out[reason_key] = reason
    return out


def geography_read_model(geometry: dict | None) -> dict:
    """What the read model publishes of a version's stored geometry (docs/api.md, "Geography").
    None (a version from before geography, not yet recomputed) reads as unknown: null, not []."""
    if geometry is None:
        return {"corridor": None, "affected_states": None, "flags": []}
    out = {
        "corridor": corridor_read_model(geometry.get("corridor")),
        "affected_states": geometry.get("affected_states"),
        "flags": geometry.get("flags", []),
    }
    # Present only when a state lies only in the planned direction (the contract's style for an
    # added key: present when given, never null), so every other item reads, and was published,
    # exactly as before the two tiers.
    if geometry.get("in_planned_direction"):
        out["in_planned_direction"] = geometry["in_planned_direction"]
    return out


def corridor_read_model(corridor: dict | None) -> dict | None:
    """The corridor as the read model publishes it since issue 24 ("slim items"): the stored
    Feature with its parameters (start, ends, length_km and where it comes from, its tier,
    half_width_km) and `geometry` null; the band itself (hundreds of points, most of an item's
    bytes) and the axis are left out. The band is served by GET /notifications/{ref}/geojson
    and is `hcoc.lib.geo.notification.corridor_feature` of the statement (docs/geography.md);
    the axis is the geodesic from `start` to each of `ends`. Items published before keep the
    full Feature they were published with (their stored bytes are never rewritten)."""
    if corridor is None:
        return None
    properties = {k: v for k, v in corridor["properties"].items() if k != "axis"}
    return {"type": "Feature", "geometry": None, "properties": properties}


def version_read_model(n: Notification, version: NotificationVersion) -> dict:
    return {
        "reference": n.reference,
        "version": version.version,
        "submitted_at": rfc3339(version.submitted_at),
        "entered_by_icc": version.entered_by_icc,
        "seq": version.seq,
        "content": canonical_loads(version.content),
        **version_notes(version, reason_key="reason"),
    }
