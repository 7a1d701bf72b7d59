"""Reads of live delivery, through its access rules (delivery.access)."""

from django.utils.translation import gettext as _

from hcoc.accounts.models import User
from hcoc.exchange.models import EventKind
from hcoc.lib.cursor import decode_cursor, encode_cursor
from hcoc.lib.errors import NotFound
from hcoc.lib.timeutil import rfc3339

from .access import endpoints_visible_to, require_reader
from .alerts import DEFAULT_MODES
from .models import AlertPreference, Attempt, Chase, Endpoint

MAX_ID = 2**62  # a cursor beyond any id: an empty page, not a database overflow


def endpoint_read_model(e: Endpoint) -> dict:
    return {
        "id": e.pk,
        "state": e.state_id,
        "url": e.url,
        "status": e.status,
        "cursor": e.cursor,
        "created_at": rfc3339(e.created_at),
        "failures": e.failures,
        "failing_since": rfc3339(e.failing_since),
        "next_attempt_at": rfc3339(e.next_attempt_at),
        "disabled_at": rfc3339(e.disabled_at),
        "disabled_reason": e.disabled_reason,
    }


def attempt_read_model(a: Attempt) -> dict:
    return {
        "seq": a.seq,
        "webhook_id": a.webhook_id,
        "at": rfc3339(a.at),
        "status_code": a.status_code,
        "latency_ms": a.latency_ms,
        "ok": a.ok,
        "error": a.error,
        "replay": a.replay,
    }


def endpoint_get_for(*, actor, endpoint_id: int) -> Endpoint:
    """The endpoint, if the actor may see it; 404 otherwise (never revealing another state's)."""
    actor = require_reader(actor)
    found = (
        Endpoint.objects.filter(endpoints_visible_to(actor), pk=endpoint_id).first()
        if 0 < endpoint_id < MAX_ID
        else None
    )
    if found is None:
        raise NotFound(_("No webhook endpoint %(endpoint_id)s.") % {"endpoint_id": endpoint_id})
    return found


def endpoint_list_for(*, actor, limit: int = 100, cursor: str | None = None) -> dict:
    actor = require_reader(actor)
    qs = Endpoint.objects.filter(endpoints_visible_to(actor)).order_by("id")
    after = min(decode_cursor(cursor), MAX_ID)
    rows = list(qs.filter(id__gt=after)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [endpoint_read_model(e) for e in rows],
        "next_cursor": encode_cursor(rows[-1].id) if more else None,
    }


def deliveries_for(*, actor, endpoint_id: int, limit: int = 100, cursor: str | None = None):
    """The endpoint's delivery log, newest first."""
    endpoint = endpoint_get_for(actor=actor, endpoint_id=endpoint_id)
    qs = Attempt.objects.filter(endpoint=endpoint).order_by("-id")
    before = decode_cursor(cursor)
    if before:
        qs = qs.filter(id__lt=min(before, MAX_ID))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "endpoint": endpoint_read_model(endpoint),
        "items": [attempt_read_model(a) for a in rows],
        "next_cursor": encode_cursor(rows[-1].id) if more else None,
    }


def alert_modes_for(*, user: User) -> dict[str, str]:
    """The user's own e-mail choices, by kind (its own: no actor but the user itself)."""
    modes = dict(DEFAULT_MODES)
    modes.update(AlertPreference.objects.filter(user=user).values_list("kind", "mode"))
    return {kind: modes[kind] for kind in EventKind.values}


def chases_of(*, actor, seq: int) -> list[dict]:
    """The chases of an item (the ICC's page); any reader of the exchange may know them."""
    require_reader(actor)
    return [
        {"state": c.state_id, "at": c.at, "by": c.by.username if c.by else "daily task"}
        for c in Chase.objects.filter(seq=seq).select_related("by")
    ]
