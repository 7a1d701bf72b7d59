"""Time helpers: the exchange speaks RFC 3339 UTC with ``Z`` only; `Rfc3339` is the type of
every time a request carries (the API's schemas use it for each time field and time filter)."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

# A time is stored and compared in UTC. An offset can carry a time written inside the calendar
# out of it (9999-12-31T23:59:59-23:59 is in the year 10000 in UTC), which neither Python nor
# PostgreSQL can hold: such a time is refused as input, never converted.
OUT_OF_CALENDAR = "must fall between the years 0001 and 9999 once converted to UTC"


def to_utc(value: datetime) -> datetime:
    """`value` in UTC; ValueError for a time without a zone or outside the calendar in UTC."""
    if value.tzinfo is None:
        raise ValueError("a time must carry a zone (RFC 3339, e.g. 2026-12-03T06:00:00Z)")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(OUT_OF_CALENDAR) from None


def rfc3339(value: datetime | None) -> str | None:
    """Format as RFC 3339 UTC with a ``Z`` and whole seconds dropped of microseconds if zero."""
    if value is None:
        return None
    value = to_utc(value)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 time into UTC; ValueError for one without a zone or outside the
    calendar once in UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return to_utc(value)


def _rfc3339_text(value: Any) -> Any:
    # Only RFC 3339 text is a time here: no Unix numbers, no bare dates.
    if not isinstance(value, str) or "T" not in value.upper():
        raise ValueError("must be an RFC 3339 time with a zone, e.g. 2026-12-03T06:00:00Z")
    return value


# A time with a zone, as RFC 3339 text, converted to UTC: 422 for one without a zone, and for one
# an offset carries out of the calendar (to_utc raises ValueError, which pydantic reports).
Rfc3339 = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(to_utc)]


# ---- what people type into a page's time and date fields -------------------------------------

# The pages take ISO 8601 in UTC as text, never a browser's date-time widget (which shows the
# browser's locale: "12/10/2026, 06:00:00 AM"): 2026-12-10T06:00Z, also with a space for the T,
# with seconds, with +00:00 or " UTC", or with no zone at all (the field says UTC).
UTC_INPUT_EXAMPLE = "2026-12-10T06:00Z"
UTC_INPUT_FORMAT = "YYYY-MM-DDThh:mmZ"
# For the pattern attribute of the text input (anchored by the browser).
UTC_INPUT_PATTERN = (
    r"\s*\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?\s*([Zz]|\+00:?00|UTC)?\s*"
)
DATE_INPUT_PATTERN = r"\s*\d{4}-\d{2}-\d{2}\s*"
_UTC_INPUT = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(:\d{2}(?:\.\d{1,6})?)?\s*(?:[Zz]|\+00:?00|UTC)?",
    re.ASCII,
)
_DATE_INPUT = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_utc_input(text: str) -> datetime:
    """A page's time field -> an aware UTC datetime; ValueError for anything else (another
    offset, a locale's format, a day that does not exist)."""
    m = _UTC_INPUT.fullmatch(text.strip())
    if m is None:
        raise ValueError(text)
    day, minutes, seconds = m.group(1), m.group(2), m.group(3) or ":00"
    return datetime.fromisoformat(f"{day}T{minutes}{seconds}").replace(tzinfo=UTC)


def parse_date_input(text: str) -> date:
    """A page's date field (YYYY-MM-DD) -> a date; ValueError for anything else."""
    s = text.strip()
    if _DATE_INPUT.fullmatch(s) is None:
        raise ValueError(text)
    return date.fromisoformat(s)


def utc_input_value(value: datetime | str | None) -> str:
    """What a page's time field shows for a time: 2026-12-10T06:00Z (seconds only when set)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = parse_utc_input(value)  # also a read model's RFC 3339 with Z
        except ValueError:
            return value  # what the person typed (another offset too), shown back as it was
    value = to_utc(value)
    if value.microsecond:
        return rfc3339(value) or ""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ" if value.second else "%Y-%m-%dT%H:%MZ")


# ---- times and durations as people read them ---------------------------------------------------


def shown_utc(value: datetime | str | None) -> str:
    """'2026-12-07 08:49 UTC': how every page, e-mail and PDF shows a time (never RFC 3339's
    seconds and microseconds; the API and the files meant for machines keep those), from a
    datetime or RFC 3339 text. '' for none; text that is no time, as it is."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = parse_rfc3339(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return str(value)
    return f"{to_utc(value):%Y-%m-%d %H:%M} UTC"


def duration_parts(hours: float) -> tuple[str, int, int, int]:
    """274.27 -> ('', 11, 10, 0), -5.5 -> ('−', 0, 5, 30): a lead time's sign, days, hours and
    minutes as people read it, to the hour from a day on, to the minute below (the words are
    the reader's language's: hcoc.ui.templatetags.hcoc.duration; duration_text's in English)."""
    sign, minutes = ("−" if hours < 0 else ""), round(abs(hours) * 60)
    days, rest = divmod(minutes, 24 * 60)
    if days:
        h = round(rest / 60)
        return (sign, days + 1, 0, 0) if h == 24 else (sign, days, h, 0)
    h, m = divmod(rest, 60)
    return sign, 0, h, m


def duration_text(hours: float | None) -> str:
    """274.27 -> '11 days 10 h', 30 -> '1 day 6 h', 5.5 -> '5 h 30 min', 0.25 -> '15 min':
    a lead time as people read it, in English."""
    if hours is None:
        return ""
    sign, days, h, m = duration_parts(hours)
    if days:
        text = f"{days} day{'s' if days != 1 else ''}" + (f" {h} h" if h else "")
    else:
        text = " ".join(p for p in (f"{h} h" if h else "", f"{m} min" if m or not h else "") if p)
    return sign + text
