"""A notification's versions in words: what each amendment changed, as sentences ("Window moved
from 2026-12-10 06:00 UTC – 2026-12-10 08:00 UTC to …", "Planned direction changed from azimuth
90° to 95°"), for the notification's page. Reads versions as `version_read_model` gives them."""

from typing import Any

from django.utils.translation import gettext as _

from hcoc.lib.timeutil import parse_rfc3339
from hcoc.lib.vocabulary import category_words


def _n(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _time(text: str | None) -> str:
    """2026-12-10T06:00:00Z -> 2026-12-10 06:00 UTC (seconds when set)."""
    if not text:
        return "—"
    try:
        t = parse_rfc3339(text)
    except ValueError:
        return text
    return t.strftime("%Y-%m-%d %H:%M:%S UTC" if t.second else "%Y-%m-%d %H:%M UTC")


def _window(w: dict | None) -> str:
    w = w or {}
    return f"{_time(w.get('opens'))} – {_time(w.get('closes'))}"


def _direction(d: dict | None) -> str:
    d = d or {}
    if d.get("azimuth_deg") is not None:
        return _("azimuth %(a)s°") % {"a": _n(d["azimuth_deg"])}
    return _("the sector %(a)s° to %(b)s°") % {
        "a": _n(d.get("azimuth_from_deg")),
        "b": _n(d.get("azimuth_to_deg")),
    }


def _directions(before: dict | None, after: dict | None) -> str:
    """ "from azimuth 90° to 95°": the second azimuth without repeating the word."""
    a, b = _direction(before), _direction(after)
    both_azimuths = (before or {}).get("azimuth_deg") is not None and (after or {}).get(
        "azimuth_deg"
    ) is not None
    if both_azimuths:
        b = f"{_n(after['azimuth_deg'])}°"
    return _("Planned direction changed from %(a)s to %(b)s") % {"a": a, "b": b}


def _quantity(label: str, unit: str, before: Any, after: Any) -> str:
    if before is None:
        return _("%(label)s given: %(v)s%(unit)s") % {"label": label, "v": _n(after), "unit": unit}
    if after is None:
        return _("%(label)s removed (was %(v)s%(unit)s)") % {
            "label": label,
            "v": _n(before),
            "unit": unit,
        }
    return _("%(label)s changed from %(a)s%(unit)s to %(b)s%(unit)s") % {
        "label": label,
        "a": _n(before),
        "b": _n(after),
        "unit": unit,
    }


def _text_change(label: str, before: str | None, after: str | None, *, quote: bool) -> str:
    if not quote:
        return _("%(label)s changed") % {"label": label}
    if not before:
        return _("%(label)s given: “%(v)s”") % {"label": label, "v": after}
    if not after:
        return _("%(label)s removed (was “%(v)s”)") % {"label": label, "v": before}
    return _("%(label)s changed from “%(a)s” to “%(b)s”") % {
        "label": label,
        "a": before,
        "b": after,
    }


def changes(before: dict, after: dict) -> list[str]:
    """What `after` (a version's read model) changed against `before`, one sentence each, in
    the order of the form."""
    b, a = before.get("content") or {}, after.get("content") or {}
    out: list[str] = []
    if (b.get("window") or None) != (a.get("window") or None):
        out.append(
            _("Window moved from %(a)s to %(b)s")
            % {"a": _window(b.get("window")), "b": _window(a.get("window"))}
        )
    if b.get("launch_area") != a.get("launch_area"):
        out.append(_("Launch area changed"))
    if b.get("planned_direction") != a.get("planned_direction"):
        out.append(_directions(b.get("planned_direction"), a.get("planned_direction")))
    for key, label, words in (
        ("category", _("Category"), lambda value: _(category_words(value))),
        ("generic_class", _("Generic class"), lambda v: v or "—"),
    ):
        if b.get(key) != a.get(key):
            out.append(
                _("%(label)s changed from %(a)s to %(b)s")
                % {"label": label, "a": words(b.get(key)), "b": words(a.get(key))}
            )
    if b.get("vehicle_name") != a.get("vehicle_name"):
        out.append(
            _text_change(_("Vehicle"), b.get("vehicle_name"), a.get("vehicle_name"), quote=True)
        )
    if bool(b.get("test_flight")) != bool(a.get("test_flight")):
        out.append(_("Now a test flight") if a.get("test_flight") else _("No longer a test flight"))
    if (b.get("impact_areas") or []) != (a.get("impact_areas") or []):
        nb, na = len(b.get("impact_areas") or []), len(a.get("impact_areas") or [])
        if nb == na:
            out.append(_("Impact areas changed"))
        else:
            out.append(_("Impact areas changed: %(a)d before, %(b)d now") % {"a": nb, "b": na})
    for key, label in (("range_km", _("Range")), ("apogee_km", _("Apogee"))):
        if b.get(key) != a.get(key):
            out.append(_quantity(label, " km", b.get(key), a.get(key)))
    if (b.get("remarks") or None) != (a.get("remarks") or None):
        out.append(_text_change(_("Remarks"), b.get("remarks"), a.get("remarks"), quote=False))
    if before.get("national_reference") != after.get("national_reference"):
        out.append(
            _text_change(
                _("National reference"),
                before.get("national_reference"),
                after.get("national_reference"),
                quote=True,
            )
        )
    return out


def history(versions: list[dict]) -> list[dict]:
    """Each version (oldest first) with `changes`: its sentences against the version before
    (none for the first), `first`, and its `reason` and `national_reference` as given."""
    out, before = [], None
    for v in versions:
        out.append(
            {
                **v,
                "first": before is None,
                "changes": [] if before is None else changes(before, v),
                "reason": v.get("reason"),
                "national_reference": v.get("national_reference"),
            }
        )
        before = v
    return out
