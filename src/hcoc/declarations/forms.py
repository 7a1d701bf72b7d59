"""The annual-declaration form: page fields <-> the API body (DeclarationIn).

The form itself checks nothing: every value goes to the API's schema and rules, and their problems
(by API field path, e.g. `ballistic_missiles.launches[0].count`) are put back on the field they
came from, so people see exactly the messages the API gives.
"""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from hcoc.lib.vocabulary import GENERIC_CLASSES
from hcoc.sites.selectors import launch_sites_of
from hcoc.states.models import HcocStatus
from hcoc.states.selectors import state_list
from hcoc.ui.forms import IsoDateField, ProblemsForm

from .rules import FIRST_YEAR, SECTION_CATEGORY

PREFIX = {"ballistic_missiles": "bm", "space_launch_vehicles": "slv"}
SECTION_LABEL = {
    "ballistic_missiles": _("Ballistic missiles"),
    "space_launch_vehicles": _("Space launch vehicles"),
}
OBSERVER_CHOICES = [("", _("not stated")), ("yes", _("yes")), ("no", _("no"))]


def classes_of(category: str) -> list[str]:
    return [c for c, (cat, _definition) in GENERIC_CLASSES.items() if cat == category]


def year_choices() -> list[tuple[str, str]]:
    return [(str(y), str(y)) for y in range(timezone.now().year - 1, FIRST_YEAR - 1, -1)]


def _number_or_raw(text: str):
    """An integer where the text is one; otherwise the text itself, for the schema to reject."""
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"[+-]?\d{1,12}", text) else text


class LenientMultiple(forms.Field):
    """Checkboxes that keep any value posted: unknown sites are the API's rules to report, and
    another state's sites the page's (rules.foreign_sites)."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        return [str(v) for v in value] if value else []


class DeclarationForm(ProblemsForm):
    year = forms.CharField(label=_("Year covered"), widget=forms.Select)
    nil = forms.BooleanField(
        label=_("Nil declaration (no launches in this year)"),
        required=False,
    )
    observers_invites = forms.CharField(
        label=_("Does the state invite observers to its launch sites?"),
        required=False,
        widget=forms.Select(choices=OBSERVER_CHOICES),
    )
    observers_details = forms.CharField(
        label=_("Details for observers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 20000}),
    )
    remarks = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data=None, *, initial=None, behalf_choices=None, system_rows=3, state=None):
        """`state`: the declaring state, whose own launch sites are the choices (none while
        the ICC has not yet named the state it acts for)."""
        super().__init__(data, initial=initial)
        self.state = state
        self.fields["year"].widget.choices = year_choices()
        self.behalf = behalf_choices is not None
        if self.behalf:
            self.fields["on_behalf_of"] = forms.CharField(
                label=_("State this declaration is entered for"),
                required=False,
                widget=forms.Select(choices=[("", "—"), *behalf_choices]),
            )
            self.order_fields(["on_behalf_of"])
        if data is not None:  # as many system rows as were posted, and two blank ones
            posted = [int(m) for m in re.findall(r"^bm_system_(\d+)_", "\n".join(data), re.M)]
            system_rows = max(system_rows, max(posted, default=-1) + 1)
        self.system_rows = system_rows
        for section, prefix in PREFIX.items():
            category = SECTION_CATEGORY[section]
            label = SECTION_LABEL[section]
            self.fields[f"{prefix}_policy"] = forms.CharField(
                label=_("%(section)s: national policy") % {"section": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "maxlength": 20000}),
            )
            self.fields[f"{prefix}_sites"] = LenientMultiple(
                label=_("%(section)s: launch sites") % {"section": label},
                required=False,
                widget=forms.CheckboxSelectMultiple(
                    choices=[
                        (sid, f"{name} ({sid})")
                        for sid, name in (
                            launch_sites_of(state=state, category=category) if state else []
                        )
                    ]
                ),
            )
            if section == "ballistic_missiles":
                for i in range(system_rows):
                    self.fields[f"bm_system_{i}_class"] = forms.CharField(
                        label=_("System %(n)d: generic class") % {"n": i + 1},
                        required=False,
                        widget=forms.Select(
                            choices=[("", "—")] + [(c, c) for c in classes_of(category)]
                        ),
                    )
                    self.fields[f"bm_system_{i}_name"] = forms.CharField(
                        label=_("System %(n)d: name") % {"n": i + 1},
                        required=False,
                        widget=forms.TextInput(attrs={"maxlength": 200}),
                    )
            for c in classes_of(category):
                self.fields[f"{prefix}_count_{c}"] = forms.CharField(
                    label=_("Launches of class %(cls)s") % {"cls": c},
                    required=False,
                    help_text=GENERIC_CLASSES[c][1],
                    widget=forms.NumberInput(attrs={"min": 0, "step": 1, "class": "num"}),
                )
        self.paths: dict[str, str] = {}

    # ---- layout helpers for the template -------------------------------------------------
    def sections(self) -> list[dict]:
        out = []
        for section, prefix in PREFIX.items():
            category = SECTION_CATEGORY[section]
            out.append(
                {
                    "name": section,
                    "label": SECTION_LABEL[section],
                    "policy": self[f"{prefix}_policy"],
                    "sites": self[f"{prefix}_sites"],
                    "systems": [
                        (self[f"bm_system_{i}_class"], self[f"bm_system_{i}_name"])
                        for i in range(self.system_rows)
                    ]
                    if prefix == "bm"
                    else None,
                    "counts": [self[f"{prefix}_count_{c}"] for c in classes_of(category)],
                    "errors": self.section_errors.get(section, []),
                }
            )
        return out

    @property
    def section_errors(self) -> dict[str, list[str]]:
        return getattr(self, "_section_errors", {})

    # ---- page fields -> API body ------------------------------------------------------------
    def to_body(self) -> dict:
        """The API body from the posted fields; records which field each API path came from."""
        cd = self.cleaned_data
        paths = {"year": "year", "nil": "nil", "remarks": "remarks"}
        body: dict = {"year": _number_or_raw(cd.get("year", "")), "nil": bool(cd.get("nil"))}
        raw_behalf = (self.data.get("on_behalf_of") or "").strip()
        if raw_behalf:  # state users never get the field; if posted anyway the service decides
            body["on_behalf_of"] = raw_behalf
        paths["on_behalf_of"] = "on_behalf_of" if self.behalf else ""
        for section, prefix in PREFIX.items():
            part: dict = {}
            policy = cd.get(f"{prefix}_policy", "")
            sites = cd.get(f"{prefix}_sites") or []
            paths[f"{section}.policy"] = f"{prefix}_policy"
            paths[f"{section}.launch_sites"] = f"{prefix}_sites"
            for i in range(len(sites)):
                paths[f"{section}.launch_sites[{i}]"] = f"{prefix}_sites"
            if prefix == "bm":
                systems = []
                for i in range(self.system_rows):
                    cls = cd.get(f"bm_system_{i}_class", "").strip()
                    name = cd.get(f"bm_system_{i}_name", "").strip()
                    if cls or name:
                        j = len(systems)
                        paths[f"{section}.systems[{j}].generic_class"] = f"bm_system_{i}_class"
                        paths[f"{section}.systems[{j}].name"] = f"bm_system_{i}_name"
                        paths[f"{section}.systems[{j}]"] = f"bm_system_{i}_class"
                        systems.append({"generic_class": cls, "name": name or None})
                if systems:
                    part["systems"] = systems
            launches = []
            for c in classes_of(SECTION_CATEGORY[section]):
                field = f"{prefix}_count_{c}"
                value = cd.get(field, "").strip()
                if value:
                    j = len(launches)
                    for suffix in ("", ".count", ".generic_class"):
                        paths[f"{section}.launches[{j}]{suffix}"] = field
                    launches.append({"generic_class": c, "count": _number_or_raw(value)})
            if policy or sites or launches or part:
                part.update(
                    policy=policy,
                    launch_sites=[{"site_id": s} for s in sites],
                    launches=launches,
                )
                body[section] = part
        invites, details = cd.get("observers_invites", ""), cd.get("observers_details", "")
        if invites or details:
            observers: dict = {"details": details or None}
            if invites in ("yes", "no"):
                observers["invites"] = invites == "yes"
            elif invites:
                observers["invites"] = invites  # for the schema to reject
            body["observers"] = observers
            paths["observers.invites"] = "observers_invites"
            paths["observers"] = "observers_invites"
            paths["observers.details"] = "observers_details"
        body["remarks"] = cd.get("remarks", "")
        self.paths = paths
        return body

    def add_problems(self, problems: dict[str, list[str]]) -> None:
        """Put the API's problems on the fields they came from; a whole section's above it; the
        rest above the form."""
        self._section_errors: dict[str, list[str]] = {}
        super().add_problems(problems)

    def add_problem_elsewhere(self, path: str, message: str) -> None:
        if path in PREFIX:
            self._section_errors.setdefault(path, []).append(message)
        else:
            super().add_problem_elsewhere(path, message)

    def problem_labels(self) -> dict[str, str]:
        """API path -> the label of the field that shows it, and the sections' names."""
        labels = super().problem_labels()
        for path, name in getattr(self, "paths", {}).items():
            if name in self.fields:
                labels[path] = str(self.fields[name].label or name)
        labels["ballistic_missiles"] = str(_("Ballistic missiles"))
        labels["space_launch_vehicles"] = str(_("Space launch vehicles"))
        return labels

    def field_for(self, path: str) -> str:
        while path:
            if path in self.paths:
                return self.paths[path] if self.paths[path] in self.fields else ""
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return ""


def initial_from(content: dict) -> tuple[dict, int]:
    """Form values from a declaration's content (to start a new version from the current one),
    and the number of system rows to show."""
    initial: dict = {
        "year": str(content.get("year", "")),
        "nil": bool(content.get("nil")),
        "remarks": content.get("remarks") or "",
    }
    observers = content.get("observers") or {}
    if observers:
        initial["observers_invites"] = "yes" if observers.get("invites") else "no"
        initial["observers_details"] = observers.get("details") or ""
    systems: list = []
    for section, prefix in PREFIX.items():
        part = content.get(section) or {}
        initial[f"{prefix}_policy"] = part.get("policy", "")
        initial[f"{prefix}_sites"] = [s["site_id"] for s in part.get("launch_sites", [])]
        for row in part.get("launches", []):
            initial[f"{prefix}_count_{row['generic_class']}"] = str(row["count"])
        if prefix == "bm":
            systems = part.get("systems", [])
            for i, s in enumerate(systems):
                initial[f"bm_system_{i}_class"] = s.get("generic_class", "")
                initial[f"bm_system_{i}_name"] = s.get("name") or ""
    return initial, max(3, len(systems) + 2)


# ---- the ICC's deadlines -------------------------------------------------------------------


class DeadlineForm(ProblemsForm):
    year = forms.IntegerField(label=gettext_lazy("Declarations covering the year"), min_value=2002)
    due_on = IsoDateField(label=gettext_lazy("Due on"))


class ExtensionForm(ProblemsForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2002)
    state = forms.ChoiceField(label=gettext_lazy("State"))
    due_on = IsoDateField(label=gettext_lazy("New due date"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "—")] + [
            (s["iso3"], f"{s['name']} ({s['iso3']})")
            for s in sorted(state_list(), key=lambda s: s["name"])
            if s["status"] == HcocStatus.SUBSCRIBING
        ]
