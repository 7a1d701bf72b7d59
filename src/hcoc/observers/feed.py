"""Invitations in the feed: an invitation opens on its page, a restricted one only for those
who may see it (its addressees, the inviter and the ICC); the others see a plain mention."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from hcoc.exchange import links
from hcoc.exchange.models import EventKind

from .access import may_see_invitation
from .models import Audience


def invitation_page(item: dict, user) -> str | None:
    restricted = item["payload"].get("audience") == Audience.NAMED
    if restricted and not may_see_invitation(user, item["subject"]):
        return None
    return reverse("observers:detail", args=[item["subject"]])


def register_pages() -> None:
    links.register(
        EventKind.INVITATION_ISSUED,
        page=invitation_page,
        withheld=gettext_lazy("a restricted invitation (not addressed to you)"),
    )
