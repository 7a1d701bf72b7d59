"""Regular Meetings in the feed: a decision and a circulated proposal open on their pages."""

from django.urls import reverse

from hcoc.exchange import links
from hcoc.exchange.models import EventKind


def register_pages() -> None:
    links.register(
        EventKind.MEETING_DECISION,
        page=lambda item, user: reverse("meetings:decision", args=[item["subject"]]),
    )
    links.register(
        EventKind.MEETING_PROPOSAL_CIRCULATED,
        page=lambda item, user: reverse("meetings:proposal", args=[item["subject"]]),
    )
