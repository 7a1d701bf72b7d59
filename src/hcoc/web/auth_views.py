"""Login (password, then a TOTP code where the user has enrolled one), lockout, logout, and
two-factor enrolment. Two-factor is optional for state users and required for the ICC console."""

from base64 import b32encode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from hcoc.accounts.models import User
from hcoc.accounts.services import (
    login_failure_record,
    login_success_record,
    totp_confirm,
    totp_disable,
    totp_pending_for,
)
from hcoc.lib.errors import DomainError


class LoginForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)
    code = forms.CharField(
        label=gettext_lazy("Two-factor code"),
        required=False,
        max_length=10,
        help_text=gettext_lazy(
            "The 6-digit code of your authenticator app, if you have enrolled one."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["username"]
        known = User.objects.filter(username=name).first()
        if known and known.locked_until and known.locked_until > timezone.now():
            form.add_error(
                None,
                _("Too many failed attempts: this account is locked for a while. Try again later."),
            )
        else:
            user = authenticate(request, username=name, password=form.cleaned_data["password"])
            device = None
            if user is not None and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                device = (
                    match_token(user, form.cleaned_data["code"].strip())
                    if form.cleaned_data["code"]
                    else None
                )
                if device is None:
                    form.add_error("code", _("Enter the current code of your authenticator app."))
                    login_failure_record(user=user)
                    user = None
            elif user is None:
                form.add_error(None, _("Wrong username or password."))
                login_failure_record(user=known)
            if user is not None:
                login_success_record(user=user)
                login(request, user)
                if device is not None:
                    otp_login(request, device)
                target = request.GET.get("next", "/")
                if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                    target = "/"
                return redirect(target)
    return render(request, "web/login.html", {"form": form})


@require_POST
def logout_view(request):
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


class ConfirmForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from your authenticator app"), max_length=10)


def _qr_svg(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return img.to_string(encoding="unicode")


@login_required
def two_factor(request):
    """Enrol a TOTP device: scan the QR code (or type the key), confirm with a code."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    pending = None if confirmed else totp_pending_for(user=user)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "disable" and confirmed:
        try:
            totp_disable(user=user)
        except DomainError:
            messages.error(request, _("ICC users must keep two-factor authentication."))
        else:
            messages.info(request, _("Two-factor authentication is off."))
        return redirect("web:two_factor")
    if request.method == "POST" and pending and form.is_valid():
        if totp_confirm(device=pending, code=form.cleaned_data["code"]):
            otp_login(request, pending)
            messages.info(
                request, _("Two-factor authentication is on. From now on, log in with a code.")
            )
            return redirect("web:account")
        form.add_error(
            "code", _("That code does not match. Check your device's clock and try again.")
        )
    context = {"confirmed": confirmed, "form": form}
    if pending and not confirmed:
        context["qr_svg"] = _qr_svg(pending.config_url)
        context["secret"] = b32encode(pending.bin_key).decode()
    return render(request, "web/two_factor.html", context)
