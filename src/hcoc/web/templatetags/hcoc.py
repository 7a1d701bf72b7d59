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


@register.simple_tag(takes_context=True)
def item_link(context, item: dict) -> str:
    """A feed item's subject as a link to its page. A restricted invitation is a link only for
    the states it is addressed to (and the inviter and the ICC); others see a plain mention."""
    from django.urls import reverse
    from django.utils.html import format_html
    from django.utils.translation import gettext as _

    kind, subject = item["kind"], item["subject"]
    if kind == "invitation.issued":
        if item["payload"].get("audience") == "named":
            from hcoc.observers.selectors import visible_references

            user = context["request"].user
            if subject not in visible_references(user, {subject}):
                return format_html(
                    '<span class="help">{}</span>',
                    _("a restricted invitation (not addressed to you)"),
                )
        href = reverse("observers:detail", args=[subject])
    elif kind == "declaration.submitted":
        href = f"/declarations/{subject}"
    elif kind == "registry.subscribed":
        href = reverse("web:registry")
    elif kind == "registry.circular":
        href = reverse("web:registry") + "#circulars"
    elif kind == "meeting.decision":
        href = reverse("meetings:decision", args=[subject])
    elif kind == "meeting.proposal_circulated":
        href = reverse("meetings:proposal", args=[subject])
    else:
        href = f"/notifications/{subject}"
    return format_html('<a href="{}">{}</a>', href, subject)
