"""Where a notification flies, in words and coordinates people read: each place (the launch site
or area, the corridor's start and end, every impact area) with its positions in decimal degrees
and in degrees, minutes and seconds, and the NOTAM-style text (hcoc.lib.geo.notam). Read from
the read model and the catalogue; nothing is computed from the boundaries here."""

from typing import Any

from django.utils.translation import gettext as _

from hcoc.lib.geo.coords import format_position
from hcoc.lib.geo.notam import notam_text
from hcoc.lib.vocabulary import impact_kind_words, km_text
from hcoc.sites.selectors import site_details
from hcoc.ui.bidi import free_text, isolating, joined, percent

KM_PER_NM = 1.852


def position(lat: float, lon: float, label: str = "") -> dict[str, str]:
    """{"label", "decimal": "-16.50000, 179.50000", "dms": "16°30'00\"S 179°30'00\"E"}."""
    return {
        "label": label,
        "decimal": f"{lat:.5f}, {lon:.5f}",
        "dms": format_position(lat, lon),
    }


def _sites(read_model: dict) -> dict[str, dict[str, Any]]:
    areas = [read_model.get("launch_area") or {}, *(read_model.get("impact_areas") or [])]
    return site_details({a["site_id"] for a in areas if a.get("site_id")})


def _area(area: dict, sites: dict, *, title: str, html: bool) -> dict[str, Any]:
    place: dict[str, Any] = {"title": title, "text": "", "points": []}
    ltr = isolating(html)
    if area.get("site_id"):
        site = sites.get(area["site_id"])
        if site is None:
            place["text"] = percent(
                _("site %(id)s (not in the catalogue)"), {"id": ltr(area["site_id"])}, html=html
            )
        else:
            place["text"] = percent(
                "%(name)s (%(id)s)", {"name": site["name"], "id": ltr(area["site_id"])}, html=html
            )
            place["points"] = [position(site["lat"], site["lon"], _("site"))]
    elif area.get("center"):
        radius = float(area["radius_km"])
        place["text"] = percent(
            _("circle of %(km)s km (%(nm)s NM) radius"),
            {"km": ltr(km_text(radius)), "nm": ltr(km_text(round(radius / KM_PER_NM, 1)))},
            html=html,
        )
        place["points"] = [position(area["center"]["lat"], area["center"]["lon"], _("centre"))]
    elif area.get("polygon"):
        vertices = area["polygon"]
        place["text"] = percent(_("polygon of %(n)d vertices"), {"n": len(vertices)}, html=html)
        place["points"] = [
            position(p["lat"], p["lon"], _("vertex %(i)d") % {"i": i})
            for i, p in enumerate(vertices, start=1)
        ]
    if area.get("description"):  # the state's own words
        place["text"] = joined(
            " · ", [place["text"], free_text(area["description"], html=html)], html=html
        )
    return place


# What people read for the lower tier, wherever it is shown (page, PDF, confirmation).
DIRECTION_WORDS = "in the planned direction; no range was notified"


def corridor_text(corridor: dict, generic_class: str, *, html: bool = False) -> str:
    """Where the corridor's length comes from, in a sentence (docs/geography.md, two tiers): as
    text, or as a page's HTML with its figures isolated left to right (hcoc.ui.bidi)."""
    props = corridor["properties"]
    ltr = isolating(html)
    length = ltr(km_text(props["length_km"]))
    source = props["length_source"]
    if source == "range_km":
        text = percent(_("%(km)s km, the notified range"), {"km": length}, html=html)
    elif source == "impact_area":
        text = percent(
            _("%(km)s km, as far as the farthest impact area (the notification gives no range)"),
            {"km": length},
            html=html,
        )
    elif source == "class_upper_bound":
        text = percent(
            _(
                "%(km)s km in the planned direction; no range was notified. The upper bound of "
                "the %(cls)s class's range, an estimate of the exchange: the states it reaches "
                "are listed apart and are not concerned"
            ),
            {"km": length, "cls": ltr(generic_class)},
            html=html,
        )
    else:
        text = percent(
            _(
                "%(km)s km in the planned direction; no range was notified. A nominal length "
                "for this class, an estimate of the exchange: the states it reaches are listed "
                "apart and are not concerned"
            ),
            {"km": length},
            html=html,
        )
    if props.get("length_capped"):
        text = joined(
            " ", [text, _("(drawn to 20,000 km, about half the Earth's circumference)")], html=html
        )
    return text


def is_direction_only(read_model: dict) -> bool:
    """Whether the corridor shows only the planned direction (no length was notified)."""
    corridor = read_model.get("corridor") or {}
    return (corridor.get("properties") or {}).get("tier") == "planned_direction"


def places(read_model: dict, *, html: bool = False) -> list[dict[str, Any]]:
    """The launch area, the corridor and each impact area, each with its positions: their text
    as text (the PDF), or with `html=True` as a page's HTML (hcoc.ui.bidi)."""
    sites = _sites(read_model)
    out = [_area(read_model.get("launch_area") or {}, sites, title=_("Launch area"), html=html)]
    corridor = read_model.get("corridor")
    if corridor:
        props = corridor["properties"]
        ends = props["ends"]
        points = [position(props["start"]["lat"], props["start"]["lon"], _("start"))]
        if len(ends) == 1:
            points.append(position(ends[0]["lat"], ends[0]["lon"], _("end")))
        else:
            points += [
                position(e["lat"], e["lon"], _("end of side %(i)d") % {"i": i})
                for i, e in enumerate(ends, start=1)
            ]
        out.append(
            {
                "title": _("Planned direction (no range was notified)")
                if is_direction_only(read_model)
                else _("Corridor of the planned direction"),
                "text": corridor_text(corridor, read_model.get("generic_class", ""), html=html),
                "points": points,
            }
        )
    for i, area in enumerate(read_model.get("impact_areas") or [], start=1):
        kind = _(impact_kind_words(area.get("kind")))
        title = _("Impact area %(i)d (%(kind)s)") % {"i": i, "kind": kind}
        out.append(_area(area, sites, title=title, html=html))
    return out


def notam_for(read_model: dict) -> str:
    """The notification as NOTAM / NAVAREA-style text, sites resolved from the catalogue."""
    sites = _sites(read_model)

    def lookup(site_id: str) -> tuple[float, float] | None:
        site = sites.get(site_id)
        return (site["lat"], site["lon"]) if site else None

    return notam_text(read_model, site_lookup=lookup, reference=read_model.get("reference"))


def concerns(read_model: dict, state: str | None) -> dict[str, Any] | None:
    """The affected_states row of `state`, if the notification touches its land or sea."""
    if not state:
        return None
    return next(
        (row for row in read_model.get("affected_states") or [] if row["state"] == state), None
    )
