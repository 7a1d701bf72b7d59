from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "hcoc.meetings"
    label = "meetings"

    def ready(self) -> None:
        # Models are importable only once the app registry is ready, hence the import here.
        from .feed import register_pages

        register_pages()
