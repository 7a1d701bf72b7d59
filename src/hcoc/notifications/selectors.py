"""Reads of notifications, through the access rules: published notifications are visible to
every subscribing state and the ICC; nobody else sees any."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.accounts.models import hash_token
from hcoc.lib.cursor import decode_cursor, encode_cursor
from hcoc.lib.errors import NotFound
from hcoc.sites.models import LaunchSite, SiteKind
from hcoc.states.access import may_submit, require_exchange_reader

from .models import (
    CalendarLink,
    Notification,
    NotificationDraft,
    NotificationVersion,
    Status,
    StoredStatus,
)
from .readmodel import notification_read_model, version_read_model


def _visible(actor) -> QuerySet[Notification]:
    require_exchange_reader(actor)
    return Notification.objects.all()


def notification_get_for(*, actor, reference: str) -> dict:
    n = _visible(actor).filter(reference=reference).first()
    if n is None:
        raise NotFound(_("No notification %(reference)s.") % {"reference": reference})
    return notification_read_model(n, n.versions.get(version=n.current_version))


def notification_versions_for(*, actor, reference: str) -> list[dict]:
    n = _visible(actor).filter(reference=reference).first()
    if n is None:
        raise NotFound(_("No notification %(reference)s.") % {"reference": reference})
    return [version_read_model(n, v) for v in n.versions.order_by("version")]


def _status_q(status: str, now: datetime) -> Q:
    if status == Status.UNREPORTED:
        return Q(stored_status=StoredStatus.NOTIFIED, window_closes__lte=now)
    if status == Status.NOTIFIED:
        return Q(stored_status=StoredStatus.NOTIFIED, window_closes__gt=now)
    return Q(stored_status=status)


def notification_list_for(
    *,
    actor,
    state: str | None = None,
    category: str | None = None,
    generic_class: str | None = None,
    status: str | None = None,
    window_from: datetime | None = None,
    window_to: datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
    newest_first: bool = False,
) -> dict:
    """Oldest first by submission (newest first for people, with `newest_first`).
    window_from/window_to select windows that overlap the range."""
    now = timezone.now()
    qs = _visible(actor)
    after = decode_cursor(cursor)
    if after:
        qs = qs.filter(id__lt=after) if newest_first else qs.filter(id__gt=after)
    if state:
        qs = qs.filter(state_id=state)
    if category:
        qs = qs.filter(category=category)
    if generic_class:
        qs = qs.filter(generic_class=generic_class)
    if status:
        qs = qs.filter(_status_q(status, now))
    if window_from:
        qs = qs.filter(window_closes__gte=window_from)
    if window_to:
        qs = qs.filter(window_opens__lte=window_to)
    rows = list(qs.order_by("-id" if newest_first else "id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    versions = {
        (v.notification_id, v.version): v
        for v in NotificationVersion.objects.filter(notification_id__in=[n.id for n in rows])
    }
    return {
        "items": [
            notification_read_model(n, versions[(n.id, n.current_version)], now=now) for n in rows
        ],
        "next_cursor": encode_cursor(rows[-1].id) if more else None,
    }


def drafts_visible_to(actor) -> QuerySet[NotificationDraft]:
    """Drafts are private to their owner: a state's users see their state's drafts; ICC users
    see the ICC's. Never anyone else's, and never in the feed."""
    if not may_submit(actor):
        return NotificationDraft.objects.none()
    if actor.state_id is None:
        return NotificationDraft.objects.filter(state__isnull=True)
    return NotificationDraft.objects.filter(state_id=actor.state_id)


def launch_sites_for_form(*, actor) -> list[dict]:
    """The site catalogue for the PLN form's site search and map preview; `launch` says
    whether a launch area may name it (an impact range may only be an impact area)."""

    require_exchange_reader(actor)
    return [
        {
            "id": s.id,
            "name": s.name,
            "state": s.state_id,
            "lat": s.lat,
            "lon": s.lon,
            "launch": s.site_kind in SiteKind.launching(),
        }
        for s in LaunchSite.objects.order_by("id")
    ]


def public_pln_counts_by_year() -> dict[int, dict[str, int]]:
    """Public aggregate (docs/domain.md: the public may see aggregate figures): pre-launch
    notifications per year of window opening and category. Counts only; no state, no item."""

    rows = (
        Notification.objects.filter(prior_notice=True, window_opens__isnull=False)
        .annotate(y=ExtractYear("window_opens"))
        .values("y", "category")
        .annotate(n=Count("id"))
    )
    out: dict[int, dict[str, int]] = {}
    for r in rows:
        out.setdefault(r["y"], {})[r["category"]] = r["n"]
    return out


def calendar_owner(secret: str):
    """The user whose calendar URL this is, or None (unknown, replaced or revoked)."""
    link = (
        CalendarLink.objects.select_related("user").filter(secret_hash=hash_token(secret)).first()
    )
    return link.user if link is not None and link.user.is_active else None


def calendar_link_of(*, actor) -> CalendarLink | None:
    return CalendarLink.objects.filter(user=actor).first()
