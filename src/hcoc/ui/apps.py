from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext, ngettext

from hcoc.lib import marking


class UiConfig(AppConfig):
    """The kit of the exchange's two interfaces, which imports no domain app: the API's doors
    and problem answers, and the pages' decorators, form problems, template tags and base
    templates. Every app's api.py and views.py build on it."""

    name = "hcoc.ui"
    label = "ui"

    def ready(self):
        # lib's own messages (plausibility rules, durations) in the reader's language: lib runs
        # without Django, so the kit hands it Django's translators (hcoc.lib.marking).
        marking.translate_with(gettext=gettext, ngettext=ngettext)


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, its site replaced by one behind the site's own login (ui/admin_site.py).
    Listed in INSTALLED_APPS in place of django.contrib.admin."""

    default = False
    default_site = "hcoc.ui.admin_site.AdminSite"
