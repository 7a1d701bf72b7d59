from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "hcoc.sites"
    label = "sites"
