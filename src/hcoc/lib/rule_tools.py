"""What rules are written with and run by, so every problem of a request comes in one answer.

The rules themselves live in each app's `rules.py` (notifications, declarations, observers);
this module holds only the tools they share (reading raw input, dates) and the wrap validator
that runs them (`validate_with_rules`).

Pydantic checks shapes; some rules need the database or the clock (a site exists, a window has
not closed yet). A schema that has such rules runs them on the raw input *alongside* pydantic's
own checks, so a client learns of an unknown site and a wrong type in the same answer. Rules
read the raw input tolerantly: they judge only what is well-formed and leave the rest to pydantic.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from hcoc.lib.marking import N_, gettext, ngettext

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def dig(data: Any, *path: str | int) -> Any:
    """data[path0][path1]... or None where the input is not shaped so."""
    for key in path:
        if isinstance(key, int):
            if not isinstance(data, list) or not -len(data) <= key < len(data):
                return None
        elif not isinstance(data, dict):
            return None
        else:
            if key not in data:
                return None
        data = data[key]
    return data


def aware_time(value: Any) -> datetime | None:
    """An RFC 3339 text with a zone, as UTC; None for anything else (pydantic reports those)."""
    if not isinstance(value, str) or "T" not in value.upper():
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    try:
        return parsed.astimezone(UTC) if parsed.tzinfo else None
    except OverflowError:  # out of the calendar in UTC: the Rfc3339 type reports it
        return None


# ---- plausibility bounds (docs/api.md, "Plausibility bounds") ----------------------------------

# The Code was launched in The Hague on 25 November 2002: nothing of the exchange is older,
# except what a historical import brings in, which may go back to the missile age's start.
CODE_LAUNCHED = datetime(2002, 11, 25, tzinfo=UTC)
# 1957: the first ICBM flight (R-7, May-August) and the first satellite (Sputnik 1, 4 October).
HISTORY_START = datetime(1957, 1, 1, tzinfo=UTC)
# How far ahead the exchange's calendar runs (meetings, observer invitations): five years.
CALENDAR_YEARS_AHEAD = 5


def years_after(when: date | datetime, years: int) -> date | datetime:
    """The same day and time `years` later (29 February becomes 28 February; never past the
    year 9999, the last a date can hold)."""
    year = min(max(when.year + years, MINYEAR), MAXYEAR)
    try:
        return when.replace(year=year)
    except ValueError:
        return when.replace(year=year, day=28)


# The days the rules name, written out for the catalogues: a reader of another language reads
# "25 novembre 2002" (tests/lib check that each is the day it names).
DAY_WORDS = {CODE_LAUNCHED: N_("25 November 2002"), HISTORY_START: N_("1 January 1957")}


def day_text(when: date | datetime) -> str:
    """25 November 2002 (in the reader's language for the days of DAY_WORDS)."""
    if when in DAY_WORDS:
        return gettext(DAY_WORDS[when])
    return f"{when.day} {when:%B %Y}"


_DATE = TypeAdapter(date)


def plain_date(value: Any) -> date | None:
    """The date pydantic reads from a raw value (a field typed `date`); None where it reads none,
    so that the rule judges exactly what the schema would store."""
    try:
        return _DATE.validate_python(value)
    except ValidationError:
        return None


def calendar_date_problem(value: date, today: date) -> str | None:
    """A date of the exchange's calendar (a meeting, an observer visit, a reply-by date): not
    before the Code existed, and not more than CALENDAR_YEARS_AHEAD years ahead."""
    if value < CODE_LAUNCHED.date():
        return gettext("must not be before %(day)s, when the Code was launched") % {
            "day": day_text(CODE_LAUNCHED)
        }
    return calendar_ahead_problem(value, today)


def calendar_ahead_problem(value: date, today: date) -> str | None:
    latest = years_after(today, CALENDAR_YEARS_AHEAD)
    if value > latest:
        return ngettext(
            "must not be more than %(n)s year ahead: %(latest)s at the latest",
            "must not be more than %(n)s years ahead: %(latest)s at the latest",
            CALENDAR_YEARS_AHEAD,
        ) % {"n": CALENDAR_YEARS_AHEAD, "latest": latest}
    return None


def validate_with_rules(cls, data: Any, handler, problems: list[Problem]):
    """Run pydantic (`handler`) and merge `problems` into one ValidationError."""
    extra = [
        {"type": PydanticCustomError("rule", message), "loc": loc, "input": dig(data, *loc)}
        for loc, message in problems
    ]
    try:
        model = handler(data)
    except ValidationError as e:
        if not extra:
            raise
        # Re-wrap each error with its own type name and rendered message: pydantic accepts
        # only its built-in types by name, and nested models may have raised "rule" errors.
        kept = [
            {
                "type": PydanticCustomError(err["type"], err["msg"]),
                "loc": err["loc"],
                "input": err.get("input"),
            }
            for err in e.errors()
        ]
        raise ValidationError.from_exception_data(cls.__name__, [*kept, *extra]) from None
    if extra:
        raise ValidationError.from_exception_data(cls.__name__, extra)
    return model


@contextmanager
def context_value(var, value) -> Iterator[None]:
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)
