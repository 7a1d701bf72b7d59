"""Invitation and reply forms: page fields <-> the API bodies (InvitationIn, ReplyIn).

The forms check nothing themselves: the API's schemas and rules judge every value, and their
problems (by API field path, e.g. `named_states[1]`) are put back on the field they came from.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from hcoc.lib.numbers import whole_number
from hcoc.sites.models import LaunchSite
from hcoc.ui.forms import DATE_HINT, IsoDateInput, ProblemsForm

DATE = IsoDateInput()


class InvitationForm(ProblemsForm):
    site_id = forms.CharField(label=_("Launch site"), widget=forms.Select)
    opens = forms.CharField(label=_("Observers received from"), widget=DATE, help_text=DATE_HINT)
    closes = forms.CharField(label=_("Until (last day)"), widget=DATE, help_text=DATE_HINT)
    access = forms.CharField(
        label=_("Degree of access"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        help_text=_("What observers may see and where they may go."),
    )
    audience = forms.ChoiceField(
        label=_("Open to"),
        choices=[
            ("all", _("every subscribing state")),
            ("named", _("only the states named below")),
        ],
        widget=forms.RadioSelect,
        initial="all",
    )
    named_states = forms.MultipleChoiceField(
        label=_("States invited"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Only for an invitation to named states: the others will not see it, and the "
            "feed carries only a commitment to it. Hold Ctrl (or Cmd) to choose several."
        ),
    )
    places = forms.CharField(
        label=_("Places for observers"), widget=forms.NumberInput(attrs={"min": 1, "step": 1})
    )
    reply_by = forms.CharField(label=_("Replies by"), widget=DATE, help_text=DATE_HINT)
    remarks = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data=None, *, state: str | None, states, behalf_choices=None, initial=None):
        super().__init__(data, initial=initial)
        self.behalf = behalf_choices is not None
        sites = LaunchSite.objects.order_by("id")
        if state:
            sites = sites.filter(state_id=state)
        self.fields["site_id"].widget.choices = [("", "—")] + [
            (s.id, s.name) for s in sites.order_by("name")
        ]
        self.fields["named_states"].choices = [c for c in states if c[0] != state]
        if self.behalf:
            self.fields["on_behalf_of"] = forms.CharField(
                label=_("Inviting state (the ICC enters this on its behalf)"),
                required=False,
                widget=forms.Select(choices=[("", "—"), *behalf_choices]),
            )
            self.order_fields(["on_behalf_of"])

    def to_body(self) -> dict:
        d = self.data
        places = (d.get("places") or "").strip()
        body = {
            "site_id": d.get("site_id", ""),
            "opens": d.get("opens", ""),
            "closes": d.get("closes", ""),
            "access": d.get("access", ""),
            "audience": d.get("audience", ""),
            "named_states": d.getlist("named_states") if d.get("audience") == "named" else [],
            "places": n if (n := whole_number(places)) is not None else places,
            "reply_by": d.get("reply_by", ""),
            "remarks": d.get("remarks", ""),
        }
        if (d.get("on_behalf_of") or "").strip():
            body["on_behalf_of"] = d["on_behalf_of"].strip()
        return body


class ReplyForm(ProblemsForm):
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[("accept", _("accept")), ("decline", _("decline"))],
        widget=forms.RadioSelect,
    )
    observers = forms.CharField(
        label=_("Observers (one name a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("To accept, name at least one observer; to decline, none."),
    )

    def __init__(self, data=None, *, behalf_choices=None, initial=None):
        super().__init__(data, initial=initial)
        if behalf_choices is not None:
            self.fields["on_behalf_of"] = forms.CharField(
                label=_("Replying state (the ICC enters this on its behalf)"),
                required=False,
                widget=forms.Select(choices=[("", "—"), *behalf_choices]),
            )
            self.order_fields(["on_behalf_of"])

    def to_body(self) -> dict:
        d = self.data
        body = {
            "answer": d.get("answer", ""),
            "observers": [n.strip() for n in (d.get("observers") or "").splitlines() if n.strip()],
        }
        if (d.get("on_behalf_of") or "").strip():
            body["on_behalf_of"] = d["on_behalf_of"].strip()
        return body
