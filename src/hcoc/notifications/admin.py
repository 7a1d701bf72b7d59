from django.contrib import admin

from hcoc.exchange.admin import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "state",
        "category",
        "generic_class",
        "window_opens",
        "stored_status",
        "current_version",
    )
    list_filter = ("category", "stored_status", "imported")
    search_fields = ("reference",)
