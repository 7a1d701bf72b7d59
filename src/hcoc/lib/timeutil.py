"""Time helpers: the exchange speaks RFC 3339 UTC with ``Z`` only."""

from datetime import UTC, datetime


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time must carry a zone (RFC 3339, e.g. 2026-12-03T06:00:00Z)")
    return value.astimezone(UTC)


def rfc3339(value: datetime | None) -> str | None:
    """Format as RFC 3339 UTC with a ``Z`` and whole seconds dropped of microseconds if zero."""
    if value is None:
        return None
    value = to_utc(value)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 time; one without a zone is rejected."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return to_utc(value)
