from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """The ICC keeps the registry: subscriptions recorded from diplomatic notes, the
    authoritative list imported, circulars published. Each of these writes enters the exchange
    feed, so this app sits above the exchange; the registry's data and who acts for which state
    are in hcoc.states, below it (docs/decisions/0005)."""

    name = "hcoc.registry"
    label = "registry"

    def ready(self) -> None:
        # Models are importable only once the app registry is ready, hence the import here.
        from .feed import register_pages

        register_pages()
