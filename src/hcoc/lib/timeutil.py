"""Time helpers: the exchange speaks RFC 3339 UTC with ``Z`` only; `Rfc3339` is the type of
every time a request carries (the API's schemas use it for each time field and time filter)."""

from datetime import UTC, datetime
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
