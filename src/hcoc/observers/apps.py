from django.apps import AppConfig


class ObserversConfig(AppConfig):
    name = "hcoc.observers"
    label = "observers"
    verbose_name = "Observer invitations"
