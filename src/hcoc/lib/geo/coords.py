"""Coordinates as people read and type them: degrees-minutes-seconds, and the compact form of
navigational warnings (`344357N 1203406W`), to and from decimal degrees (WGS 84)."""

import re
from typing import Literal

Axis = Literal["lat", "lon"]

_LIMIT = {"lat": 90.0, "lon": 180.0}
_HEMISPHERES = {"lat": ("N", "S"), "lon": ("E", "W")}
_SYMBOLS = re.compile(r"[°º˚'′’ʹ\"″”]")


def _dms(value: float, *, seconds_decimals: int = 0) -> tuple[int, int, float]:
    """|value| as whole degrees, whole minutes and seconds rounded to `seconds_decimals`, with
    the carry done (59.6" rounds to the next minute, not to 60")."""
    unit = 10**seconds_decimals
    total = round(abs(value) * 3600 * unit)
    degrees, rest = divmod(total, 3600 * unit)
    minutes, seconds = divmod(rest, 60 * unit)
    return degrees, minutes, seconds / unit


def _hemisphere(value: float, axis: Axis) -> str:
    positive, negative = _HEMISPHERES[axis]
    return negative if value < 0 else positive


def format_angle(value: float, axis: Axis, *, seconds_decimals: int = 0) -> str:
    """34.7420, "lat" -> 34°44'31"N; -120.5724, "lon" -> 120°34'21"W."""
    d, m, s = _dms(value, seconds_decimals=seconds_decimals)
    width = 2 + (seconds_decimals + 1 if seconds_decimals else 0)
    return f"{d}°{m:02d}'{s:0{width}.{seconds_decimals}f}\"{_hemisphere(value, axis)}"


def format_position(lat: float, lon: float, *, seconds_decimals: int = 0) -> str:
    """34.7420, -120.5724 -> 34°44'31"N 120°34'21"W."""
    return (
        f"{format_angle(lat, 'lat', seconds_decimals=seconds_decimals)} "
        f"{format_angle(lon, 'lon', seconds_decimals=seconds_decimals)}"
    )


def notam_angle(value: float, axis: Axis, *, seconds: bool = True) -> str:
    """The compact form of navigational warnings: DDMMSSN / DDDMMSSE (or DDMMN / DDDMME with
    seconds=False, rounded to the minute)."""
    if seconds:
        d, m, s = _dms(value)
        body = f"{m:02d}{int(s):02d}"
    else:
        d, m = divmod(round(abs(value) * 60), 60)
        body = f"{m:02d}"
    return f"{d:0{2 if axis == 'lat' else 3}d}{body}{_hemisphere(value, axis)}"


def notam_position(lat: float, lon: float, *, seconds: bool = True) -> str:
    """34.7420, -120.5724 -> 344431N 1203421W."""
    return f"{notam_angle(lat, 'lat', seconds=seconds)} {notam_angle(lon, 'lon', seconds=seconds)}"


# ---- parsing --------------------------------------------------------------------------------

_NUMBER = r"\d+(?:\.\d+)?"
_COMPACT = re.compile(r"^(\d{4,7})(\.\d+)?$")


def parse_angle(text: str, axis: Axis | None = None) -> float:
    """Decimal degrees from what a person typed: `-120.5685`, `120.5685W`, `34°43'57"N`,
    `34 43 57 N`, `N 34 43.95`, `344357N`, `1203406W`. With a hemisphere letter the axis follows
    from it (and must match `axis` when given); without one the sign says it. Raises ValueError
    with the reason."""
    s = text.strip().upper()
    match = re.fullmatch(r"([NSEW])?\s*(.*?)\s*([NSEW])?", s)
    if not match or not match.group(2):
        raise ValueError(f"not a coordinate: {text!r}")
    lead, body, trail = match.groups()
    if lead and trail:
        raise ValueError(f"two hemisphere letters in {text!r}")
    letter = lead or trail
    if letter:
        letter_axis: Axis = "lat" if letter in "NS" else "lon"
        if axis and axis != letter_axis:
            raise ValueError(f"{letter} is not a hemisphere of a {_name(axis)}")
        axis = letter_axis
    sign = 1.0
    if body[0] in "+-":
        if letter:
            raise ValueError(f"give a sign or a hemisphere letter, not both: {text!r}")
        sign = -1.0 if body[0] == "-" else 1.0
        body = body[1:].strip()
    if letter in ("S", "W"):
        sign = -1.0
    had_symbols = bool(_SYMBOLS.search(body))
    compact = _COMPACT.match(body)
    if compact and letter and not had_symbols:
        value = _compact(compact.group(1), compact.group(2) or "", axis)
    else:
        fields = _SYMBOLS.sub(" ", body).split()
        if not 1 <= len(fields) <= 3 or not all(re.fullmatch(_NUMBER, f) for f in fields):
            raise ValueError(f"not a coordinate: {text!r}")
        if any("." in f for f in fields[:-1]):
            raise ValueError(
                f"only the last of degrees, minutes, seconds may have decimals: {text!r}"
            )
        numbers = [float(f) for f in fields]
        if any(n >= 60 for n in numbers[1:]):
            raise ValueError(f"minutes and seconds must be under 60: {text!r}")
        value = sum(n / 60**i for i, n in enumerate(numbers))
    limit = _LIMIT[axis] if axis else 180.0
    if value > limit:
        raise ValueError(f"a {_name(axis)} is at most {limit:g} degrees: {text!r}")
    return sign * value


def _name(axis: Axis | None) -> str:
    return {"lat": "latitude", "lon": "longitude", None: "coordinate"}[axis]


def _compact(digits: str, decimals: str, axis: Axis) -> float:
    """DDMM[SS] for a latitude, DDDMM[SS] for a longitude (navigational-warning style)."""
    width = 2 if axis == "lat" else 3
    if len(digits) not in (width + 2, width + 4):
        raise ValueError(
            f"a compact {_name(axis)} is {'D' * width}MM or {'D' * width}MMSS: {digits}{decimals}"
        )
    degrees, minutes = int(digits[:width]), int(digits[width : width + 2])
    seconds = float(digits[width + 2 :] + decimals) if len(digits) > width + 2 else 0.0
    if decimals and len(digits) == width + 2:
        minutes += float(decimals)
    if minutes >= 60 or seconds >= 60:
        raise ValueError(f"minutes and seconds must be under 60: {digits}{decimals}")
    return degrees + minutes / 60 + seconds / 3600


_LAT_FIRST = re.compile(r"(.*?[NS])\s*[,;/]?\s*(.*[EW])|([NS].*?)\s*[,;/]?\s*([EW].*)")
_LON_FIRST = re.compile(r"(.*?[EW])\s*[,;/]?\s*(.*[NS])|([EW].*?)\s*[,;/]?\s*([NS].*)")


def parse_position(text: str) -> tuple[float, float]:
    """(lat, lon) from one line: `34°43'57"N 120°34'06"W`, `344357N 1203406W`,
    `34 43 57 N, 120 34 06 W`, `N34.7325 W120.5685`, or two signed decimals `34.7325, -120.5685`
    (latitude first). Raises ValueError with the reason."""
    s = " ".join(text.strip().upper().split())
    for pattern, lat_first in ((_LAT_FIRST, True), (_LON_FIRST, False)):
        match = pattern.fullmatch(s)
        if match:
            first, second = [g for g in match.groups() if g is not None]
            lat_text, lon_text = (first, second) if lat_first else (second, first)
            return parse_angle(lat_text, "lat"), parse_angle(lon_text, "lon")
    fields = [f for f in re.split(r"[\s,;]+", s) if f]
    if len(fields) == 2 and all(re.fullmatch(r"[+-]?" + _NUMBER, f) for f in fields):
        return parse_angle(fields[0], "lat"), parse_angle(fields[1], "lon")
    raise ValueError(
        f"not a position: {text!r} (give a latitude then a longitude, e.g. 34°43'57\"N 120°34'06\"W)"
    )
