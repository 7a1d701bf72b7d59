from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "hcoc.declarations"
    label = "declarations"
