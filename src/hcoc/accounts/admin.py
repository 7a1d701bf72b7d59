"""The admin obeys the same rule as the console: the ICC never makes a state's credentials.

Users of states are created in the ICC console (`/icc/users`), which gives the enrolment link;
a state's user sets its own password and makes its own tokens. Here the ICC may see users,
disable them and revoke tokens; it may make tokens only for itself.

A user's state and role are fixed when it is made: were they editable, the relay could empty an
enrolled state user's state (its password form then opens), set a password, and give the state
back; or give France's state to an ICC user whose password it knows. Either way it would act as
the state. Second-factor devices are listed without their keys and never made here (below).
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django_otp.plugins.otp_totp.models import TOTPDevice

from hcoc.lib.errors import DomainError

from .access import is_state_user, require_own_credentials
from .models import ApiToken, User
from .services import token_issue, token_revoke, totp_device_delete


@admin.register(User)
class HcocUserAdmin(UserAdmin):
    list_display = ("username", "state", "role", "is_active", "is_staff")
    list_filter = ("role", "is_active", "state")
    fieldsets = (*UserAdmin.fieldsets, ("HCoC", {"fields": ("state", "role")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("HCoC", {"fields": ("state", "role")}))

    def get_readonly_fields(self, request, obj=None):
        # Shown, never changed (see the module's docstring); a posted value is ignored. When a
        # user was made and last logged in are what its state reads of it (/account): the relay
        # does not rewrite them either.
        fixed = ("state", "role", "date_joined", "last_login") if obj is not None else ()
        return (*super().get_readonly_fields(request, obj), *fixed)

    def has_delete_permission(self, request, obj=None):
        # A user is disabled, never deleted: deleting a state's user would erase from its state's
        # view (/account) a user the relay may have made and used, and deleting an ICC user would
        # turn "made by the ICC (name)" there into no one (EnrolmentLink.created_by).
        return False

    def delete_queryset(self, request, queryset):
        raise DjangoPermissionDenied("A user is disabled, never deleted.")

    def has_add_permission(self, request):
        # Adding a user here would set its password: a state's user is created in the console
        # (with an enrolment link), an ICC user with `hcoc createsuperuser` or `hcoc user enrol`.
        return False

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, id)
        if user is not None and is_state_user(user):
            try:
                require_own_credentials(request.user, user)
            except DomainError as e:
                raise DjangoPermissionDenied(e.detail) from e
        return super().user_change_password(request, id, form_url)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made through the service (shown once, only the hash kept), and only by their
    own user: here, the admin user for itself. Anyone's token may be revoked."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    fields = ("user", "name")
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        try:
            token, raw = token_issue(
                actor=request.user,
                user=obj.user,
                name=obj.name,
                second_factor_passed=request.user.is_verified(),
            )
        except DomainError as e:
            raise DjangoPermissionDenied(e.detail) from e
        obj.pk = token.pk
        messages.warning(
            request, f"New token for {obj.user.username} (shown once, copy it now): {raw}"
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token)


class TOTPDeviceAdmin(admin.ModelAdmin):
    """Second-factor devices: who has one, its name, when it was last used; never its key.

    django-otp's own admin showed every user's key and QR code and let the admin add a device
    (with a key of its choosing) for anyone: a second factor the relay knows is no second factor.
    Here a device is only listed and may be deleted, so a person who lost its authenticator can
    log in with its own password and enrol a new one itself (an ICC user is made to at its next
    login), a key only that person sees. Deleting hands the relay no secret and no way in: the
    password is still the person's own.
    """

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request, queryset):
        try:
            for device in queryset:
                totp_device_delete(actor=request.user, device=device)
        except DomainError as e:
            raise DjangoPermissionDenied(e.detail) from e


# django-otp registers its own admin (with the keys and their QR pages) when its app loads;
# whichever of the two loads first, this one is the one left.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)
