"""A notification as plain text in the manner of a navigational warning (NAVAREA / NOTAM).

Warnings read like "ROCKET LAUNCHING 101200 UTC TO 101400 UTC DEC 26 IN AREA BOUND BY 3430N
12040W, ...": upper case, times as DDHHMM UTC with the month and two-digit year once at the end,
positions as DDMMSSN DDDMMSSE. This text follows that manner so an operations centre can pass it
on, but keeps the exchange's units (km; nautical miles in brackets) and says what each line is:

    HCOC PRE-LAUNCH NOTIFICATION USA-2026-0001
    ICBM MINUTEMAN III LAUNCHING. TEST FLIGHT.
    030600 UTC TO 031200 UTC DEC 26.
    LAUNCH AREA: USA-VANDENBERG 344431N 1203421W.
    DIRECTION 250 DEG TRUE. RANGE 6750 KM. APOGEE 1100 KM.
    IMPACT AREAS:
    A. PAYLOAD: WITHIN 50 KM (27 NM) OF 092400N 1673000E.
    REMARKS: OPERATIONAL TEST.

It is a rendering for people, not a format: nothing parses it back.
"""

import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from .coords import notam_position

KM_PER_NM = 1.852
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def words(text: str) -> str:
    """Free text (a vehicle's name, an area's description, remarks) as one run of upper-case
    words: every line break, control or format character becomes a blank, and blanks collapse.
    A warning is read line by line, so text typed with a line break ("Ariane\nE) NOTIFICATION
    CANCELLED") must never start a line of its own."""
    plain = "".join(
        " "
        if unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp")
        else ch
        for ch in text
    )
    return " ".join(plain.upper().split())


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _time(moment: datetime) -> str:
    return f"{moment:%d%H%M} UTC"


def _month(moment: datetime) -> str:
    return f"{MONTHS[moment.month - 1]} {moment:%y}"


def window_text(opens: datetime, closes: datetime) -> str:
    """030600 UTC TO 031200 UTC DEC 26; 302200 UTC NOV TO 010400 UTC DEC 26 across months;
    the year on both ends across years."""
    if (opens.year, opens.month) == (closes.year, closes.month):
        return f"{_time(opens)} TO {_time(closes)} {_month(closes)}"
    if opens.year == closes.year:
        return f"{_time(opens)} {MONTHS[opens.month - 1]} TO {_time(closes)} {_month(closes)}"
    return f"{_time(opens)} {_month(opens)} TO {_time(closes)} {_month(closes)}"


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def area_text(
    area: Mapping[str, Any], *, site_lookup: Callable[[str], tuple[float, float] | None]
) -> str:
    """USA-VANDENBERG 344431N 1203421W / WITHIN 50 KM (27 NM) OF ... / AREA BOUND BY ..., ..."""
    if area.get("site_id") is not None:
        found = site_lookup(area["site_id"])
        text = words(area["site_id"]) + (f" {notam_position(*found)}" if found else "")
    elif area.get("center") is not None:
        radius = float(area["radius_km"])
        text = (
            f"WITHIN {_number(radius)} KM ({_number(round(radius / KM_PER_NM))} NM) OF "
            f"{notam_position(area['center']['lat'], area['center']['lon'])}"
        )
    else:
        corners = [notam_position(p["lat"], p["lon"]) for p in area["polygon"]]
        text = "AREA BOUND BY " + ", ".join(corners)
    description = words(area.get("description") or "")
    if description:
        text += f" ({description})"
    return text


def direction_text(direction: Mapping[str, float]) -> str:
    if direction.get("azimuth_deg") is not None:
        return f"DIRECTION {_number(direction['azimuth_deg'])} DEG TRUE"
    return (
        f"DIRECTION SECTOR {_number(direction['azimuth_from_deg'])} TO "
        f"{_number(direction['azimuth_to_deg'])} DEG TRUE"
    )


def notam_text(
    content: Mapping[str, Any],
    *,
    site_lookup: Callable[[str], tuple[float, float] | None],
    reference: str | None = None,
) -> str:
    """The stored content of a PLN (or an unnotified launch, which has no window) as warning
    text, one statement a line."""
    # Every text a state typed goes through words(): one statement a line, whatever it typed.
    lines = ["HCOC PRE-LAUNCH NOTIFICATION" + (f" {words(reference)}" if reference else "")]
    what = content["generic_class"]
    vehicle = words(content.get("vehicle_name") or "")
    if vehicle:
        what += f" {vehicle}"
    lines.append(f"{what} LAUNCHING." + (" TEST FLIGHT." if content.get("test_flight") else ""))
    window = content.get("window")
    if window:
        lines.append(window_text(_parse_time(window["opens"]), _parse_time(window["closes"])) + ".")
    lines.append(f"LAUNCH AREA: {area_text(content['launch_area'], site_lookup=site_lookup)}.")
    direction = [direction_text(content["planned_direction"])]
    if content.get("range_km"):
        direction.append(f"RANGE {_number(content['range_km'])} KM")
    if content.get("apogee_km"):
        direction.append(f"APOGEE {_number(content['apogee_km'])} KM")
    lines.append(". ".join(direction) + ".")
    impacts = content.get("impact_areas") or []
    if impacts:
        lines.append("IMPACT AREAS:")
        for i, area in enumerate(impacts):
            label = chr(ord("A") + i)
            kind = words(area.get("kind") or "area")
            lines.append(f"{label}. {kind}: {area_text(area, site_lookup=site_lookup)}.")
    remarks = words(content.get("remarks") or "")
    if remarks:
        lines.append(f"REMARKS: {remarks}")
    return "\n".join(lines)
