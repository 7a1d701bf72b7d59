from django.contrib import admin

from hcoc.exchange.admin import ReadOnlyAdmin

from .models import DeadlineExtension, Declaration, DeclarationDeadline, Reminder


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ("state", "year", "current_version", "first_submitted_at")
    list_filter = ("year",)


@admin.register(DeclarationDeadline)
class DeclarationDeadlineAdmin(admin.ModelAdmin):
    list_display = ("year", "due_on")


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdmin):
    """Granted through the ICC console or the API (services check and record them)."""

    list_display = ("state", "year", "due_on", "reason", "granted_at", "granted_by")
    list_filter = ("year",)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("state", "year", "kind", "due_on", "sent_at", "recipients")
    list_filter = ("year", "kind")
