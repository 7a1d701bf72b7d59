"""A notification as a printable PDF: the marking, its facts and places, and a map drawn from
the same world outlines as the pages (world-atlas, cut at 180 degrees the same way as
static/hcoc/map.js) and the shapes stored with its version; page numbers "Page n of m"."""

import json
from datetime import UTC
from functools import cache
from io import BytesIO
from pathlib import Path

import shapely
from django.conf import settings
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from shapely.geometry import Polygon as ShapelyPolygon

from hcoc.lib.geo.states import WORDS
from hcoc.lib.timeutil import parse_rfc3339

MARKING = gettext_noop("Hague Code of Conduct: for subscribing States only")
ATLAS = "vendor/world-atlas/countries-110m.json"
# reportlab (and its fonts) takes about 0.3 s to import (compliance/report.py): deferred to the
# functions that draw, so no server worker pays it at start for a PDF few ask for.


def _atlas_path() -> Path:
    return Path(settings.STATICFILES_DIRS[0]) / ATLAS


def pdf_script(language: str | None = None):
    """How a PDF prints `language` (the active one unless given): its fonts (Noto for Russian,
    Arabic and Chinese, made into var/fonts the first time: `make setup` makes them) and its
    direction (hcoc.lib.pdfscripts). The compliance report prints with it too."""
    # Deferred: reportlab's import cost (the note at the top of this module).
    from hcoc.lib.pdfscripts import script_for

    return script_for(
        language or get_language() or settings.LANGUAGE_CODE,
        vendor=Path(settings.STATICFILES_DIRS[0]) / "vendor",
        cache=settings.VAR_DIR / "fonts",
    )


def _unwrap(ring: list[list[float]]) -> list[list[float]]:
    out, shift, prev = [], 0.0, None
    for lon, lat in ring:
        if prev is not None:
            if lon - prev > 180:
                shift -= 360
            elif lon - prev < -180:
                shift += 360
        prev = lon
        out.append([lon + shift, lat])
    if abs(out[-1][0] - out[0][0]) >= 180:  # round a pole: close along its edge of the map
        pole = -90.0 if sum(p[1] for p in out) < 0 else 90.0
        out += [[out[-1][0], pole], [out[0][0], pole]]
    return out


@cache
def world_rings() -> list[list[list[float]]]:
    """Every outer ring of world-atlas's countries, decoded from TopoJSON and unwrapped."""
    topo = json.loads(_atlas_path().read_text())
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([x * sx + tx, y * sy + ty])
        arcs.append(points)

    def ring(indexes):
        points = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points += arc if not points else arc[1:]
        return points

    rings = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry.get("arcs", [])
        rings += [_unwrap(ring(p[0])) for p in polygons if geometry["type"] != "Point"]
    return rings


def _polygons(geometry: dict | None) -> list[list[list[float]]]:
    if not geometry:
        return []
    if geometry["type"] == "Polygon":
        return [_unwrap(geometry["coordinates"][0])]
    if geometry["type"] == "MultiPolygon":
        return [_unwrap(p[0]) for p in geometry["coordinates"]]
    return []


def _near(ring, ref: float):
    mean = sum(p[0] for p in ring) / len(ring)
    k = round((ref - mean) / 360)
    return [[lon + 360 * k, lat] for lon, lat in ring]


def _clipped(ring, box: tuple[float, float, float, float]) -> list[list[tuple[float, float]]]:
    """The parts of a ring inside the map's box (reportlab does not clip a drawing)."""
    if len(ring) < 3:
        return []
    shape = shapely.make_valid(ShapelyPolygon(ring))
    inside = shapely.clip_by_rect(shape, *box)
    return [
        list(part.exterior.coords)
        for part in shapely.get_parts(inside)
        if part.geom_type == "Polygon" and not part.is_empty
    ]


def map_drawing(geometry: dict, point: list[float] | None, *, width: float, height: float):
    """A reportlab Drawing: outlines, launch area, corridor, impact areas, fitted to them."""
    # Deferred: reportlab's import cost (the note at the top of this module).
    from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, Rect
    from reportlab.lib import colors

    ref = point[1] if point else 0.0
    shapes = [("launch", r) for r in _polygons(geometry.get("launch_area"))]
    corridor = geometry.get("corridor")
    if corridor:
        shapes += [("corridor", r) for r in _polygons(corridor["geometry"])]
    for area in geometry.get("impact_areas") or []:
        shapes += [("impact", r) for r in _polygons(area["geometry"])]
    shapes = [(kind, _near(r, ref)) for kind, r in shapes]
    lons = [p[0] for _, r in shapes for p in r] + ([ref] if point else [])
    lats = [p[1] for _, r in shapes for p in r] + ([point[0]] if point else [])
    if not lons:
        lons, lats = [-180.0, 180.0], [-60.0, 80.0]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    pad = max(east - west, north - south, 4.0) * 0.25
    west, east, south, north = west - pad, east + pad, max(south - pad, -90), min(north + pad, 90)
    # Equal degrees both ways, as the pages' maps near the equator; the box keeps its aspect.
    scale = min(width / (east - west), height / (north - south))
    cx, cy = (west + east) / 2, (south + north) / 2
    box = (
        cx - width / 2 / scale,
        cy - height / 2 / scale,
        cx + width / 2 / scale,
        cy + height / 2 / scale,
    )

    def xy(ring):
        out = []
        for lon, lat in ring:
            out += [width / 2 + (lon - cx) * scale, height / 2 + (lat - cy) * scale]
        return out

    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=colors.HexColor("#dbeafe"), strokeWidth=0))
    land = Group()
    for ring in world_rings():
        for offset in (-360, 0, 360):
            lo = min(p[0] for p in ring) + offset
            hi = max(p[0] for p in ring) + offset
            if hi < box[0] or lo > box[2]:
                continue
            moved = [(lon + offset, lat) for lon, lat in ring]
            for part in _clipped(moved, box):
                land.add(
                    Polygon(
                        xy(part),
                        fillColor=colors.HexColor("#edf2f7"),
                        strokeColor=colors.HexColor("#718096"),
                        strokeWidth=0.3,
                    )
                )
    drawing.add(land)
    style = {
        "launch": ("#2c5282", 0.3),
        "corridor": ("#dd6b20", 0.3),
        "impact": ("#9b2c2c", 0.3),
    }
    for kind, ring in shapes:
        color, alpha = style[kind]
        for part in _clipped(ring, box):
            drawing.add(
                Polygon(
                    xy(part),
                    fillColor=colors.Color(*colors.HexColor(color).rgb(), alpha=alpha),
                    strokeColor=colors.HexColor(color),
                    strokeWidth=1,
                )
            )
    if point:
        x, y = xy([[ref, point[0]]])
        drawing.add(Circle(x, y, 3, fillColor=colors.HexColor("#3182ce")))
    return drawing


def _utc(value: str | None) -> str:
    """'2026-12-07 08:49 UTC', as every page shows a time (never RFC 3339's microseconds)."""
    if not value:
        return "—"
    return f"{parse_rfc3339(value).astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _named(code: str, names: dict[str, str]) -> str:
    """'France (FRA)': the name people read, the code beside it for the machines' tables; a
    territory the registry does not hold is named as the geography's sources name it
    (Antarctica (ATA), Niue (NIU): hcoc.states.names); a code no one names stays alone."""
    return f"{names[code]} ({code})" if code in names else code


def _words(codes) -> str:
    return ", ".join(_(WORDS.get(code, code)) for code in codes or [])


def notification_pdf(
    n: dict,
    *,
    geometry: dict,
    point,
    facts,
    places,
    notam: str,
    attribution: str,
    names: dict[str, str] | None = None,
) -> bytes:
    """The PDF of a notification's read model `n`; `names` maps the ISO codes it names (the
    notifying state, the affected ones) to the registry's names."""
    names = names or {}
    # Deferred: reportlab's import cost (the note at the top of this module).
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table

    script = pdf_script()
    para = script.paragraph
    marking = script.line(_(MARKING))

    class NumberedCanvas(Canvas):
        """Page n of m: pages are kept until the end, when m is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(script.bold, 8)
                self.drawCentredString(A4[0] / 2, A4[1] - 28, marking)
                self.setFont(script.regular, 8)
                page = _("Page %(page)s of %(pages)s") % {
                    "page": self._pageNumber,
                    "pages": total,
                }
                self.drawCentredString(A4[0] / 2, 20, script.line(f"{_(MARKING)} · {page}"))
                super().showPage()
            super().save()

    styles = script.styles()
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"{n['reference']} (HCoC)",
        author="HCoC Exchange",
        topMargin=48,
        bottomMargin=40,
    )
    body = styles["BodyText"]
    notam_style = ParagraphStyle(
        "notam", parent=styles["Code"], leftIndent=0, firstLineIndent=0, spaceBefore=0
    )
    # Every value goes through para() (script.paragraph): a state's free text (vehicle,
    # remarks, descriptions) must print as typed, never be read as reportlab's markup
    # (hcoc.lib.pdftext), and Arabic joined and right to left (hcoc.lib.pdfscripts).
    story = [
        para(
            _("Pre-launch notification %(reference)s") % {"reference": n["reference"]},
            styles["Title"],
        ),
        para(
            _("Notified by %(state)s, version %(version)s of %(at)s, status: %(status)s.")
            % {
                "state": _named(n["state"], names),
                "version": n["version"],
                "at": _utc(n["submitted_at"]),
                "status": n["status"],
            },
            body,
        ),
        Spacer(0, 8),
        Table(
            [
                script.row([para(label, body, bold=True), para(value, body)])
                for label, value in facts
            ],
            colWidths=script.row([110, 380]),
        ),
        Spacer(0, 8),
        map_drawing(geometry, point, width=480, height=300),
        para(attribution, styles["Italic"]),
        Spacer(0, 8),
        para(_("Where it flies"), styles["Heading2"]),
    ]
    for place in places:
        story.append(para(place["text"], body, lead=place["title"]))
        for p in place["points"]:
            story.append(para(f"{p['label']}: {p['decimal']} · {p['dms']}", body))
    affected = n.get("affected_states")
    story.append(para(_("States whose land or territorial sea it touches"), styles["Heading2"]))
    rows = [script.row([para(_("State"), body), para(_("Parts"), body), para(_("Zones"), body)])]
    rows += [
        script.row(
            [
                para(_named(a["state"], names), body),
                para(_words(a["parts"]), body),
                para(_words(a["zones"]), body),
            ]
        )
        for a in affected or []
    ]
    grid = Table(rows, colWidths=script.row([190, 170, 130]))
    grid.setStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#cbd5e0"))])
    story.append(grid)
    direction = n.get("in_planned_direction") or []
    if direction:
        story.append(para(_("In the planned direction; no range was notified"), styles["Heading3"]))
        story.append(
            para(
                _(
                    "Not concerned: the notification gives neither a range nor an impact "
                    "area, and these lie in its planned direction, within the length the "
                    "exchange drew: "
                )
                + "; ".join(f"{_named(a['state'], names)}: {_words(a['zones'])}" for a in direction)
                + ".",
                body,
            )
        )
    story.append(para(_("As a navigational warning"), styles["Heading2"]))
    # Each line wraps within the page (a Preformatted block ran off it, and the rest of a long
    # line was lost); the text's own line breaks stay.
    story += [para(line, notam_style) for line in notam.splitlines()]
    doc.build(story, canvasmaker=NumberedCanvas)
    return out.getvalue()
