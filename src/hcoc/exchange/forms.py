"""The inbox's filters, read from the query string (they survive paging, as links carry them)."""

from contextlib import suppress
from datetime import UTC, datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from hcoc.ui.forms import IsoDateField

from .models import EventKind

SHOW_CHOICES = [("", _("not yet acknowledged")), ("all", _("all"))]


def _kind_choices():
    return [("", _("any"))] + [(k.value, k.label.capitalize()) for k in EventKind]


class InboxFilterForm(forms.Form):
    """Every field optional; an invalid value is shown on its field, named, and the page lists
    nothing until it is fixed (never a 500, never a silently wider list)."""

    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=SHOW_CHOICES,
        error_messages={"invalid_choice": _("Choose “not yet acknowledged” or “all”.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=_kind_choices,
        error_messages={"invalid_choice": _("“%(value)s” is not a kind of item: choose one.")},
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a state of the registry.")},
    )
    since = IsoDateField(
        label=_("From (UTC date)"),
        required=False,
        error_messages={"invalid": _("Give a date as YYYY-MM-DD (ISO 8601), e.g. 2026-12-10.")},
    )
    until = IsoDateField(
        label=_("To (UTC date, included)"),
        required=False,
        error_messages={"invalid": _("Give a date as YYYY-MM-DD (ISO 8601), e.g. 2026-12-10.")},
    )
    concerns = forms.ChoiceField(
        label=_("Only items that concern your territory"),
        required=False,
        choices=[("", _("no")), ("mine", _("yes"))],
        error_messages={"invalid_choice": _("Choose “yes” or “no”.")},
    )

    def __init__(self, data, *, states: list[dict]):
        super().__init__(data)
        self.fields["state"].choices = [("", _("any"))] + [(s["iso3"], s["name"]) for s in states]

    def clean(self):
        d = super().clean()
        if d.get("since") and d.get("until") and d["since"] > d["until"]:
            self.add_error("until", _("The end date comes before the start date."))
        return d

    def problems(self) -> list[str]:
        """Each problem as a sentence naming its field by its label."""
        return [
            f"{self.fields[name].label}: {message}" if name in self.fields else str(message)
            for name, messages in self.errors.items()
            for message in messages
        ]

    def selector_args(self) -> dict:
        """The selector's filters (call once the form is valid)."""
        d = self.cleaned_data
        args = {
            "with_acknowledged": d.get("show") == "all",
            "concerning_me": d.get("concerns") == "mine",
            "kind": d.get("kind") or None,
            "state": d.get("state") or None,
        }
        if d.get("since"):
            args["since"] = datetime.combine(d["since"], time.min, tzinfo=UTC)
        if d.get("until"):
            with suppress(OverflowError):  # the whole last day; none comes after 9999-12-31
                args["until"] = datetime.combine(d["until"] + timedelta(days=1), time.min, UTC)
        return args
