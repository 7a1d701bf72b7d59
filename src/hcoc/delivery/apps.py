from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    """Live delivery (issue 11): the feed pushed to pages (Server-Sent Events), to states'
    systems (webhooks) and to people (e-mail alerts). It reads events by `seq` from the
    exchange, which stays the source of truth; nothing imports it (docs/decisions/0005)."""

    name = "hcoc.delivery"
    label = "delivery"
