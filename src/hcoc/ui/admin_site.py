"""The admin behind the site's own login: one login path, one lockout, the same second factor.

Django's admin has a login form of its own (a password alone, no lockout). Here its login *is*
the site's login view (`hcoc.accounts.views.login_view`: lockout, then the TOTP code), and every admin page
needs a session that passed the second factor. So the admin is no side door to the console's
powers (deleting the ICC's device, making tokens): whoever gets in got in the one way.
"""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from hcoc.accounts.views import login_view


class AdminSite(admin.AdminSite):
    site_header = "HCoC Exchange administration"
    site_title = "HCoC Exchange admin"

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and request.user.is_verified()

    def login(self, request, extra_context=None):
        user = request.user
        if request.method == "GET" and self.has_permission(request):
            return redirect(reverse("admin:index", current_app=self.name))
        if (
            user.is_authenticated
            and not user.is_verified()
            and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        ):
            # Logged in with a password, no device to pass: enrol one first (as the console asks).
            return redirect("accounts:two_factor")
        return login_view(request, default_next=reverse("admin:index", current_app=self.name))
