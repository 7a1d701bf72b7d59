"""The pages' forms: the PLN form's flat fields <-> the API's JSON body, and the list filters.

Nothing here decides whether input is acceptable: the API's own schemas do (ui.forms.validate),
so the pages show exactly the API's messages. This module only translates shapes and maps each
problem's API field path (`launch_area.radius_km`) to the place on the form that shows it.
"""

import re
from datetime import UTC, datetime, time

from django import forms
from django.utils.translation import gettext_lazy as _

from hcoc.lib.geo.coords import parse_angle, parse_position
from hcoc.lib.timeutil import utc_input_value
from hcoc.lib.vocabulary import GENERIC_CLASSES, category_words
from hcoc.states.selectors import state_list
from hcoc.ui.forms import IsoDateField, utc_text

from .models import Category, LaunchOutcome, Status

IMPACT_KINDS = ("payload", "stage", "fairing", "debris")
MIN_IMPACT_ROWS = 3
MAX_IMPACT_ROWS = 20  # the format's limit
AREA_MODES = ("site", "circle", "polygon")
DIRECTION_MODES = ("azimuth", "sector")

SCALAR_FIELDS = (
    "area_mode",
    "site_id",
    "center_lat",
    "center_lon",
    "radius_km",
    "polygon",
    "area_description",
    "direction_mode",
    "azimuth_deg",
    "azimuth_from_deg",
    "azimuth_to_deg",
    "window_opens",
    "window_closes",
    "category",
    "generic_class",
    "vehicle_name",
    "test_flight",
    "range_km",
    "apogee_km",
    "remarks",
    "on_behalf_of",
    "national_reference",
    "reason",
)
IMPACT_FIELDS = ("kind", "site_id", "lat", "lon", "radius_km", "polygon", "description")

# Where each problem is shown: the longest matching API path prefix decides.
SLOT_OF_PATH = {
    "launch_area": "launch_area",
    "launch_area.site_id": "site_id",
    "launch_area.center": "center",
    "launch_area.radius_km": "radius_km",
    "launch_area.polygon": "polygon",
    "launch_area.description": "area_description",
    "planned_direction": "planned_direction",
    "planned_direction.azimuth_deg": "azimuth_deg",
    "planned_direction.azimuth_from_deg": "azimuth_from_deg",
    "planned_direction.azimuth_to_deg": "azimuth_to_deg",
    "window": "window_closes",
    "window.opens": "window_opens",
    "window.closes": "window_closes",
    "category": "category",
    "generic_class": "generic_class",
    "vehicle_name": "vehicle_name",
    "test_flight": "test_flight",
    "impact_areas": "impact_areas",
    "range_km": "range_km",
    "apogee_km": "apogee_km",
    "remarks": "remarks",
    "on_behalf_of": "on_behalf_of",
    "national_reference": "national_reference",
    "reason": "reason",
}
# The form's labels by API path, for problems named away from their field and for field names
# inside messages (hcoc.ui.forms: the longest prefix wins; `{n}` is a row's number).
PATH_LABELS = {
    "on_behalf_of": _("On behalf of"),
    "launch_area": _("Launch area"),
    "launch_area.site_id": _("Launch area – site"),
    "launch_area.center": _("Launch area – centre"),
    "launch_area.center.lat": _("Launch area – centre latitude"),
    "launch_area.center.lon": _("Launch area – centre longitude"),
    "launch_area.radius_km": _("Launch area – radius"),
    "launch_area.polygon": _("Launch area – polygon"),
    "launch_area.description": _("Launch area – description"),
    "planned_direction": _("Planned direction"),
    "planned_direction.azimuth_deg": _("Planned direction – azimuth"),
    "planned_direction.azimuth_from_deg": _("Planned direction – sector from"),
    "planned_direction.azimuth_to_deg": _("Planned direction – sector to"),
    "azimuth_deg": _("azimuth"),
    "azimuth_from_deg": _("sector from"),
    "azimuth_to_deg": _("sector to"),
    "window": _("Launch window"),
    "window.opens": _("Launch window – opens"),
    "window.closes": _("Launch window – closes"),
    "category": _("Category"),
    "generic_class": _("Generic class"),
    "vehicle_name": _("Vehicle name"),
    "test_flight": _("Test flight"),
    "impact_areas": _("Impact area {n}"),
    "range_km": _("Range"),
    "apogee_km": _("Apogee"),
    "remarks": _("Remarks"),
    "national_reference": _("Your national reference (note number)"),
    "reason": _("Reason for the amendment"),
    "site_id": _("site"),
    "radius_km": _("radius"),
    "first_submitted_at": _("first submission"),
}
SLOTS = sorted(set(SLOT_OF_PATH.values()))

_IMPACT_PATH = re.compile(r"impact_areas\[(\d+)\]")


def _text(raw) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def _number(raw: str):
    """A number, or the text itself so that the API's own message ("Input should be a valid
    number") reaches the person; None when empty."""
    s = _text(raw)
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        return s


def _time(raw: str, local: dict, path: str):
    """A time field (ISO 8601 in UTC: 2026-12-03T06:00Z, 2026-12-03 06:00, ...) as the API's
    RFC 3339; a problem of the form at `path` when it is none."""
    value, problem = utc_text(raw)
    if problem:
        local.setdefault(path, []).append(problem)
    return value


def _angle(raw: str, axis: str):
    """A latitude or longitude as people write it: a decimal (-52.8) or degrees, minutes and
    seconds (52 48 00 W, 52°48'W, 0524800W: hcoc.lib.geo.coords). Text that is neither goes
    on as text, so the API's own message reaches the person."""
    value = _number(raw)
    if not isinstance(value, str):
        return value
    try:
        return parse_angle(value, axis)
    except ValueError:
        return value


def _points(text: str) -> tuple[list[dict] | None, str | None]:
    """'lat, lon' per line, in decimals or DMS (05 12 00 N 052 48 00 W, 051200N 0524800W)
    -> points; or a message naming the first unreadable line."""
    points = []
    for number, line in enumerate(_text(text).splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p for p in re.split(r"[,;\s]+", line.strip()) if p]
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError:
            try:
                lat, lon = parse_position(line)
            except ValueError as e:
                return None, _(
                    "line %(n)d: give a latitude and a longitude, e.g. 5.2, -52.8 or "
                    "05 12 00 N 052 48 00 W (%(why)s)"
                ) % {"n": number, "why": e}
        points.append({"lat": lat, "lon": lon})
    return (points or None), None


def _lines(points: list[dict] | None) -> str:
    return "\n".join(f"{p['lat']:g}, {p['lon']:g}" for p in points or [])


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _local(value) -> str:
    """2026-12-03T06:00:00Z -> 2026-12-03T06:00Z for a time field (seconds kept when set)."""
    return utc_input_value(value) if isinstance(value, str) else ""


def fields_from_post(post) -> dict:
    """The PLN form's fields as entered: what a draft stores and the form shows again."""
    fields = {name: post.get(name, "") for name in SCALAR_FIELDS}
    fields["test_flight"] = "on" if post.get("test_flight") else ""
    rows = []
    for i in range(MAX_IMPACT_ROWS):
        row = {name: post.get(f"impact_{i}_{name}", "") for name in IMPACT_FIELDS}
        if any(_text(v) for v in row.values()):
            rows.append(row)
    fields["impact_areas"] = rows
    return fields


def body_from_fields(
    fields: dict, *, with_behalf: bool, amending: bool = False
) -> tuple[dict, dict[str, list[str]]]:
    """The API body for the form's fields, and problems only the form can have (unreadable
    polygon lines, times not in ISO 8601), by API path. Everything else is left for the API's
    schema to judge. An amendment's body (`amending`) also carries its reason."""
    local: dict[str, list[str]] = {}
    body: dict = {}
    names = ("category", "generic_class", "vehicle_name", "remarks", "national_reference")
    for name in (*names, "reason") if amending else names:
        if _text(fields.get(name)):
            body[name] = _text(fields[name])
    body["test_flight"] = bool(fields.get("test_flight"))
    window = {
        k: _time(fields.get(f"window_{k}", ""), local, f"window.{k}") for k in ("opens", "closes")
    }
    body["window"] = {k: v for k, v in window.items() if v is not None}
    body["launch_area"] = _area(fields, local, "launch_area")
    mode = fields.get("direction_mode") or "azimuth"
    names = ("azimuth_deg",) if mode == "azimuth" else ("azimuth_from_deg", "azimuth_to_deg")
    body["planned_direction"] = {
        n: v for n in names if (v := _number(fields.get(n, ""))) is not None
    }
    # Blank rows were dropped by fields_from_post: row i is impact_areas[i], as the API names it.
    body["impact_areas"] = [
        _impact_area(row, local, f"impact_areas[{i}]")
        for i, row in enumerate(fields.get("impact_areas") or [])
    ]
    for name in ("range_km", "apogee_km"):
        if (v := _number(fields.get(name, ""))) is not None:
            body[name] = v
    if with_behalf and _text(fields.get("on_behalf_of")):
        body["on_behalf_of"] = _text(fields["on_behalf_of"])
    return body, local


def _area(fields: dict, local: dict, path: str) -> dict:
    mode = fields.get("area_mode") or "site"
    area: dict = {}
    if mode == "site" and _text(fields.get("site_id")):
        area["site_id"] = _text(fields["site_id"])
    elif mode == "circle":
        lat = _angle(fields.get("center_lat", ""), "lat")
        lon = _angle(fields.get("center_lon", ""), "lon")
        if lat is not None or lon is not None:
            area["center"] = {k: v for k, v in (("lat", lat), ("lon", lon)) if v is not None}
        if (r := _number(fields.get("radius_km", ""))) is not None:
            area["radius_km"] = r
    elif mode == "polygon":
        points, problem = _points(fields.get("polygon", ""))
        if problem:
            local.setdefault(f"{path}.polygon", []).append(str(problem))
        elif points:
            area["polygon"] = points
    if _text(fields.get("area_description")):
        area["description"] = _text(fields["area_description"])
    return area


def _impact_area(row: dict, local: dict, path: str) -> dict:
    area: dict = {}
    if _text(row.get("kind")):
        area["kind"] = _text(row["kind"])
    if _text(row.get("site_id")):
        area["site_id"] = _text(row["site_id"])
    if _text(row.get("polygon")):
        points, problem = _points(row["polygon"])
        if problem:
            local.setdefault(f"{path}.polygon", []).append(str(problem))
        elif points:
            area["polygon"] = points
    lat, lon = _angle(row.get("lat", ""), "lat"), _angle(row.get("lon", ""), "lon")
    if lat is not None or lon is not None:
        area["center"] = {k: v for k, v in (("lat", lat), ("lon", lon)) if v is not None}
    if (r := _number(row.get("radius_km", ""))) is not None:
        area["radius_km"] = r
    if _text(row.get("description")):
        area["description"] = _text(row["description"])
    return area


def fields_from_body(body: dict) -> dict:
    """The form's fields for an API body (a notification's content, or a reviewed body)."""
    area = body.get("launch_area") or {}
    direction = body.get("planned_direction") or {}
    window = body.get("window") or {}
    center = area.get("center") or {}
    fields = {name: "" for name in SCALAR_FIELDS}
    fields.update(
        area_mode="polygon" if area.get("polygon") else "circle" if center else "site",
        site_id=area.get("site_id") or "",
        center_lat=_shown(center.get("lat")),
        center_lon=_shown(center.get("lon")),
        radius_km=_shown(area.get("radius_km")),
        polygon=_lines(area.get("polygon")),
        area_description=area.get("description") or "",
        direction_mode="sector" if "azimuth_from_deg" in direction else "azimuth",
        azimuth_deg=_shown(direction.get("azimuth_deg")),
        azimuth_from_deg=_shown(direction.get("azimuth_from_deg")),
        azimuth_to_deg=_shown(direction.get("azimuth_to_deg")),
        window_opens=_local(window.get("opens")),
        window_closes=_local(window.get("closes")),
        category=body.get("category") or "",
        generic_class=body.get("generic_class") or "",
        vehicle_name=body.get("vehicle_name") or "",
        test_flight="on" if body.get("test_flight") else "",
        range_km=_shown(body.get("range_km")),
        apogee_km=_shown(body.get("apogee_km")),
        remarks=body.get("remarks") or "",
        on_behalf_of=body.get("on_behalf_of") or "",
        national_reference=body.get("national_reference") or "",
        # A reviewed amendment's reason; a read model's `amendment_reason` is the last one's,
        # not this one's, so an amendment starts without.
        reason=body.get("reason") or "",
    )
    fields["impact_areas"] = [
        {
            "kind": a.get("kind") or "",
            "site_id": a.get("site_id") or "",
            "lat": _shown((a.get("center") or {}).get("lat")),
            "lon": _shown((a.get("center") or {}).get("lon")),
            "radius_km": _shown(a.get("radius_km")),
            "polygon": _lines(a.get("polygon")),
            "description": a.get("description") or "",
        }
        for a in body.get("impact_areas") or []
        if isinstance(a, dict)
    ]
    return fields


def slot_of(path: str) -> str:
    """The place on the form that shows a problem at an API field path."""
    m = _IMPACT_PATH.match(path)
    if m:
        return f"impact_{m.group(1)}"
    best = ""
    for prefix in SLOT_OF_PATH:
        if (path == prefix or path.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    return SLOT_OF_PATH[best] if best else "general"


def problems_by_slot(problems: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path, messages in problems.items():
        out.setdefault(slot_of(path), []).extend(messages)
    return out


def impact_rows(fields: dict, errors: dict[str, list[str]]) -> list[dict]:
    """The impact-area rows to show: those entered, then blank ones up to a few."""
    rows = list(fields.get("impact_areas") or [])
    rows += [{}] * max(MIN_IMPACT_ROWS - len(rows), 1 if len(rows) < MAX_IMPACT_ROWS else 0)
    return [
        {
            "i": i,
            "slot": f"impact_{i}",
            **{n: row.get(n, "") for n in IMPACT_FIELDS},
            "errors": errors.get(f"impact_{i}"),
        }
        for i, row in enumerate(rows)
    ]


def class_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Generic classes grouped by category, for an <optgroup> select."""
    return [
        (cat, [(c, f"{c} ({_(d)})") for c, (k, d) in GENERIC_CLASSES.items() if k == cat])
        for cat in Category.values
    ]


# ---- list filters, cancellation, launch report -----------------------------------------------


class FilterForm(forms.Form):
    # A list of names, as the inbox's (the API's `state` filter keeps the code).
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a state of the registry.")},
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("any"))] + [(c, _(category_words(c))) for c in Category.values],
    )
    generic_class = forms.ChoiceField(
        label=_("Generic class"),
        required=False,
        choices=[("", _("any"))] + [(c, c) for c in GENERIC_CLASSES],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any"))] + Status.choices
    )
    window_from = IsoDateField(label=_("Window from (UTC date)"), required=False)
    window_to = IsoDateField(label=_("Window to (UTC date)"), required=False)

    def __init__(self, data=None):

        # A code typed in the address (?state=fra, as the API takes it) still filters.
        if data is not None and data.get("state"):
            data = data.copy()
            data["state"] = data["state"].strip().upper()
        super().__init__(data)
        states = sorted(state_list(), key=lambda s: s["name"])
        self.fields["state"].choices = [("", _("any"))] + [(s["iso3"], s["name"]) for s in states]

    def selector_args(self) -> dict:
        """The selector's filters; invalid filters are left out (and shown as errors)."""
        self.is_valid()
        d = getattr(self, "cleaned_data", {})
        args = {
            "state": (d.get("state") or "").upper() or None,
            "category": d.get("category") or None,
            "generic_class": d.get("generic_class") or None,
            "status": d.get("status") or None,
        }
        if d.get("window_from"):
            args["window_from"] = datetime.combine(d["window_from"], time.min, tzinfo=UTC)
        if d.get("window_to"):
            args["window_to"] = datetime.combine(d["window_to"], time.max, tzinfo=UTC)
        return args


def cancellation_body(post) -> dict:
    return {"reason": _text(post.get("reason"))}


LAUNCH_REPORT_LABELS = {
    "launched_at": _("Launched at (UTC)"),
    "outcome": _("Outcome"),
    "remarks": _("Remarks"),
}
CANCELLATION_LABELS = {"reason": _("Reason")}


def launch_report_body(post) -> tuple[dict, dict[str, list[str]]]:
    """The API body of the launch-report form, and its time's problem (not ISO 8601)."""
    local: dict[str, list[str]] = {}
    body = {
        "launched_at": _time(post.get("launched_at", ""), local, "launched_at"),
        "outcome": post.get("outcome"),
    }
    body = {k: v for k, v in body.items() if v}
    if _text(post.get("remarks")):
        body["remarks"] = _text(post["remarks"])
    return body, local


OUTCOMES = LaunchOutcome.choices
