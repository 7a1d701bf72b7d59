"""Notifications in the formats people carry them in: GeoJSON and KML (one notification or a
filtered list), and an iCalendar feed of launch windows. Every shape is the one stored with its
version (NotificationVersion.geometry), as the maps draw it; nothing is computed here."""

from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

import icalendar
from django.utils.translation import gettext as _

from hcoc.lib.timeutil import parse_rfc3339

from .maps import ATTRIBUTION, version_geometries

GEOJSON_TYPE = "application/geo+json"
KML_TYPE = "application/vnd.google-earth.kml+xml"
ICAL_TYPE = "text/calendar; charset=utf-8"


def _common(n: dict) -> dict[str, Any]:
    window = n.get("window") or {}
    return {
        "reference": n["reference"],
        "version": n["version"],
        "state": n["state"],
        "status": n["status"],
        "category": n["category"],
        "generic_class": n["generic_class"],
        "vehicle_name": n.get("vehicle_name"),
        "window_opens": window.get("opens"),
        "window_closes": window.get("closes"),
    }


def features(n: dict, geometry: dict) -> list[dict[str, Any]]:
    """The launch area, the corridor and each impact area of one notification as Features."""
    common = _common(n)
    out = []
    if geometry.get("launch_area"):
        out.append(
            {
                "type": "Feature",
                "geometry": geometry["launch_area"],
                "properties": {**common, "part": "launch_area", **_area_props(n["launch_area"])},
            }
        )
    corridor = geometry.get("corridor")
    if corridor:
        props = {k: v for k, v in corridor["properties"].items() if k != "axis"}
        out.append(
            {
                "type": "Feature",
                "geometry": corridor["geometry"],
                "properties": {**common, "part": "corridor", **props},
            }
        )
    for i, area in enumerate(geometry.get("impact_areas") or []):
        sent = (n.get("impact_areas") or [{}] * (i + 1))[i]
        out.append(
            {
                "type": "Feature",
                "geometry": area["geometry"],
                "properties": {
                    **common,
                    "part": "impact_area",
                    "index": i,
                    "kind": area.get("kind"),
                    **_area_props(sent),
                },
            }
        )
    return out


def _area_props(area: dict) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key in ("site_id", "radius_km", "description"):
        if area.get(key) is not None:
            props[key] = area[key]
    return props


def feature_collection(read_models: list[dict]) -> dict[str, Any]:
    geometries = version_geometries([n["seq"] for n in read_models])
    items = []
    for n in read_models:
        items += features(n, geometries.get(n["seq"], {}))
    # `attribution` is a foreign member (RFC 7946, 6.1): the affected states and the belts come
    # from OpenStreetMap, and whoever passes the file on passes the credit on.
    return {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": items}


# ---- KML ----------------------------------------------------------------------------------


def _coords(ring) -> str:
    return " ".join(f"{lon},{lat}" for lon, lat in ring)


def _kml_geometry(geometry: dict) -> str:
    kind, c = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return f"<Point><coordinates>{c[0]},{c[1]}</coordinates></Point>"
    if kind == "LineString":
        return f"<LineString><coordinates>{_coords(c)}</coordinates></LineString>"
    if kind == "Polygon":
        inner = "".join(
            f"<innerBoundaryIs><LinearRing><coordinates>{_coords(r)}</coordinates>"
            "</LinearRing></innerBoundaryIs>"
            for r in c[1:]
        )
        return (
            f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{_coords(c[0])}</coordinates>"
            f"</LinearRing></outerBoundaryIs>{inner}</Polygon>"
        )
    parts = {"MultiPolygon": "Polygon", "MultiLineString": "LineString", "MultiPoint": "Point"}
    if kind in parts:
        inner = "".join(_kml_geometry({"type": parts[kind], "coordinates": p}) for p in c)
        return f"<MultiGeometry>{inner}</MultiGeometry>"
    return ""


STYLES = {
    "launch_area": ("launch", "ff82522c", "4082522c"),
    "corridor": ("corridor", "ff206bdd", "40206bdd"),
    "impact_area": ("impact", "ff2c2c9b", "402c2c9b"),
}


def kml(read_models: list[dict], *, name: str) -> str:
    """A KML 2.2 document: a Folder per notification, a Placemark per part (split at 180
    degrees as stored: viewers join the pieces)."""
    geometries = version_geometries([n["seq"] for n in read_models])
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>',
        f"<name>{escape(name)}</name>",
        f"<description>{escape(ATTRIBUTION)}</description>",
    ]
    for style, line, fill in STYLES.values():
        out.append(
            f'<Style id="{style}"><LineStyle><color>{line}</color><width>2</width></LineStyle>'
            f"<PolyStyle><color>{fill}</color></PolyStyle></Style>"
        )
    for n in read_models:
        window = n.get("window") or {}
        out.append(f"<Folder><name>{escape(n['reference'])} {escape(n['generic_class'])}</name>")
        if window:
            out.append(
                f"<TimeSpan><begin>{window['opens']}</begin><end>{window['closes']}</end>"
                "</TimeSpan>"
            )
        for feature in features(n, geometries.get(n["seq"], {})):
            props = feature["properties"]
            part = props["part"]
            label = part.replace("_", " ")
            if part == "impact_area":
                label = f"impact area {props['index'] + 1} ({props.get('kind')})"
            out.append(
                f"<Placemark><name>{escape(n['reference'])}: {escape(label)}</name>"
                f"<styleUrl>#{STYLES[part][0]}</styleUrl>{_kml_geometry(feature['geometry'])}"
                "</Placemark>"
            )
        out.append("</Folder>")
    out.append("</Document></kml>")
    return "\n".join(out)


# ---- iCalendar ----------------------------------------------------------------------------


def calendar(read_models: list[dict], *, now: datetime, base_url: str) -> bytes:
    """One VEVENT per launch window (unnotified launches have none), UID stable per
    notification, SEQUENCE the version, so a calendar updates an amended window in place."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//HCoC Exchange//launch windows//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "HCoC launch windows")
    for n in read_models:
        window = n.get("window")
        if not window:
            continue
        event = icalendar.Event()
        event.add("uid", f"{n['reference']}@hcoc-exchange")
        event.add("sequence", n["version"] - 1)
        event.add("dtstamp", now)
        event.add("dtstart", parse_rfc3339(window["opens"]))
        event.add("dtend", parse_rfc3339(window["closes"]))
        what = n["generic_class"] + (f" {n['vehicle_name']}" if n.get("vehicle_name") else "")
        event.add("summary", f"{n['reference']} {what} ({n['state']})")
        if n["status"] == "cancelled":
            event.add("status", "CANCELLED")
        states = ", ".join(s["state"] for s in n.get("affected_states") or [])
        event.add(
            "description",
            _("Pre-launch notification %(reference)s, version %(version)s, %(status)s.")
            % {"reference": n["reference"], "version": n["version"], "status": n["status"]}
            + ((" " + _("Affected states: %(states)s.") % {"states": states}) if states else "")
            + " "
            + _("Hague Code of Conduct: for subscribing States only."),
        )
        event.add("url", f"{base_url}/notifications/{n['reference']}")
        cal.add_component(event)
    return cal.to_ical()
