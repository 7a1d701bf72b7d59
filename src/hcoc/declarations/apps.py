from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "hcoc.declarations"
    label = "declarations"

    def ready(self) -> None:
        # Models are importable only once the app registry is ready, hence the import here.
        from .feed import register_pages

        register_pages()
