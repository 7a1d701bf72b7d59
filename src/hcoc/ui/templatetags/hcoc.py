"""Template filters: every time shown in UTC with an explicit "UTC", dates unambiguous. (A feed
item's link is the exchange's: hcoc.exchange.templatetags.feed.)"""

from datetime import UTC, datetime

from django import template
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from hcoc.lib.geo.states import WORDS
from hcoc.lib.timeutil import (
    DATE_INPUT_PATTERN,
    UTC_INPUT_EXAMPLE,
    UTC_INPUT_PATTERN,
    utc_input_value,
)
from hcoc.states.models import State
from hcoc.ui.forms import label_for
from hcoc.ui.forms import labelled as labelled_problems

register = template.Library()


def _as_datetime(value):
    if isinstance(value, str):
        value = parse_datetime(value.replace("Z", "+00:00"))
    return value if isinstance(value, datetime) else None


@register.filter
def utc(value) -> str:
    """'2026-12-03 06:00 UTC' (ISO 8601's date and time, in UTC and saying so) from a datetime or
    an RFC 3339 string. The machine-readable exports keep RFC 3339 (`rfc3339`)."""
    dt = _as_datetime(value)
    if dt is None:
        return "" if value in (None, "") else str(value)
    dt = dt.astimezone(UTC)
    return f"{dt:%Y-%m-%d %H:%M} UTC"


@register.filter
def utc_date(value) -> str:
    """'2026-12-03': the UTC date of a datetime, ISO 8601."""
    dt = _as_datetime(value)
    if dt is None:
        return "" if value in (None, "") else str(value)
    return f"{dt.astimezone(UTC):%Y-%m-%d}"


@register.filter
def rfc3339(value) -> str:
    dt = _as_datetime(value)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else ""


@register.filter
def state_name(iso3) -> str:
    """'IND' -> 'India' (the registry's name; the code itself where the registry has none)."""
    return State.objects.filter(iso3=iso3).values_list("name", flat=True).first() or iso3 or ""


@register.filter
def named_states(rows) -> list[dict]:
    """Rows that name a state by its code (`state`), each with its `name` too: one query for
    all of them (affected states, lists of states)."""
    rows = list(rows or [])
    names = dict(
        State.objects.filter(iso3__in={r["state"] for r in rows}).values_list("iso3", "name")
    )
    return [{**r, "name": names.get(r["state"], r["state"])} for r in rows]


@register.filter
def field_label(path: str) -> str:
    """A field path of the API ('launch_area.radius_km') in words, as forms name it."""
    return label_for(str(path))


@register.filter
def geo_words(codes) -> str:
    """['launch_area', 'impact_area'] -> 'launch area, impact area' (affected states' parts and
    zones in words; the API keeps the codes)."""
    return ", ".join(gettext(WORDS.get(code, code)) for code in codes or [])


@register.inclusion_tag("ui/_utc_input.html")
def utc_input(name: str, value="", *, id: str = "", described_by: str = "", required: bool = False):
    """A time field of a page: ISO 8601 text in UTC (a `datetime-local` input would show the
    browser's locale), its hint, and the viewer's local time beside it (app.js)."""
    field_id = id or f"id_{name}"
    return {
        "name": name,
        "id": field_id,
        "value": utc_input_value(value),
        "pattern": UTC_INPUT_PATTERN,
        "example": UTC_INPUT_EXAMPLE,
        "described_by": described_by,
        "required": required,
    }


@register.inclusion_tag("ui/_date_input.html")
def date_input(name: str, value="", *, id: str = "", required: bool = False):
    """A date field of a page as ISO 8601 text (YYYY-MM-DD), with its hint."""
    return {
        "name": name,
        "id": id or f"id_{name}",
        "value": value or "",
        "pattern": DATE_INPUT_PATTERN,
        "required": required,
    }


@register.filter
def labelled(problems, labels=None):
    """{path: [messages]} -> [(the form's label, messages)] ("" for the whole form's)."""
    return labelled_problems(problems or {}, labels)
