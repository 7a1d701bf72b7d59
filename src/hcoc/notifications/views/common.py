"""What the notification pages share: read models as people read them."""

from django.utils.translation import gettext as _

from hcoc.lib.geo.coords import format_position
from hcoc.lib.timeutil import shown_utc
from hcoc.lib.vocabulary import category_words, impact_kind_words
from hcoc.notifications.maps import map_payload
from hcoc.sites.selectors import site_details
from hcoc.ui.bidi import free_text, isolating, joined, percent


def is_illustrative(read_model: dict) -> bool:
    return bool(read_model.get("imported")) or "ILLUSTRATIVE" in (read_model.get("remarks") or "")


def _n(value) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _kilometres(value, *, html: bool) -> str:
    """3000 -> '3000 km', in the reader's script ('3000 км', '3000 كم'), the number isolated in a
    page; '—' when not given."""
    if not value:
        return "—"
    return percent(_("%(km)s km"), {"km": isolating(html)(_n(value))}, html=html)


def _area_text(area: dict, sites: dict, *, html: bool) -> str:
    ltr = isolating(html)
    if area.get("site_id"):
        site = sites.get(area["site_id"])
        text = (
            percent(
                "%(name)s (%(id)s), %(position)s",
                {
                    "name": site["name"],
                    "id": ltr(area["site_id"]),
                    "position": ltr(format_position(site["lat"], site["lon"])),
                },
                html=html,
            )
            if site
            else ltr(area["site_id"])
        )
    elif area.get("center"):
        lat, lon = area["center"].get("lat"), area["center"].get("lon")
        text = percent(
            _("circle of %(r)s km around %(lat)s, %(lon)s (%(dms)s)"),
            {
                "r": ltr(_n(area.get("radius_km"))),
                "lat": ltr(_n(lat)),
                "lon": ltr(_n(lon)),
                "dms": ltr(format_position(lat, lon)),
            },
            html=html,
        )
    elif area.get("polygon"):
        corners = [ltr(format_position(p["lat"], p["lon"])) for p in area["polygon"]]
        text = percent(
            _("polygon: %(corners)s"),
            {"corners": joined("; ", corners[:6] + (["…"] if len(corners) > 6 else []), html=html)},
            html=html,
        )
    else:
        text = "—"
    # The area's description is the state's own words (dir="auto" in a page).
    if area.get("description"):
        text = joined(" ", [text, free_text(f"({area['description']})", html=html)], html=html)
    if area.get("kind"):
        text = joined(": ", [_(impact_kind_words(area["kind"])), text], html=html)
    return text


def _direction_text(d: dict, *, html: bool) -> str:
    # An azimuth (0 to 360, never signed) stays beside its "°" outside any isolate: the
    # bidirectional algorithm keeps "90°" one left-to-right run, which an isolate of "90" alone
    # would split from its sign.
    if d.get("azimuth_deg") is not None:
        return percent(_("azimuth %(a)s° true"), {"a": _n(d["azimuth_deg"])}, html=html)
    return percent(
        _("sector clockwise from %(a)s° to %(b)s° true"),
        {"a": _n(d.get("azimuth_from_deg")), "b": _n(d.get("azimuth_to_deg"))},
        html=html,
    )


def summary(content: dict, *, html: bool = False) -> list[tuple[str, str]]:
    """A PLN's content in plain words, for people checking what they send or receive: as text
    (the PDF), or with `html=True` as a page's HTML, its times, codes, coordinates and numbers
    isolated left to right and the state's own words with their own direction (hcoc.ui.bidi)."""
    ltr = isolating(html)
    window = content.get("window") or {}
    areas = [content.get("launch_area") or {}, *(content.get("impact_areas") or [])]
    sites = site_details({a["site_id"] for a in areas if a.get("site_id")})
    rows = [
        (_("Category"), _(category_words(content.get("category")))),
        (_("Generic class"), ltr(content.get("generic_class"))),
        (_("Vehicle"), free_text(content.get("vehicle_name"), html=html) or "—"),
        (_("Test flight"), _("yes") if content.get("test_flight") else _("no")),
    ]
    if window:
        times = [ltr(shown_utc(window.get("opens"))), ltr(shown_utc(window.get("closes")))]
        rows.append((_("Window"), joined(" – ", times, html=html)))
    rows += [
        (_("Launch area"), _area_text(content.get("launch_area") or {}, sites, html=html)),
        (
            _("Planned direction"),
            _direction_text(content.get("planned_direction") or {}, html=html),
        ),
        (
            _("Impact areas"),
            joined(
                "; ",
                [_area_text(a, sites, html=html) for a in content.get("impact_areas") or []],
                html=html,
            )
            or "—",
        ),
        (_("Range"), _kilometres(content.get("range_km"), html=html)),
        (_("Apogee"), _kilometres(content.get("apogee_km"), html=html)),
        (_("Remarks"), free_text(content.get("remarks"), html=html) or "—"),
    ]
    if content.get("national_reference"):
        rows.insert(
            0,
            (
                _("National reference (note number)"),
                free_text(content["national_reference"], html=html),
            ),
        )
    if content.get("amendment_reason"):
        rows.append(
            (_("Reason for the amendment"), free_text(content["amendment_reason"], html=html))
        )
    return rows


def map_data(read_models: list[dict], *, link: bool = True) -> dict:
    return map_payload(read_models, link=link)
