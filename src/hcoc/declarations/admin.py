from django.contrib import admin

from hcoc.exchange.admin import ReadOnlyAdmin

from .models import Declaration, DeclarationDeadline


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ("state", "year", "current_version", "first_submitted_at")
    list_filter = ("year",)


@admin.register(DeclarationDeadline)
class DeclarationDeadlineAdmin(admin.ModelAdmin):
    list_display = ("year", "due_on")
