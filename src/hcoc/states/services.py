"""The registry's reference data: the shipped list of states, and the parsing of a registry row
(also for the ICC's imports, hcoc.registry.services). The ICC's writes, which enter the feed,
are in hcoc.registry."""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings

from .models import DatePrecision, HcocStatus, State

STATUS_ALIASES = {
    "subscribing": HcocStatus.SUBSCRIBING,
    "subscriber": HcocStatus.SUBSCRIBING,
    "not_subscribing": HcocStatus.NOT_SUBSCRIBING,
    "non_subscriber": HcocStatus.NOT_SUBSCRIBING,
    "unknown": HcocStatus.UNKNOWN,
}
FOUNDING = {"yes": True, "true": True, "no": False, "false": False, "unknown": None, "": None}


@dataclass
class RowResult:
    line: int
    iso3: str
    ok: bool
    message: str


def registry_row_parse(row: dict) -> tuple[dict | None, str]:
    iso3 = (row.get("iso3") or "").strip().upper()
    if len(iso3) != 3 or not iso3.isalpha():
        return None, f"iso3 {iso3!r} is not an ISO 3166-1 alpha-3 code"
    name = (row.get("name") or "").strip()
    if not name:
        return None, "name is empty"
    status = STATUS_ALIASES.get((row.get("status") or "").strip().lower())
    if status is None:
        return (
            None,
            f"status {row.get('status')!r} is not one of subscribing, not_subscribing, unknown",
        )
    founding_text = (row.get("founding") or "").strip().lower()
    if founding_text not in FOUNDING:
        return None, f"founding {row.get('founding')!r} is not yes, no or unknown"
    subscribed_text = (row.get("subscribed_on") or "").strip()
    subscribed_on, precision = None, DatePrecision.DAY
    if subscribed_text:
        try:
            subscribed_on, precision = parse_partial_date(subscribed_text)
        except ValueError:
            return (
                None,
                f"subscribed_on {subscribed_text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)",
            )
    if subscribed_on and status != HcocStatus.SUBSCRIBING:
        return None, "subscribed_on is given but status is not subscribing"
    return {
        "iso3": iso3,
        "name": name,
        "status": status,
        "subscribed_on": subscribed_on,
        "subscribed_on_precision": precision,
        "founding": FOUNDING[founding_text],
        "source": (row.get("source") or "").strip(),
        "notes": (row.get("notes") or "").strip(),
    }, ""


def parse_partial_date(text: str) -> tuple[date, str]:
    """'2020' -> (2020-01-01, year); '2020-02' -> (2020-02-01, month); a full date -> day."""
    parts = text.split("-")
    if len(parts) == 1 and len(text) == 4:
        return date(int(text), 1, 1), DatePrecision.YEAR
    if len(parts) == 2 and len(parts[0]) == 4 and len(parts[1]) == 2:
        return date(int(parts[0]), int(parts[1]), 1), DatePrecision.MONTH
    return date.fromisoformat(text), DatePrecision.DAY


REGISTRY_COLUMNS = {"iso3", "name", "status"}


def registry_load_defaults(path: Path | None = None) -> int:
    """Seed the registry from the shipped data file. States already present are left as they
    are: after the first load, the registry changes only through the ICC's recorded acts."""
    path = path or settings.DATA_DIR / "hcoc_states.csv"
    existing = set(State.objects.values_list("iso3", flat=True))
    new = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            data, error = registry_row_parse(row)
            if data is None:
                raise ValueError(f"{path}: bad row {row.get('iso3')}: {error}")
            if data["iso3"] not in existing:
                new.append(State(**data))
    State.objects.bulk_create(new)
    return len(new)
