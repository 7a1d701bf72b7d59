from django import forms
from django.utils.translation import gettext_lazy as _


class KeyRegistrationForm(forms.Form):
    state = forms.CharField(label=_("State (ISO3)"), max_length=3)
    key_id = forms.CharField(
        label=_("Key id"),
        max_length=64,
        help_text=_("The state's code, '-', then a name: FRA-2026-1"),
    )
    public_key = forms.CharField(
        label=_("Public key"),
        max_length=100,
        help_text=_("Base64 of the 32-byte Ed25519 public key (what `hcoc keygen` prints)."),
    )


class KeyRevocationForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CustodialForm(forms.Form):
    state = forms.CharField(label=_("State (ISO3)"), max_length=3)
