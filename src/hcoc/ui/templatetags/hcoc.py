"""Template filters: every time shown in UTC with an explicit "UTC", dates unambiguous. (A feed
item's link is the exchange's: hcoc.exchange.templatetags.feed.)

The filters that show a time, a date, a duration, a code or a reference (`utc`, `utc_date`,
`duration`, `state_with_code`, `ltr`) isolate it left to right in a page (`<bdi dir="ltr">`,
hcoc.ui.bidi says why) and give it as plain text where the template does not escape (a text
e-mail's `{% autoescape off %}`). In an attribute, the text is `|plain`: `title="{{ t|utc|plain }}"`."""

import html
import re
from datetime import UTC, datetime

from django import template
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeData
from django.utils.translation import gettext, pgettext_lazy

from hcoc.lib.geo import reach
from hcoc.lib.geo.states import WORDS
from hcoc.lib.timeutil import (
    DATE_INPUT_PATTERN,
    UTC_INPUT_EXAMPLE,
    UTC_INPUT_PATTERN,
    duration_text,
    shown_utc,
    utc_input_value,
)
from hcoc.sites.selectors import site_details
from hcoc.states.names import name_of, names_of, with_code
from hcoc.ui.bidi import isolated
from hcoc.ui.forms import label_for
from hcoc.ui.forms import labelled as labelled_problems

register = template.Library()

# A notification's published status as people read it (the badge keeps the code as its class).
STATUS_WORDS = {
    "notified": pgettext_lazy("notification status", "notified"),
    "cancelled": pgettext_lazy("notification status", "cancelled"),
    "launched": pgettext_lazy("notification status", "launched"),
    "unreported": pgettext_lazy("notification status", "unreported"),
}


# A launch report's outcome as people read it.
OUTCOME_WORDS = {
    "success": pgettext_lazy("launch outcome", "success"),
    "failure": pgettext_lazy("launch outcome", "failure"),
    "partial": pgettext_lazy("launch outcome", "partial"),
    "unknown": pgettext_lazy("launch outcome", "unknown"),
}


@register.filter
def status_word(status) -> str:
    """'cancelled' -> 'cancelled' in the reader's language; an unknown value as it is."""
    return str(STATUS_WORDS.get(status, status))


@register.filter
def outcome_word(outcome) -> str:
    """'success' -> 'success' in the reader's language; an unknown value as it is."""
    return str(OUTCOME_WORDS.get(outcome, outcome))


def _as_datetime(value):
    if isinstance(value, str):
        value = parse_datetime(value.replace("Z", "+00:00"))
    return value if isinstance(value, datetime) else None


def _shown(text: str, autoescape: bool) -> str:
    return isolated(text) if autoescape else text


@register.filter(needs_autoescape=True)
def utc(value, autoescape=True) -> str:
    """'2026-12-03 06:00 UTC' (ISO 8601's date and time, in UTC and saying so) from a datetime or
    an RFC 3339 string. The machine-readable exports keep RFC 3339 (`rfc3339`)."""
    if _as_datetime(value) is None:
        return "" if value in (None, "") else _shown(str(value), autoescape)
    return _shown(shown_utc(_as_datetime(value)), autoescape)


@register.filter
def duration(hours) -> str:
    """274.27 (hours) -> '11 days 10 h' in the reader's language ('11 jours 10 h', '11 дней
    10 ч'): hcoc.lib.timeutil.duration_text. Words of the page's own language, so not isolated
    left to right (in Arabic that would put the days after the hours)."""
    return duration_text(hours)


@register.filter(needs_autoescape=True)
def utc_date(value, autoescape=True) -> str:
    """'2026-12-03': the UTC date of a datetime, ISO 8601."""
    dt = _as_datetime(value)
    if dt is None:
        return "" if value in (None, "") else _shown(str(value), autoescape)
    return _shown(f"{dt.astimezone(UTC):%Y-%m-%d}", autoescape)


@register.filter(needs_autoescape=True)
def ltr(value, autoescape=True) -> str:
    """A reference, a code, a coordinate, a number with its unit ('FRA-2026-0003', 'FRA-KOUROU',
    '45°12′N', '1200 km'), isolated left to right in a page; '' for none."""
    if value is None or value == "":
        return ""
    return _shown(value if isinstance(value, SafeData) else str(value), autoescape)


@register.filter(is_safe=False)
def plain(value) -> str:
    """What a filter above gave, as the text it isolates: for an attribute (`title`,
    `aria-label`) or SVG text, which take no markup (escaped by the template as any text)."""
    if isinstance(value, SafeData):
        return html.unescape(strip_tags(value))
    return "" if value is None else str(value)


@register.filter
def rfc3339(value) -> str:
    dt = _as_datetime(value)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else ""


@register.filter
def state_name(iso3) -> str:
    """'IND' -> 'India' (the registry's name, or a territory's: hcoc.states.names; the code
    itself where no one names it)."""
    return name_of(iso3)


@register.filter
def flag_words(flag) -> str:
    """A notification's flag as a sentence in the reader's language. An impact area beyond the
    stated range is said from the figures in its message (hcoc.lib.geo.reach), numbers grouped
    as the language groups them; a flag of any other kind is its field's label and message."""
    if not isinstance(flag, dict):
        return ""
    found = reach.figures(flag)
    area = re.fullmatch(r"impact_areas\[(\d+)\]", str(flag.get("field", "")))
    if found is None or area is None:
        return f"{label_for(str(flag.get('field', '')))}: {flag.get('message', '')}"
    distance, stated = found
    return gettext(
        "Impact area %(n)s lies %(distance)s km from the centre of the launch area, far beyond "
        "the stated range of %(range)s km."
    ) % {
        "n": int(area[1]) + 1,
        "distance": number_format(distance, force_grouping=True),
        "range": number_format(stated, force_grouping=True),
    }


@register.filter
def named_states(rows) -> list[dict]:
    """Rows that name a state by its code (`state`), each with its `name` too: one query for
    all of them (affected states, lists of states)."""
    rows = list(rows or [])
    names = names_of(r["state"] for r in rows)
    return [{**r, "name": names.get(r["state"], r["state"])} for r in rows]


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


@register.filter(needs_autoescape=True)
def state_with_code(iso3, autoescape=True) -> str:
    """'France (FRA)': the name, its code beside it (hcoc.states.names.with_code), the code
    isolated left to right in a page."""
    if not autoescape or not iso3:
        return with_code(iso3)
    name = names_of([iso3]).get(iso3)
    return format_html("{} ({})", name, isolated(iso3)) if name else isolated(iso3)


@register.filter
def state_names(codes) -> str:
    """['FRA', 'JPN'] -> 'France, Japan' (one query)."""
    codes = list(codes or [])
    names = names_of(codes)
    return ", ".join(names.get(c, c) for c in codes)


@register.filter
def with_names(codes) -> list[tuple[str, str]]:
    """['FRA', 'JPN'] -> [('FRA', 'France'), ('JPN', 'Japan')] (one query): a list of states to
    show by name, its codes kept for the form's values."""
    codes = list(codes or [])
    names = names_of(codes)
    return [(c, names.get(c, c)) for c in codes]


@register.filter
def words(value) -> str:
    """A stored value in words: 'no_objection' -> 'no objection' (the API keeps the value)."""
    return str(value or "").replace("_", " ")


@register.filter
def site_name(site_id) -> str:
    """'FRA-KOUROU' -> the catalogue's name of the site ('Guiana Space Centre ...'); the
    identifier only for a site the catalogue does not hold."""

    if not site_id:
        return ""
    return (site_details({site_id}).get(site_id) or {}).get("name") or site_id


@register.filter
def site_names(site_ids) -> str:
    """Several sites by name, in their order (one query)."""

    ids = [i for i in site_ids or [] if i]
    details = site_details(set(ids))
    return ", ".join((details.get(i) or {}).get("name") or i for i in ids)
