"""Template filters: every time shown in UTC with an explicit "UTC", dates unambiguous."""

from datetime import datetime

from django import template
from django.utils.dateparse import parse_datetime

register = template.Library()


def _as_datetime(value):
    if isinstance(value, str):
        value = parse_datetime(value.replace("Z", "+00:00"))
    return value if isinstance(value, datetime) else None


@register.filter
def utc(value) -> str:
    """'3 Dec 2026 06:00 UTC' from a datetime or an RFC 3339 string."""
    dt = _as_datetime(value)
    if dt is None:
        return "" if value in (None, "") else str(value)
    from datetime import UTC

    dt = dt.astimezone(UTC)
    return f"{dt.day} {dt:%b %Y %H:%M} UTC"


@register.filter
def utc_date(value) -> str:
    dt = _as_datetime(value)
    if dt is None:
        return "" if value in (None, "") else str(value)
    return f"{dt.day} {dt:%b %Y}"


@register.filter
def rfc3339(value) -> str:
    dt = _as_datetime(value)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else ""


@register.filter
def feed_link(item) -> str:
    """The page of what a feed item is about, from its kind and subject."""
    kind, subject = item["kind"], item["subject"]
    if kind == "declaration.submitted":
        return f"/declarations/{subject}"
    if kind == "registry.subscribed":
        return "/registry"
    if kind == "meeting.decision":
        return f"/meetings/decisions/{subject}"
    if kind == "meeting.proposal_circulated":
        return f"/meetings/proposals/{subject}"
    return f"/notifications/{subject}"
