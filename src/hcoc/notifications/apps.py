from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "hcoc.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Models are importable only once the app registry is ready, hence the import here.
        from .feed import register_pages

        register_pages()
