"""/log: the transparency log for people (the current checkpoint, who cosigned, the keys, the
latest entries, how to check it all independently); /log/keys: the ICC's registry of keys."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hcoc.lib.errors import DomainError, InvalidInput, NotFound
from hcoc.ui.pages import exchange_page, icc_page, refused

from . import selectors, services
from .forms import CustodialForm, KeyRegistrationForm, KeyRevocationForm
from .models import StateKey


@exchange_page
def log(request):
    overview = selectors.log_overview_for(actor=request.user)
    # The commands people copy name the address they reached this page on (host and port of
    # the request), not a configured default that may be another port or machine.
    overview["site_url"] = request.build_absolute_uri("/").rstrip("/")
    return render(request, "ledger/log.html", overview)


def _problems_on(form: forms.Form, exc: InvalidInput) -> None:
    for p in exc.errors or []:
        form.add_error(p.field if p.field in form.fields else None, p.message)


@icc_page
def keys(request):
    """Register a state's key (and, from the same page, revoke one or create a custodial key)."""
    form = KeyRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key = services.key_register(
                actor=request.user,
                state_iso3=data["state"].upper(),
                key_id=data["key_id"],
                public_key=data["public_key"],
            )
        except InvalidInput as e:
            _problems_on(form, e)
        except DomainError as e:
            return refused(request, e)
        else:
            messages.success(
                request,
                _("Key %(key)s registered for %(state)s; the registration is in the log.")
                % {"key": key.key_id, "state": key.state_id},
            )
            return redirect("ledger:keys")
    return render(
        request,
        "ledger/keys.html",
        {
            "form": form,
            "revoke": KeyRevocationForm(),
            "custodial": CustodialForm(),
            "keys": StateKey.objects.order_by("state_id", "key_id"),
        },
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@icc_page
def key_revoke(request, key_id: str):
    key = StateKey.objects.filter(key_id=key_id).first()
    form = KeyRevocationForm(request.POST)
    if key is None:
        return refused(request, NotFound(f"No key {key_id}."))
    if not form.is_valid():
        messages.error(request, _("Say why the key is revoked."))
        return redirect("ledger:keys")
    try:
        services.key_revoke(
            actor=request.user,
            state_iso3=key.state_id,
            key_id=key_id,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as e:
        messages.error(request, e.detail)
    else:
        messages.success(request, _("Key %(key)s revoked from now on.") % {"key": key_id})
    return redirect("ledger:keys")


@require_POST
@icc_page
def custodial(request):
    form = CustodialForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name the state."))
        return redirect("ledger:keys")
    try:
        key = services.custodial_key_create(
            actor=request.user, state_iso3=form.cleaned_data["state"].upper()
        )
    except DomainError as e:
        messages.error(request, e.detail)
    else:
        messages.success(request, _("Custodial key %(key)s created.") % {"key": key.key_id})
    return redirect("ledger:keys")
