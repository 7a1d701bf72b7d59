from django.apps import AppConfig


class UiConfig(AppConfig):
    """The kit of the exchange's two interfaces, which imports no domain app: the API's doors
    and problem answers, and the pages' decorators, form problems, template tags and base
    templates. Every app's api.py and views.py build on it."""

    name = "hcoc.ui"
    label = "ui"
