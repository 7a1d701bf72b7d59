"""The account pages: log in (password, then a TOTP code where the user has enrolled one),
lockout, log out, two-factor enrolment, one's own API tokens, and setting one's password from an
enrolment link. Two-factor is optional for state users and required for the ICC console.

These pages need to know who the user is, nothing of the exchange: they use Django's own
decorators (the ICC's management of states' users is hcoc.registry's).
"""

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from hcoc.lib.errors import DomainError, InvalidInput

from . import devices
from .forms import ConfirmForm, EnrolForm, LoginForm
from .models import User
from .selectors import state_users_for
from .services import (
    enrolment_complete,
    enrolment_user,
    login_attempt_begin,
    login_success_record,
    token_issue,
    token_revoke,
    totp_confirm,
    totp_disable,
    totp_pending_for,
    user_language_set,
)


def safe_next(request, target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site (`/inbox?kind=x`), else `fallback`: a `next`
    parameter never sends anyone to another site (open redirect), and is never taken for a
    view's name (redirect("x") would try to reverse it: a 500). Callers redirect to the path."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


@never_cache
def login_view(request, default_next: str = "/"):
    """The one way in, for the pages and the admin alike (hcoc.ui.admin_site): each attempt is
    counted before its password is checked, so a locked-out attempt's password is never
    checked. A browser that logged in as the user before is counted apart from all others
    (hcoc.accounts.devices): strangers' failures never lock the owner's browsers out."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["username"]
        known = User.objects.filter(username=name).first()
        device = devices.device_of(request, known) if known is not None else None
        if known is not None and not login_attempt_begin(user=known, device=device):
            form.add_error(
                None,
                _("Too many failed attempts: this account is locked for a while. Try again later.")
                + " "
                + (
                    _("This browser made them; others are not locked.")
                    if device is not None
                    else _("A browser you have logged in with before is not locked.")
                ),
            )
        else:
            user = authenticate(request, username=name, password=form.cleaned_data["password"])
            otp_device = None
            if user is not None and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                otp_device = (
                    match_token(user, form.cleaned_data["code"].strip())
                    if form.cleaned_data["code"]
                    else None
                )
                if otp_device is None:  # a failure, already counted by login_attempt_begin
                    form.add_error("code", _("Enter the current code of your authenticator app."))
                    user = None
            elif user is None:
                form.add_error(None, _("Wrong username or password."))
            if user is not None:
                browser = login_success_record(user=user, device=device)
                login(request, user)
                if otp_device is not None:
                    otp_login(request, otp_device)
                response = HttpResponseRedirect(
                    safe_next(request, request.GET.get("next"), default_next)
                )
                devices.remember(response, browser)
                return response
    return render(request, "accounts/login.html", {"form": form})


@require_POST
def language_view(request):
    """The language switch on every page (ui/base.html): the chosen language sticks to the
    user (stored on them) and, for anyone, to the browser (a cookie); then back to the page."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Choose one of the languages offered."))
        return HttpResponseRedirect(safe_next(request, request.POST.get("next"), "/"))
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next"), "/"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
    return response


@require_POST
def logout_view(request):
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _qr_svg(url: str) -> str:
    # Imported here, not at the top: the admin site imports this module, so every process that
    # sets Django up did, and qrcode brings Pillow and lxml (0.02 CPU-s) for one page's image.
    import qrcode  # noqa: PLC0415
    import qrcode.image.svg  # noqa: PLC0415

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
        return redirect("accounts:two_factor")
    if request.method == "POST" and pending and form.is_valid():
        if totp_confirm(device=pending, code=form.cleaned_data["code"]):
            otp_login(request, pending)
            messages.info(
                request, _("Two-factor authentication is on. From now on, log in with a code.")
            )
            return redirect("accounts:account")
        form.add_error(
            "code", _("That code does not match. Check your device's clock and try again.")
        )
    context = {"confirmed": confirmed, "form": form}
    if pending and not confirmed:
        context["qr_svg"] = _qr_svg(pending.config_url)
        context["secret"] = b32encode(pending.bin_key).decode()
    return render(request, "accounts/two_factor.html", context)


# ---- enrolment: the person a user was made for sets its password ------------------------------


@never_cache  # the link's secret is in the address
def enrol(request, token: str):
    """Set the password of the user this link was made for; the link then stops working. The
    person then logs in, may turn on two-factor, and makes its own API tokens on /account."""
    person = enrolment_user(token)
    if person is None:
        return render(request, "accounts/enrol.html", {"invalid": True}, status=404)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_complete(raw=token, password=form.cleaned_data["password"])
        except InvalidInput as e:
            for p in e.errors:
                form.add_error("password", p.message)
        except DomainError:
            return render(request, "accounts/enrol.html", {"invalid": True}, status=404)
        else:
            logout(request)  # whoever was logged in here, the person now logs in as themself
            messages.success(
                request,
                _(
                    "Your password is set. Log in; then you can turn on two-factor "
                    "authentication and make API tokens on your account page."
                ),
            )
            return redirect("accounts:login")
    return render(request, "accounts/enrol.html", {"form": form, "person": person})


# ---- one's own account: its API tokens --------------------------------------------------------


@never_cache  # shows a new token, once
@login_required
def account(request):
    return render(
        request,
        "accounts/account.html",
        {
            "tokens": request.user.api_tokens.all(),
            "two_factor": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
            "new_token": request.session.pop("new_token", None),
            # Every user who can act for one's state: a user the state did not ask for (made
            # by the relay, which then enrolled it itself) shows here (issue 22).
            "state_users": state_users_for(actor=request.user) if request.user.state_id else None,
        },
    )


@require_POST
@login_required
def token_new(request):
    name = (request.POST.get("name") or "").strip()[:100]
    try:
        _, raw = token_issue(
            actor=request.user,
            user=request.user,
            name=name,
            second_factor_passed=request.user.is_verified(),
        )
    except DomainError as e:
        messages.error(request, e.detail)
        return redirect("accounts:two_factor")
    # Shown once, on the next page view, then gone from the session.
    request.session["new_token"] = raw
    return redirect("accounts:account")


@require_POST
@login_required
def token_revoke_view(request, token_id: int):
    token = request.user.api_tokens.filter(pk=token_id).first()
    if token is not None:  # only one's own tokens; others' ids do nothing
        token_revoke(token=token)
        messages.info(request, _("Token revoked."))
    return redirect("accounts:account")
