"""Every write to notifications goes through here: one transaction per action, and the exchange
event of the action is written in that same transaction (so nothing is stored unannounced)."""

import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.accounts.access import require_icc
from hcoc.accounts.models import hash_token
from hcoc.exchange.models import EventKind
from hcoc.exchange.services import EventDraft, event_transaction, number_next
from hcoc.lib.canonical import canonical_dumps, canonical_loads
from hcoc.lib.errors import Conflict, FieldProblem, InvalidInput, NotFound
from hcoc.lib.timeutil import rfc3339, to_utc
from hcoc.states.access import (
    acting_state,
    require_acting_for,
    require_exchange_reader,
    require_submitter,
)
from hcoc.states.models import State

from .geography import version_geometry
from .models import (
    CalendarLink,
    Notification,
    NotificationDraft,
    NotificationVersion,
    StoredStatus,
)
from .readmodel import notification_read_model, status_at
from .rules import launch_report_window_check
from .schemas import (
    AmendmentIn,
    Area,
    Direction,
    ImportIn,
    LaunchCore,
    LaunchReportIn,
    PLNIn,
    UnnotifiedLaunchIn,
)
from .selectors import drafts_visible_to

# ---- content normalisation ------------------------------------------------------------------


def _area(area: Area) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if area.site_id is not None:
        out["site_id"] = area.site_id
    if area.center is not None:
        out["center"] = {"lat": area.center.lat, "lon": area.center.lon}
        out["radius_km"] = area.radius_km
    if area.polygon is not None:
        out["polygon"] = [{"lat": p.lat, "lon": p.lon} for p in area.polygon]
    if area.description is not None:
        out["description"] = area.description
    kind = getattr(area, "kind", None)
    if kind is not None:
        out["kind"] = kind
    return out


def _direction(d: Direction) -> dict[str, float]:
    if d.azimuth_deg is not None:
        return {"azimuth_deg": d.azimuth_deg}
    return {"azimuth_from_deg": d.azimuth_from_deg, "azimuth_to_deg": d.azimuth_to_deg}


def _core_content(data: LaunchCore) -> dict[str, Any]:
    return {
        "category": data.category,
        "generic_class": data.generic_class,
        "vehicle_name": data.vehicle_name,
        "launch_area": _area(data.launch_area),
        "planned_direction": _direction(data.planned_direction),
    }


def pln_content(data: PLNIn) -> dict[str, Any]:
    """The stored, published form of a PLN body: UTC `Z` times, absent shapes left out."""
    return {
        **_core_content(data),
        "test_flight": data.test_flight,
        "window": {"opens": rfc3339(data.window.opens), "closes": rfc3339(data.window.closes)},
        "impact_areas": [_area(a) for a in data.impact_areas],
        "range_km": data.range_km,
        "apogee_km": data.apogee_km,
        "remarks": data.remarks,
    }


# ---- writes ---------------------------------------------------------------------------------


def _next_reference(state_id: str, year: int) -> tuple[str, int]:
    mine = Notification.objects.filter(state_id=state_id, ref_year=year)
    number = number_next(mine, "ref_number")
    return f"{state_id}-{year:04d}-{number:04d}", number


def _publish(
    event: EventDraft, n: Notification, v: NotificationVersion, *, kind: str, actor
) -> None:
    event.publish(
        kind=kind,
        state=n.state_id,
        subject=n.reference,
        version=v.version,
        payload=notification_read_model(n, v, now=event.at),
        actor=actor,
    )


def _create(
    *,
    actor,
    state: State,
    entered_by_icc: bool,
    content: dict,
    geometry: dict,
    first_submitted_at: datetime,
    now: datetime,
    seq: int,
    window: tuple[datetime, datetime] | None,
    national_reference: str | None = None,
    **fields,
) -> tuple[Notification, NotificationVersion]:
    reference, number = _next_reference(state.iso3, first_submitted_at.year)
    n = Notification.objects.create(
        reference=reference,
        state=state,
        ref_year=first_submitted_at.year,
        ref_number=number,
        first_submitted_at=first_submitted_at,
        current_version=1,
        category=content["category"],
        generic_class=content["generic_class"],
        window_opens=window[0] if window else None,
        window_closes=window[1] if window else None,
        **fields,
    )
    v = NotificationVersion.objects.create(
        notification=n,
        version=1,
        content=canonical_dumps(content),
        geometry=geometry,
        submitted_at=first_submitted_at,
        submitted_by=actor,
        entered_by_icc=entered_by_icc,
        seq=seq,
        national_reference=national_reference or "",
    )
    return n, v


def notification_submit(*, actor, data: PLNIn) -> Notification:
    state, by_icc = acting_state(actor, data.on_behalf_of)
    content = pln_content(data)
    # Computed before the write lock (about 10 ms) and stored with the version it belongs to.
    geometry = version_geometry(content)
    with event_transaction() as event:
        seq, now = event.seq, event.at
        n, v = _create(
            actor=actor,
            state=state,
            entered_by_icc=by_icc,
            content=content,
            geometry=geometry,
            first_submitted_at=now,
            now=now,
            seq=seq,
            window=(to_utc(data.window.opens), to_utc(data.window.closes)),
            national_reference=data.national_reference,
            stored_status=StoredStatus.NOTIFIED,
        )
        _publish(event, n, v, kind=EventKind.NOTIFICATION_SUBMITTED, actor=actor)
    return n


def _locked_notification(reference: str) -> Notification:
    n = Notification.objects.select_related("state").filter(reference=reference).first()
    if n is None:
        raise NotFound(_("No notification %(reference)s.") % {"reference": reference})
    return n


def _current_version(n: Notification) -> NotificationVersion:
    return n.versions.get(version=n.current_version)


def _check_behalf(data_on_behalf_of: str | None, n: Notification) -> None:
    if data_on_behalf_of is not None and data_on_behalf_of != n.state_id:
        raise InvalidInput(
            [
                FieldProblem(
                    "on_behalf_of",
                    _("%(reference)s belongs to %(state_id)s, not %(data_on_behalf_of)s")
                    % {
                        "reference": n.reference,
                        "state_id": n.state_id,
                        "data_on_behalf_of": data_on_behalf_of,
                    },
                )
            ]
        )


def notification_amend(*, actor, reference: str, data: AmendmentIn | PLNIn) -> Notification:
    """The full new content becomes the next version, with the state's reference and the
    amendment's reason (when given) kept with that version."""
    # Before the lookup: a 404 would tell a non-subscriber what exists.
    require_exchange_reader(actor)
    content = pln_content(data)
    geometry = version_geometry(content)  # before the write lock, as in notification_submit
    with event_transaction() as event:
        seq, now = event.seq, event.at
        n = _locked_notification(reference)
        by_icc = require_acting_for(actor, n.state_id)
        _check_behalf(data.on_behalf_of, n)
        status = status_at(n, now)
        if status != StoredStatus.NOTIFIED:
            raise Conflict(
                _(
                    "%(reference)s is %(status)s; only a notified notification whose window has not "
                    "closed can be amended."
                )
                % {"reference": reference, "status": status}
            )
        n.current_version += 1
        n.category = content["category"]
        n.generic_class = content["generic_class"]
        n.window_opens = to_utc(data.window.opens)
        n.window_closes = to_utc(data.window.closes)
        n.save()
        v = NotificationVersion.objects.create(
            notification=n,
            version=n.current_version,
            content=canonical_dumps(content),
            geometry=geometry,
            submitted_at=now,
            submitted_by=actor,
            entered_by_icc=by_icc,
            seq=seq,
            national_reference=data.national_reference or "",
            reason=(data.reason if isinstance(data, AmendmentIn) else None) or "",
        )
        _publish(event, n, v, kind=EventKind.NOTIFICATION_AMENDED, actor=actor)
    return n


def notification_cancel(*, actor, reference: str, reason: str) -> Notification:
    # Before the lookup: a 404 would tell a non-subscriber what exists.
    require_exchange_reader(actor)
    with event_transaction() as event:
        now = event.at
        n = _locked_notification(reference)
        require_acting_for(actor, n.state_id)
        status = status_at(n, now)
        if status != StoredStatus.NOTIFIED:
            raise Conflict(
                _("%(reference)s is %(status)s; only a notified notification can be cancelled.")
                % {"reference": reference, "status": status}
            )
        n.stored_status = StoredStatus.CANCELLED
        n.cancelled_at = now
        n.cancel_reason = reason
        n.save()
        _publish(event, n, _current_version(n), kind=EventKind.NOTIFICATION_CANCELLED, actor=actor)
    return n


def _apply_report(
    n: Notification, data: LaunchReportIn | UnnotifiedLaunchIn, *, now: datetime, by_icc: bool
) -> None:
    launched = to_utc(data.launched_at)
    n.stored_status = StoredStatus.LAUNCHED
    n.launched_at = launched
    n.outcome = data.outcome
    n.launch_remarks = data.remarks or ""
    n.reported_at = now
    n.report_entered_by_icc = by_icc
    if n.window_opens is not None:
        n.outside_window = not (n.window_opens <= launched <= n.window_closes)


def notification_report_launch(*, actor, reference: str, data: LaunchReportIn) -> Notification:
    """A launch report may follow a notification that is notified or unreported (its window
    closed before the report came): the report is what turns it into `launched`."""
    # Before the lookup: a 404 would tell a non-subscriber what exists.
    require_exchange_reader(actor)
    with event_transaction() as event:
        now = event.at
        n = _locked_notification(reference)
        by_icc = require_acting_for(actor, n.state_id)
        if n.stored_status != StoredStatus.NOTIFIED:
            raise Conflict(
                _(
                    "%(reference)s is %(stored_status)s; a launch can be reported once, and not for a "
                    "cancelled notification."
                )
                % {"reference": reference, "stored_status": n.stored_status}
            )
        launch_report_window_check(data.launched_at, n.window_opens, n.window_closes)
        _apply_report(n, data, now=now, by_icc=by_icc)
        n.save()
        _publish(
            event, n, _current_version(n), kind=EventKind.NOTIFICATION_LAUNCH_REPORTED, actor=actor
        )
    return n


def unnotified_launch_report(*, actor, data: UnnotifiedLaunchIn) -> Notification:
    state, by_icc = acting_state(actor, data.on_behalf_of)
    content = {**_core_content(data), "remarks": data.remarks}
    geometry = version_geometry(content)  # before the write lock, as in notification_submit
    with event_transaction() as event:
        seq, now = event.seq, event.at
        n, v = _create(
            actor=actor,
            state=state,
            entered_by_icc=by_icc,
            content=content,
            geometry=geometry,
            first_submitted_at=now,
            now=now,
            seq=seq,
            window=None,
            stored_status=StoredStatus.NOTIFIED,
            prior_notice=False,
            unnotified_reason=data.reason,
        )
        _apply_report(n, data, now=now, by_icc=by_icc)
        n.save()
        _publish(event, n, v, kind=EventKind.LAUNCH_UNNOTIFIED, actor=actor)
    return n


def notification_import(*, actor, data: ImportIn) -> Notification:
    """Historical import (ICC only): stored as if submitted at `first_submitted_at`.

    Rules that depend on "now" are checked against that time (ImportIn's rules); everything
    else applies as usual.
    The event is dated when the import happens (no back-dating of the exchange sequence).
    """
    actor = require_icc(actor)
    submitted = to_utc(data.first_submitted_at)
    # The schema checked the state, the dates and the PLN as of first_submitted_at (rules.py).
    state = State.objects.get(iso3=data.state)
    content = pln_content(data.notification)
    geometry = version_geometry(content)  # before the write lock, as in notification_submit
    with event_transaction() as event:
        seq, now = event.seq, event.at
        n, v = _create(
            actor=actor,
            state=state,
            entered_by_icc=True,
            content=content,
            geometry=geometry,
            first_submitted_at=submitted,
            now=now,
            seq=seq,
            window=(
                to_utc(data.notification.window.opens),
                to_utc(data.notification.window.closes),
            ),
            national_reference=data.notification.national_reference,
            stored_status=StoredStatus.NOTIFIED,
            imported=True,
            import_source=data.source,
        )
        if data.launch_report is not None:
            _apply_report(n, data.launch_report, now=now, by_icc=True)
            n.save()
        _publish(event, n, v, kind=EventKind.NOTIFICATION_IMPORTED, actor=actor)
    return n


# ---- geography, derived and stored per version ---------------------------------------------

RECOMPUTE_BATCH = 200


def _concerned(geometry: dict | None) -> list[str] | None:
    rows = (geometry or {}).get("affected_states")
    return None if rows is None else [row["state"] for row in rows]


def version_geometries_recompute(*, only_missing: bool = False, progress=None, changed=None) -> int:
    """Recompute and store the geometry of every notification version (or only of those that
    have none): after an upgrade that added geography, or a new release of the boundary data or
    of the corridor's rules. `changed(reference, version, before, after)` is called for each
    version whose concerned states (affected_states) differ from what was stored (None: none
    stored), so an operator can say what changed for whom.

    Not an exchange write and so not inside event_transaction(): the geometry is a cache of a
    deterministic function of the version's content and the shipped data; no event changes, no
    leaf is written (old events keep their bytes). Each batch is its own transaction, so a long
    run holds no lock for long and can be stopped and run again."""
    versions = NotificationVersion.objects.order_by("id")
    if only_missing:
        versions = versions.filter(geometry__isnull=True)
    done, last = 0, 0
    while True:
        batch = list(
            versions.filter(id__gt=last)
            .select_related("notification")
            .only("id", "version", "content", "geometry", "notification__reference")[
                :RECOMPUTE_BATCH
            ]
        )
        if not batch:
            return done
        computed = [(v, version_geometry(canonical_loads(v.content))) for v in batch]
        with transaction.atomic():
            for version, geometry in computed:
                NotificationVersion.objects.filter(id=version.id).update(geometry=geometry)
        if changed is not None:
            for version, geometry in computed:
                before, after = _concerned(version.geometry), _concerned(geometry)
                if before != after:
                    changed(version.notification.reference, version.version, before, after)
        done, last = done + len(batch), batch[-1].id
        if progress is not None:
            progress(done)


# ---- the calendar link: a user's own secret URL, never an exchange write -------------------


def calendar_link_issue(*, actor) -> str:
    """A new secret calendar URL for the actor (replacing any earlier one); the secret is
    returned once and stored hashed. Any reader of the exchange may have one: it shows what
    the user may read, checked again on every fetch."""
    require_exchange_reader(actor)
    raw = secrets.token_urlsafe(32)
    CalendarLink.objects.update_or_create(
        user=actor, defaults={"secret_hash": hash_token(raw), "created_at": timezone.now()}
    )
    return raw


def calendar_link_revoke(*, actor) -> None:
    CalendarLink.objects.filter(user=actor).delete()


# ---- drafts (web form): private, never published ----------------------------------------


def draft_save(
    *, actor, data: dict, draft_id: int | None = None, amends: str = ""
) -> NotificationDraft:
    """Create or update a draft. A state's drafts are its own; the ICC's drafts (entries it
    prepares on a state's behalf) are the ICC's. Nobody else ever sees them."""

    actor = require_submitter(actor)
    now = timezone.now()
    if draft_id is None:
        return NotificationDraft.objects.create(
            state=actor.state, created_by=actor, data=data, amends=amends, updated_at=now
        )
    draft = drafts_visible_to(actor).filter(pk=draft_id).first()
    if draft is None:
        raise NotFound(_("No such draft."))
    draft.data, draft.updated_at = data, now
    draft.save(update_fields=["data", "updated_at"])
    return draft


def draft_delete(*, actor, draft_id: int) -> None:

    actor = require_submitter(actor)
    if not drafts_visible_to(actor).filter(pk=draft_id).delete()[0]:
        raise NotFound(_("No such draft."))
