"""The registry's forms: a subscription, a circular, a state's new user, a point of contact."""

from django import forms
from django.utils.translation import gettext_lazy

from hcoc.accounts.models import Role
from hcoc.states.models import HcocStatus
from hcoc.states.selectors import state_list
from hcoc.ui.forms import IsoDateField, ProblemsForm


class SubscriptionForm(ProblemsForm):
    iso3 = forms.ChoiceField(label=gettext_lazy("State"))
    note_reference = forms.CharField(
        label=gettext_lazy("Reference of the diplomatic note"), max_length=200, required=False
    )
    note_received_on = IsoDateField(label=gettext_lazy("Note received on"))
    effective_on = IsoDateField(label=gettext_lazy("Subscription effective on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["iso3"].choices = [("", "—")] + [
            (s["iso3"], f"{s['name']} ({s['iso3']}): {HcocStatus(s['status']).label}")
            for s in sorted(state_list(), key=lambda s: s["name"])
            if s["status"] != HcocStatus.SUBSCRIBING
        ]


class UserForm(ProblemsForm):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    state = forms.ChoiceField(label=gettext_lazy("State"))
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[(Role.SUBMITTER, Role.SUBMITTER.label), (Role.READER, Role.READER.label)],
    )
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "—")] + [
            (s["iso3"], f"{s['name']} ({s['iso3']})")
            for s in sorted(state_list(), key=lambda s: s["name"])
        ]


class CircularForm(ProblemsForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": 5000}),
        help_text=gettext_lazy("At most 5,000 characters. Every subscribing state receives it."),
    )


class ContactForm(ProblemsForm):
    """A point of contact; the service (registry.services.contact_add / contact_change) judges
    it, and its problems come back on these fields."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        help_text=gettext_lazy("A person, or an office's title."),
    )
    organisation = forms.CharField(
        label=gettext_lazy("Office or organisation"), max_length=200, required=False
    )
    email = forms.CharField(
        label=gettext_lazy("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("Digits, spaces, a leading + and ( ) - . / (like +43 1 53115-0)."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


class IccContactForm(ContactForm):
    """The ICC adds a point of contact to any state of the registry."""

    state = forms.ChoiceField(label=gettext_lazy("State"))
    field_order = ["state", "name", "organisation", "email", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "—")] + [
            (s["iso3"], f"{s['name']} ({s['iso3']})")
            for s in sorted(state_list(), key=lambda s: s["name"])
        ]
