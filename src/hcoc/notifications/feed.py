"""Notifications in the feed: every item about one opens on the notification's page."""

from hcoc.exchange import links
from hcoc.exchange.models import EventKind


def register_pages() -> None:
    links.register(
        EventKind.NOTIFICATION_SUBMITTED,
        EventKind.NOTIFICATION_AMENDED,
        EventKind.NOTIFICATION_CANCELLED,
        EventKind.NOTIFICATION_LAUNCH_REPORTED,
        EventKind.NOTIFICATION_IMPORTED,
        EventKind.LAUNCH_UNNOTIFIED,
        page=lambda item, user: f"/notifications/{item['subject']}",
    )
