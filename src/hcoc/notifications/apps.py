from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "hcoc.notifications"
    label = "notifications"
