"""What the notification pages share: read models as people read them."""

from django.utils.translation import gettext as _

from hcoc.lib.geo.coords import format_position
from hcoc.lib.vocabulary import category_words, impact_kind_words
from hcoc.notifications.maps import map_payload
from hcoc.sites.selectors import site_details
from hcoc.ui.templatetags.hcoc import utc


def is_illustrative(read_model: dict) -> bool:
    return bool(read_model.get("imported")) or "ILLUSTRATIVE" in (read_model.get("remarks") or "")


def _n(value) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _kilometres(value) -> str:
    """3000 -> '3000 km', in the reader's script ('3000 км', '3000 كم'); '—' when not given."""
    return _("%(km)s km") % {"km": _n(value)} if value else "—"


def _area_text(area: dict, sites: dict) -> str:
    if area.get("site_id"):
        site = sites.get(area["site_id"])
        text = (
            f"{site['name']} ({area['site_id']}), {format_position(site['lat'], site['lon'])}"
            if site
            else area["site_id"]
        )
    elif area.get("center"):
        lat, lon = area["center"].get("lat"), area["center"].get("lon")
        text = _("circle of %(r)s km around %(lat)s, %(lon)s (%(dms)s)") % {
            "r": _n(area.get("radius_km")),
            "lat": _n(lat),
            "lon": _n(lon),
            "dms": format_position(lat, lon),
        }
    elif area.get("polygon"):
        corners = [format_position(p["lat"], p["lon"]) for p in area["polygon"]]
        text = _("polygon: %(corners)s") % {
            "corners": "; ".join(corners[:6]) + ("; …" if len(corners) > 6 else "")
        }
    else:
        text = "—"
    if area.get("description"):
        text += f" ({area['description']})"
    if area.get("kind"):
        text = f"{_(impact_kind_words(area['kind']))}: {text}"
    return text


def _direction_text(d: dict) -> str:
    if d.get("azimuth_deg") is not None:
        return _("azimuth %(a)s° true") % {"a": _n(d["azimuth_deg"])}
    return _("sector clockwise from %(a)s° to %(b)s° true") % {
        "a": _n(d.get("azimuth_from_deg")),
        "b": _n(d.get("azimuth_to_deg")),
    }


def summary(content: dict) -> list[tuple[str, str]]:
    """A PLN's content in plain words, for people checking what they send or receive."""
    window = content.get("window") or {}
    areas = [content.get("launch_area") or {}, *(content.get("impact_areas") or [])]
    sites = site_details({a["site_id"] for a in areas if a.get("site_id")})
    rows = [
        (_("Category"), _(category_words(content.get("category")))),
        (_("Generic class"), content.get("generic_class")),
        (_("Vehicle"), content.get("vehicle_name") or "—"),
        (_("Test flight"), _("yes") if content.get("test_flight") else _("no")),
    ]
    if window:
        rows.append((_("Window"), f"{utc(window.get('opens'))} – {utc(window.get('closes'))}"))
    rows += [
        (_("Launch area"), _area_text(content.get("launch_area") or {}, sites)),
        (_("Planned direction"), _direction_text(content.get("planned_direction") or {})),
        (
            _("Impact areas"),
            "; ".join(_area_text(a, sites) for a in content.get("impact_areas") or []) or "—",
        ),
        (_("Range"), _kilometres(content.get("range_km"))),
        (_("Apogee"), _kilometres(content.get("apogee_km"))),
        (_("Remarks"), content.get("remarks") or "—"),
    ]
    if content.get("national_reference"):
        rows.insert(0, (_("National reference (note number)"), content["national_reference"]))
    if content.get("amendment_reason"):
        rows.append((_("Reason for the amendment"), content["amendment_reason"]))
    return rows


def map_data(read_models: list[dict], *, link: bool = True) -> dict:
    return map_payload(read_models, link=link)
