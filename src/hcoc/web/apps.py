from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class WebConfig(AppConfig):
    name = "hcoc.web"
    label = "web"
    default = True


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, its site replaced by one behind the site's own login (web/admin_site.py)."""

    default = False
    default_site = "hcoc.web.admin_site.AdminSite"
