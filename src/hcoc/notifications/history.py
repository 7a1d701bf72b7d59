"""A notification's versions in words: what each amendment changed, as sentences ("Window moved
from 2026-12-10 06:00 UTC – 2026-12-10 08:00 UTC to …", "Planned direction changed from azimuth
90° to 95°"), for the notification's page. Reads versions as `version_read_model` gives them."""

from typing import Any

from django.utils.translation import gettext as _

from hcoc.lib.timeutil import parse_rfc3339
from hcoc.lib.vocabulary import category_words
from hcoc.ui.bidi import free_text, isolating, joined, percent


def _n(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _time(text: str | None, ltr) -> str:
    """2026-12-10T06:00:00Z -> 2026-12-10 06:00 UTC (seconds when set)."""
    if not text:
        return "—"
    try:
        t = parse_rfc3339(text)
    except ValueError:
        return ltr(text)
    return ltr(t.strftime("%Y-%m-%d %H:%M:%S UTC" if t.second else "%Y-%m-%d %H:%M UTC"))


def _window(w: dict | None, *, html: bool) -> str:
    w = w or {}
    ltr = isolating(html)
    return joined(" – ", [_time(w.get("opens"), ltr), _time(w.get("closes"), ltr)], html=html)


def _direction(d: dict | None, *, html: bool) -> str:
    # An azimuth stays beside its "°", in no isolate (views.common._direction_text says why).
    d = d or {}
    if d.get("azimuth_deg") is not None:
        return percent(_("azimuth %(a)s°"), {"a": _n(d["azimuth_deg"])}, html=html)
    return percent(
        _("the sector %(a)s° to %(b)s°"),
        {"a": _n(d.get("azimuth_from_deg")), "b": _n(d.get("azimuth_to_deg"))},
        html=html,
    )


def _directions(before: dict | None, after: dict | None, *, html: bool) -> str:
    """ "from azimuth 90° to 95°": the second azimuth without repeating the word."""
    a, b = _direction(before, html=html), _direction(after, html=html)
    both_azimuths = (before or {}).get("azimuth_deg") is not None and (after or {}).get(
        "azimuth_deg"
    ) is not None
    if both_azimuths:
        b = f"{_n(after['azimuth_deg'])}°"
    return percent(_("Planned direction changed from %(a)s to %(b)s"), {"a": a, "b": b}, html=html)


def _quantity(label: str, unit: str, before: Any, after: Any, *, html: bool) -> str:
    ltr = isolating(html)
    if before is None:
        return percent(
            _("%(label)s given: %(v)s%(unit)s"),
            {"label": label, "v": ltr(_n(after) + unit), "unit": ""},
            html=html,
        )
    if after is None:
        return percent(
            _("%(label)s removed (was %(v)s%(unit)s)"),
            {"label": label, "v": ltr(_n(before) + unit), "unit": ""},
            html=html,
        )
    return percent(
        _("%(label)s changed from %(a)s%(unit)s to %(b)s%(unit)s"),
        {"label": label, "a": ltr(_n(before) + unit), "b": ltr(_n(after) + unit), "unit": ""},
        html=html,
    )


def _text_change(
    label: str, before: str | None, after: str | None, *, quote: bool, html: bool
) -> str:
    """The state's own words are quoted as sent (with their own direction in a page)."""
    if not quote:
        return _("%(label)s changed") % {"label": label}
    if not before:
        return percent(
            _("%(label)s given: “%(v)s”"),
            {"label": label, "v": free_text(after, html=html)},
            html=html,
        )
    if not after:
        return percent(
            _("%(label)s removed (was “%(v)s”)"),
            {"label": label, "v": free_text(before, html=html)},
            html=html,
        )
    return percent(
        _("%(label)s changed from “%(a)s” to “%(b)s”"),
        {"label": label, "a": free_text(before, html=html), "b": free_text(after, html=html)},
        html=html,
    )


def changes(before: dict, after: dict, *, html: bool = False) -> list[str]:
    """What `after` (a version's read model) changed against `before`, one sentence each, in
    the order of the form: as text (an e-mail), or with `html=True` as a page's HTML, its times
    and numbers isolated left to right and the state's words with their own direction
    (hcoc.ui.bidi)."""
    b, a = before.get("content") or {}, after.get("content") or {}
    ltr = isolating(html)
    out: list[str] = []
    if (b.get("window") or None) != (a.get("window") or None):
        out.append(
            percent(
                _("Window moved from %(a)s to %(b)s"),
                {
                    "a": _window(b.get("window"), html=html),
                    "b": _window(a.get("window"), html=html),
                },
                html=html,
            )
        )
    if b.get("launch_area") != a.get("launch_area"):
        out.append(_("Launch area changed"))
    if b.get("planned_direction") != a.get("planned_direction"):
        out.append(_directions(b.get("planned_direction"), a.get("planned_direction"), html=html))
    for key, label, words in (
        ("category", _("Category"), lambda value: _(category_words(value))),
        ("generic_class", _("Generic class"), lambda v: ltr(v) if v else "—"),
    ):
        if b.get(key) != a.get(key):
            out.append(
                percent(
                    _("%(label)s changed from %(a)s to %(b)s"),
                    {"label": label, "a": words(b.get(key)), "b": words(a.get(key))},
                    html=html,
                )
            )
    if b.get("vehicle_name") != a.get("vehicle_name"):
        out.append(
            _text_change(
                _("Vehicle"), b.get("vehicle_name"), a.get("vehicle_name"), quote=True, html=html
            )
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
            out.append(_quantity(label, " km", b.get(key), a.get(key), html=html))
    if (b.get("remarks") or None) != (a.get("remarks") or None):
        out.append(
            _text_change(_("Remarks"), b.get("remarks"), a.get("remarks"), quote=False, html=html)
        )
    if before.get("national_reference") != after.get("national_reference"):
        out.append(
            _text_change(
                _("National reference"),
                before.get("national_reference"),
                after.get("national_reference"),
                quote=True,
                html=html,
            )
        )
    return out


def history(versions: list[dict], *, html: bool = False) -> list[dict]:
    """Each version (oldest first) with `changes`: its sentences against the version before
    (none for the first), `first`, and its `reason` and `national_reference` as given."""
    out, before = [], None
    for v in versions:
        out.append(
            {
                **v,
                "first": before is None,
                "changes": [] if before is None else changes(before, v, html=html),
                "reason": v.get("reason"),
                "national_reference": v.get("national_reference"),
            }
        )
        before = v
    return out
