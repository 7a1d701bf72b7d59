"""/log: the transparency log for people (the current checkpoint, who cosigned, the keys, the
latest entries, how to check it all independently); /log/keys: the states' keys, where the ICC
records the notes that confirm roots; /log/signing: a state's user sets up signing in a browser."""

import json

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hcoc.lib.errors import InvalidInput
from hcoc.states.names import names_of
from hcoc.ui.forms import label_for
from hcoc.ui.pages import exchange_page, icc_page, refusing

from . import selectors, services
from .forms import CERTIFIED_LABELS, BrowserKeyForm, RootConfirmationForm
from .models import KeyKind, StateKey


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
@refusing
def keys(request):
    """The states' keys as the log recorded them, and the one thing the ICC does with them:
    record the diplomatic note in which a state confirmed its root's fingerprint."""
    roots = StateKey.objects.filter(kind=KeyKind.ROOT, revoked_at__isnull=True, note_reference="")
    form = RootConfirmationForm(request.POST or None)
    names = names_of({k.state_id for k in roots})  # in the reader's language (CLDR)
    form.fields["key_id"].choices = [
        (k.key_id, f"{names.get(k.state_id, k.state_id)}: {k.key_id}")
        for k in roots.order_by("state_id")
    ]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = roots.filter(key_id=data["key_id"]).first()
        try:
            services.root_confirm(
                actor=request.user,
                state_iso3=key.state_id if key else "",
                key_id=data["key_id"],
                fingerprint=data["fingerprint"],
                note_reference=data["note_reference"],
            )
        except InvalidInput as e:
            _problems_on(form, e)
        else:
            messages.success(
                request,
                _("The note is recorded in the log: every state sees that %(key)s is confirmed.")
                % {"key": data["key_id"]},
            )
            return redirect("ledger:keys")
    return render(
        request,
        "ledger/keys.html",
        {"form": form, "keys": selectors.keys_listed()},
        status=422 if request.method == "POST" else 200,
    )


@exchange_page
@refusing
def signing(request):
    """A state's user sets up signing in this browser: the browser makes the key, the state's
    key custodian certifies it with the root, and the user registers the certified key here."""
    user = request.user
    if not user.state_id:
        return render(request, "ui/forbidden.html", status=403)
    form = BrowserKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certified = json.loads(form.cleaned_data["certified"])
            if not isinstance(certified, dict):
                raise ValueError
        except ValueError:
            form.add_error("certified", _("This is not the text `hcoc key certify` printed."))
        else:
            try:
                key = services.credential_register(
                    actor=user,
                    state_iso3=user.state_id,
                    key_id=str(certified.get("key_id", "")),
                    kind=str(certified.get("kind", "")),
                    public_key=str(certified.get("public_key", "")),
                    user=str(certified.get("user", "")),
                    certified_by=str(certified.get("certified_by", "")),
                    certificate=str(certified.get("certificate", "")),
                )
            except InvalidInput as e:
                for p in e.errors or []:
                    label = label_for(p.field, CERTIFIED_LABELS)
                    form.add_error(
                        "certified",
                        _("%(label)s: %(value)s") % {"label": label, "value": p.message},
                    )
            else:
                messages.success(
                    request,
                    _(
                        "Key %(key)s is registered: from now on, what you send from this browser "
                        "is signed by it."
                    )
                    % {"key": key.key_id},
                )
                return redirect("ledger:signing")
    return render(
        request,
        "ledger/signing.html",
        {"form": form, **selectors.signing_overview(user)},
        status=422 if request.method == "POST" else 200,
    )
