from django import forms
from django.utils.translation import gettext_lazy as _


class RootConfirmationForm(forms.Form):
    """The ICC records the diplomatic note in which a state confirmed its root's fingerprint."""

    key_id = forms.ChoiceField(label=_("Root"))
    fingerprint = forms.CharField(
        label=_("Fingerprint, as the note quotes it"),
        max_length=100,
        help_text=_("64 hexadecimal digits; spaces and colons may stay."),
    )
    note_reference = forms.CharField(
        label=_("Reference of the note"),
        max_length=200,
        help_text=_("As the note is registered, e.g. Note verbale No. 123/2026 of 1 December 2026"),
    )


class BrowserKeyForm(forms.Form):
    """What the state's key custodian sends back: the JSON `hcoc key certify` prints."""

    certified = forms.CharField(
        label=_("The certified key, as your state's key custodian sent it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The text `hcoc key certify` printed, from { to }."),
    )


# The fields of the certified key (`hcoc key certify`'s JSON) in words, for its problems: people
# read "Certifying root: must be France's root, FRA-root-1", never "certified_by: ...".
CERTIFIED_LABELS = {
    "key_id": _("Key identifier"),
    "kind": _("Kind of key"),
    "public_key": _("Public key"),
    "user": _("User"),
    "certified_by": _("Certifying root"),
    "certificate": _("Root's certificate"),
    "state": _("State"),
}
