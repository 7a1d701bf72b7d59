from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class UiConfig(AppConfig):
    """The kit of the exchange's two interfaces, which imports no domain app: the API's doors
    and problem answers, and the pages' decorators, form problems, template tags and base
    templates. Every app's api.py and views.py build on it."""

    name = "hcoc.ui"
    label = "ui"


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, its site replaced by one behind the site's own login (ui/admin_site.py).
    Listed in INSTALLED_APPS in place of django.contrib.admin."""

    default = False
    default_site = "hcoc.ui.admin_site.AdminSite"
