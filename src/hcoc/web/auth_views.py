"""Login (password, then a TOTP code where the user has enrolled one), lockout, logout, and
two-factor enrolment. Two-factor is optional for state users and required for the ICC console."""

from base64 import b32encode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from hcoc.accounts.models import User
from hcoc.accounts.services import (
    PASSWORD_MIN_LENGTH,
    enrolment_complete,
    enrolment_user,
    login_attempt_begin,
    login_success_record,
    totp_confirm,
    totp_disable,
    totp_pending_for,
)
from hcoc.lib.errors import DomainError, InvalidInput


def safe_next(request, target: str | None, fallback: str) -> str:
    """`target` when it is a page of this site, else `fallback`: a `next` parameter never sends
    anyone to another site (open redirect)."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


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


@never_cache
def login_view(request, default_next: str = "/"):
    """The one way in, for the pages and the admin alike (web/admin_site.py): each attempt is
    counted before its password is checked, so a locked account's password is never checked."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["username"]
        known = User.objects.filter(username=name).first()
        if known is not None and not login_attempt_begin(user=known):
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
                if device is None:  # a failure, already counted by login_attempt_begin
                    form.add_error("code", _("Enter the current code of your authenticator app."))
                    user = None
            elif user is None:
                form.add_error(None, _("Wrong username or password."))
            if user is not None:
                login_success_record(user=user)
                login(request, user)
                if device is not None:
                    otp_login(request, device)
                return redirect(safe_next(request, request.GET.get("next"), default_next))
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


@never_cache  # shows the new key and its QR code
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


# ---- enrolment: the person a user was made for sets its password ------------------------------


class EnrolForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("New password"),
        min_length=PASSWORD_MIN_LENGTH,
        max_length=200,
        strip=False,
        help_text=gettext_lazy("At least 12 characters. Only you will know it."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=gettext_lazy("The same password again"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


@never_cache  # the link's secret is in the address
def enrol(request, token: str):
    """Set the password of the user this link was made for; the link then stops working. The
    person then logs in, may turn on two-factor, and makes its own API tokens on /account."""
    person = enrolment_user(token)
    if person is None:
        return render(request, "web/enrol.html", {"invalid": True}, status=404)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_complete(raw=token, password=form.cleaned_data["password"])
        except InvalidInput as e:
            for p in e.errors:
                form.add_error("password", p.message)
        except DomainError:
            return render(request, "web/enrol.html", {"invalid": True}, status=404)
        else:
            logout(request)  # whoever was logged in here, the person now logs in as themself
            messages.success(
                request,
                _(
                    "Your password is set. Log in; then you can turn on two-factor "
                    "authentication and make API tokens on your account page."
                ),
            )
            return redirect("web:login")
    return render(request, "web/enrol.html", {"form": form, "person": person})
