"""Errors are mapped once: a schema's ValidationError or a service's DomainError becomes a page's
problems here, by the same field paths as the API's problem details, so people see the API's
messages on the right field.

model, problems = validate(PLNIn, body)   # (model, {}) when valid, (None, problems) when not
problems = form_problems(exc, labels)     # {"window.closes": ["must be after “Opens (UTC)”"]}
label_for("planned_direction.azimuth_deg", labels)   # "Planned direction – azimuth"
form.add_problems(problems)               # a ProblemsForm puts them on its fields
result = form.call(service, actor=user, **form.cleaned_data)   # None: its problems are on the form
result, problems = call_with_problems(service, labels, actor=user, ...)   # pages without a form

People never see a field path nor pydantic's wording: problems are keyed by path (so each lands
on its field), their messages are sentences ("must be less than 360°"), and a problem shown away
from its field is named by the form's label for it (`labels`: path -> label, the longest prefix
wins; without one, the path's parts in words). The API keeps its own messages and paths.
"""

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from hcoc.lib.errors import DomainError, InvalidInput
from hcoc.lib.problems import field_path, validation_message
from hcoc.lib.timeutil import (
    DATE_INPUT_PATTERN,
    UTC_INPUT_EXAMPLE,
    parse_date_input,
    parse_utc_input,
    rfc3339,
)

NOT_A_FIELD = ("", "body", "__all__")
Labels = Mapping[str, str]

# Words for the parts of a path a form has no label for.
_PART_WORDS = {
    "lat": gettext_lazy("latitude"),
    "lon": gettext_lazy("longitude"),
    "center": gettext_lazy("centre"),
    "site_id": gettext_lazy("site"),
    "iso3": gettext_lazy("state"),
    "on_behalf_of": gettext_lazy("on behalf of"),
}
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
# A name in a message worth putting in words: a path of the form, or a snake_case identifier.
_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?:\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*)*\b")


def _parts(path: str) -> list[tuple[str, int | None]]:
    """ "impact_areas[2].center.lat" -> [("impact_areas", 2), ("center", None), ("lat", None)]."""
    out: list[tuple[str, int | None]] = []
    for name, index in _PART.findall(path):
        if name:
            out.append((name, None))
        elif out:
            out[-1] = (out[-1][0], int(index))
    return out


def _words(name: str) -> str:
    if name in _PART_WORDS:
        return str(_PART_WORDS[name])
    word = name
    for unit, shown in (("_deg", " (°)"), ("_km", " (km)"), ("_on", " on"), ("_at", " at")):
        if word.endswith(unit):
            word = word[: -len(unit)] + shown
    return word.replace("_", " ")


def label_for(path: str, labels: Labels | None = None) -> str:
    """The form's label for a field path; "" for a problem of the whole form. A path's indices
    count from 1 for people ("Impact area 3 – radius (km)"): a label may place it with `{n}`."""
    if path in NOT_A_FIELD:
        return ""
    labels = labels or {}
    parts = _parts(path)
    bare = [name for name, _index in parts]
    numbers = [index + 1 for _name, index in parts if index is not None]
    for cut in range(len(bare), 0, -1):
        label = labels.get(".".join(bare[:cut]))
        if label is not None:
            head = str(label).replace("{n}", str(numbers[0])) if numbers else str(label)
            if numbers and "{n}" in str(label):
                numbers = numbers[1:]
            rest = parts[cut:]
            break
    else:
        head, rest = "", parts
    words = [head] if head else []
    for name, index in rest:
        words.append(_words(name) + (f" {index + 1}" if index is not None else ""))
    text = " – ".join(words) or _("This form")
    return text[0].upper() + text[1:]


def in_words(message: str, labels: Labels | None = None) -> str:
    """A message's field names as the form's labels: "must be after window.opens" ->
    "must be after “Opens (UTC)”"."""

    def named(m: re.Match) -> str:
        name = m.group(0)
        # Only an identifier or path the form labels: plain words ("a nil declaration") and
        # what a person typed stay as they are.
        if ("_" in name or "." in name) and (name in labels or name.split(".")[0] in labels):
            return f"“{label_for(name, labels)}”"
        return name

    if not labels:
        return message

    return _NAME.sub(named, message)


def _unit(path: str) -> str:
    last = path.rsplit(".", 1)[-1].split("[")[0]
    if last.endswith("_deg") or last in ("lat", "lon"):
        return "°"
    if last.endswith("_km"):
        return " km"
    return ""


# pydantic's wording -> a sentence: (pattern, replacement); %(n)s is the pattern's group, %(unit)s
# the field's unit. Translated (issue 27): the replacement is what a reader sees.
_SENTENCES = [
    (r"Input should be less than or equal to (\S+)", gettext_lazy("must be at most %(n)s%(unit)s")),
    (r"Input should be less than (\S+)", gettext_lazy("must be less than %(n)s%(unit)s")),
    (
        r"Input should be greater than or equal to (\S+)",
        gettext_lazy("must be at least %(n)s%(unit)s"),
    ),
    (r"Input should be greater than (\S+)", gettext_lazy("must be more than %(n)s%(unit)s")),
    (
        r"String should have at most (\d+) characters?",
        gettext_lazy("must be at most %(n)s characters long"),
    ),
    (r"String should have at least 1 character", gettext_lazy("must not be empty")),
    (
        r"String should have at least (\d+) characters",
        gettext_lazy("must be at least %(n)s characters long"),
    ),
    (r"List should have at most (\d+) items?.*", gettext_lazy("may have at most %(n)s entries")),
    (r"List should have at least (\d+) items?.*", gettext_lazy("needs at least %(n)s entries")),
    (r"Field required", gettext_lazy("is required")),
    (r"Input should be a valid integer.*", gettext_lazy("must be a whole number")),
    (r"Input should be a valid number.*", gettext_lazy("must be a number")),
    (r"Input should be a finite number", gettext_lazy("must be a number")),
    (r"Input should be a valid string", gettext_lazy("must be text")),
    (r"Input should be a valid boolean.*", gettext_lazy("must be yes or no")),
    (r"Input should be a valid date.*", gettext_lazy("must be a date as YYYY-MM-DD")),
    (
        r"Input should be a valid datetime.*",
        gettext_lazy("must be a date and time in UTC (YYYY-MM-DDThh:mmZ)"),
    ),
    (
        r"Input should be a valid (dictionary|list|array).*",
        gettext_lazy("is not in the form this field takes"),
    ),
    (r"Input should be (.*)", gettext_lazy("must be %(n)s")),
]


def sentence(message: str, path: str = "", labels: Labels | None = None) -> str:
    """A problem's message as a sentence for people: pydantic's wording rewritten, numbers with
    the field's unit ("must be less than 360°"), field names as labels."""
    if message == "unknown field":
        return _("is not a field of this form")
    for pattern, replacement in _SENTENCES:
        if match := re.fullmatch(pattern, message):
            n = match.group(1) if match.groups() else ""
            message = str(replacement) % {"n": n, "unit": _unit(path)}
            message = message.replace("'", "")
            break
    return in_words(message, labels)


def form_problems(
    exc: ValidationError | DomainError, labels: Labels | None = None
) -> dict[str, list[str]]:
    """Field path (as in the API's problem details) -> sentences for people; a domain error
    that names no field is a problem of the whole form ("__all__")."""
    out: dict[str, list[str]] = defaultdict(list)
    if isinstance(exc, ValidationError):
        for e in exc.errors():
            path = field_path(("body", "payload", *e["loc"]))
            out[path].append(sentence(validation_message(e), path, labels))
    else:
        for p in exc.errors:
            out[p.field].append(sentence(p.message, p.field, labels))
        if not exc.errors:
            out["__all__"].append(exc.detail)
    return dict(out)


def labelled(problems: Mapping[str, list[str]], labels: Labels | None = None):
    """[(label, messages)] for a list of problems above a form; "" labels the whole form's."""
    return [(label_for(path, labels), list(msgs)) for path, msgs in sorted(problems.items())]


def validate(schema, body: dict, labels: Labels | None = None):
    """(model, {}) when valid; (None, problems) when not."""
    try:
        return schema.model_validate(body), {}
    except ValidationError as e:
        return None, form_problems(e, labels)


def call_with_problems(service, labels: Labels | None = None, /, **kwargs):
    """(`service(**kwargs)`'s result, {}); or (None, problems) when the service refused the
    input (InvalidInput), as `validate` answers for a schema. Any other domain error is not the
    form's: it goes on to the page (ui.pages.refusing)."""
    try:
        return service(**kwargs), {}
    except InvalidInput as e:
        return None, form_problems(e, labels)


class ProblemsForm(forms.Form):
    """A form whose fields are judged by the API's schemas and services: their problems go on
    the field they came from (`field_for`), the rest above the form, named by their path."""

    def field_for(self, path: str) -> str:
        """The form field of an API field path ("" when none): by default its first part."""
        name = path.split("[")[0].split(".")[0]
        return name if name in self.fields else ""

    def add_problems(self, problems: dict[str, list[str]]) -> None:
        labels = self.problem_labels()
        for path, messages in problems.items():
            field = self.field_for(path)
            for message in messages:
                message = in_words(message, labels)
                if field:
                    self.add_error(field, message)
                else:
                    self.add_problem_elsewhere(path, message)

    def call(self, service, /, *, above: tuple[type[DomainError], ...] = (), **kwargs):
        """`service(**kwargs)`'s result; or None, with the problems of its InvalidInput on this
        form's fields (and of an error of a class in `above`, its detail above the form). Any
        other domain error is not the form's: it goes on to the page (ui.pages.refusing)."""
        try:
            result, problems = call_with_problems(service, **kwargs)
        except above as e:
            self.add_error(None, e.detail)
            return None
        self.add_problems(problems)
        return result

    def problem_labels(self) -> dict[str, str]:
        """Field path -> label: each field's own label, under its name."""
        return {name: str(field.label or name) for name, field in self.fields.items()}

    def add_problem_elsewhere(self, path: str, message: str) -> None:
        """A problem of no field: above the form, named by the form's label for its path."""
        label = label_for(path, self.problem_labels())
        self.add_error(None, f"{label}: {message}" if label else message)


# ---- dates and times as ISO 8601 text in UTC (never the browser's locale) --------------------

DATE_EXAMPLE = "2026-12-10"
UTC_HINT = gettext_lazy("UTC, ISO 8601 (YYYY-MM-DDThh:mmZ)")
DATE_HINT = gettext_lazy("ISO 8601 (YYYY-MM-DD)")
UTC_PROBLEM = gettext_lazy("must be a date and time in UTC as YYYY-MM-DDThh:mmZ, e.g. %(example)s")
DATE_PROBLEM = gettext_lazy("must be a date as YYYY-MM-DD, e.g. %(example)s")


def utc_text(raw) -> tuple[str | None, str | None]:
    """A page's time field -> (RFC 3339 text for the API, None), (None, None) when empty, or
    (None, the problem) when it is no ISO 8601 time in UTC."""
    s = raw.strip() if isinstance(raw, str) else ""
    if not s:
        return None, None
    try:
        return rfc3339(parse_utc_input(s)), None
    except ValueError:
        return None, str(UTC_PROBLEM % {"example": UTC_INPUT_EXAMPLE})


class IsoDateInput(forms.TextInput):
    """A date as text (a `date` input shows the browser's locale): YYYY-MM-DD."""

    def __init__(self, attrs=None):
        base = {"pattern": DATE_INPUT_PATTERN, "placeholder": DATE_EXAMPLE, "autocomplete": "off"}
        super().__init__({**base, **(attrs or {})})


class IsoDateField(forms.DateField):
    widget = IsoDateInput
    default_error_messages = {"invalid": DATE_PROBLEM % {"example": DATE_EXAMPLE}}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", DATE_HINT)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        try:
            return parse_date_input(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
