from django.apps import AppConfig


class ObserversConfig(AppConfig):
    name = "hcoc.observers"
    label = "observers"
    verbose_name = "Observer invitations"

    def ready(self) -> None:
        # Models are importable only once the app registry is ready, hence the import here.
        from .feed import register_pages

        register_pages()
