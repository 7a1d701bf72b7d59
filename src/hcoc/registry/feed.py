"""The registry in the feed: a subscription opens on the public registry, a circular on its
section there."""

from django.urls import reverse

from hcoc.exchange import links
from hcoc.exchange.models import EventKind


def register_pages() -> None:
    links.register(
        EventKind.REGISTRY_SUBSCRIBED, page=lambda item, user: reverse("registry:registry")
    )
    links.register(
        EventKind.REGISTRY_CIRCULAR,
        page=lambda item, user: reverse("registry:registry") + "#circulars",
    )
