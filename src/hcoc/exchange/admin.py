from django.contrib import admin

from .models import Acknowledgement, Event


class ReadOnlyAdmin(admin.ModelAdmin):
    """The exchange is written only by its services; the admin shows it and changes nothing."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "kind", "at", "state", "subject", "version")
    list_filter = ("kind",)
    search_fields = ("subject",)


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("event", "state", "user", "at")
    list_filter = ("state",)
