from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "hcoc.web"
    label = "web"
