from django.apps import AppConfig


class StatesConfig(AppConfig):
    name = "hcoc.states"
    label = "states"
