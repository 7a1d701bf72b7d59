"""Declarations in the feed: a submitted declaration opens on its page."""

from hcoc.exchange import links
from hcoc.exchange.models import EventKind


def register_pages() -> None:
    links.register(
        EventKind.DECLARATION_SUBMITTED,
        page=lambda item, user: f"/declarations/{item['subject']}",  # subject: "FRA/2025"
    )
