from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, User
from .services import token_create, token_revoke


@admin.register(User)
class HcocUserAdmin(UserAdmin):
    list_display = ("username", "state", "role", "is_active", "is_staff")
    list_filter = ("role", "is_active", "state")
    fieldsets = (*UserAdmin.fieldsets, ("HCoC", {"fields": ("state", "role")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("HCoC", {"fields": ("state", "role")}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created through the service: the raw token is shown once, only its hash kept."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    fields = ("user", "name")
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None

    def save_model(self, request, obj, form, change):
        token, raw = token_create(user=obj.user, name=obj.name)
        obj.pk = token.pk
        messages.warning(
            request, f"New token for {obj.user.username} (shown once, copy it now): {raw}"
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token)
