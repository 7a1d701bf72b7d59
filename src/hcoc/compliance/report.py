"""The report for the Regular Meeting: an XLSX workbook and a PDF, from the same selectors as
the compliance page and the API (so their figures are the same figures)."""

from datetime import UTC
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hcoc.lib.timeutil import duration_text
from hcoc.notifications.pdf import pdf_script

from .selectors import COUNTS, STANDING_LABELS, compliance_for, named_for_reader
from .trends import trends_for

# The distribution marking, on every page of the PDF and in the workbook (as on printed pages).
MARKING = gettext_noop("Hague Code of Conduct: for subscribing States only")
NO_DATA = gettext_noop("no data")

COLUMNS = [
    ("state", gettext_noop("State")),
    ("name", gettext_noop("Name")),
    ("declaration", gettext_noop("Declaration")),
    ("plns", gettext_noop("PLNs")),
    ("plns_late", gettext_noop("PLNs late")),
    ("cancelled", gettext_noop("Cancelled")),
    ("launched", gettext_noop("Launched")),
    ("unreported", gettext_noop("Unreported")),
    ("unnotified", gettext_noop("Unnotified launches")),
    ("differences", gettext_noop("Differences (declared - reported)")),
    ("mean_lead_time_hours", gettext_noop("Mean lead time (h)")),
]


def _differences(row: dict) -> str:
    return "; ".join(f"{d['generic_class']} {d['difference']:+d}" for d in row["differences"])


def _cell(row: dict, key: str):
    if key == "differences":
        return _differences(row)
    if key == "declaration":
        return _(STANDING_LABELS[row[key]])
    return row[key]


def declarations_summary(totals: dict) -> str:
    """The year's declarations in words, as the page's totals say them."""
    return (
        _(
            "%(filed)s filed, %(late)s late, %(nil)s nil, %(missing)s missing, "
            "%(not_due)s not yet due, %(unknown)s not known"
        )
        % totals
    )


def year_ranges(years: list[int]) -> str:
    """[2002, 2003, 2004, 2010] -> "2002–2004, 2010"."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def _made(data: dict) -> str:
    return f"{data['made_at']:%Y-%m-%d %H:%M} UTC"


def _or_no_data(value):
    return _(NO_DATA) if value is None else value


def report_data(*, actor, year: int) -> dict:
    table = compliance_for(actor=actor, year=year)
    table["items"] = named_for_reader(table["items"])
    return {
        "year": year,
        "table": table,
        "trends": trends_for(actor=actor),
        "made_at": timezone.now().astimezone(UTC),
    }


# openpyxl and reportlab are imported by the two functions that use them, not at the top: they
# take about 0.3 s and 40 MiB to import (measured here), which every server worker would pay at
# start for a report few ever ask for.


def report_xlsx(data: dict) -> bytes:
    # Deferred: see the note above.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    year, table = data["year"], data["table"]
    wb = Workbook()
    ws = wb.active
    ws.title = _("Compliance %(year)s") % {"year": year}
    ws.append(
        [
            _("HCoC compliance %(year)s, report of %(made)s.") % {"year": year, "made": _made(data)}
            + f" {_(MARKING)}"
        ]
    )
    ws.append([_(label) for _key, label in COLUMNS])
    for row in table["items"]:
        ws.append([_cell(row, key) for key, _label in COLUMNS])
    totals = table["totals"]
    ws.append(
        [
            _("Total"),
            _("%(count)s states") % {"count": totals["states"]},
            declarations_summary(totals),
            *[totals[k] for k in COUNTS],
            totals["states_with_differences"],
            totals["mean_lead_time_hours"],
        ]
    )
    for cell in ws[2]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "C3"
    for sheet_header in (ws.oddHeader, ws.evenHeader):
        sheet_header.center.text = _(MARKING)

    diff = wb.create_sheet(_("Discrepancies"))
    diff.append([_("State"), _("Generic class"), _("Declared"), _("Reported"), _("Difference")])
    for row in table["items"]:
        for d in row["differences"]:
            diff.append(
                [row["state"], d["generic_class"], d["declared"], d["reported"], d["difference"]]
            )

    trend = wb.create_sheet(_("Trends"))
    trend.append(
        [
            _("Year"),
            _("Subscribing states (the Code, where a source gives it)"),
            _("As of"),
            _("In this registry"),
            _("Not known to have subscribed"),
            _("Declarations"),
            _("Filed %"),
            _("On time %"),
            _("Not yet due"),
            _("PLNs BM"),
            _("PLNs SLV"),
        ]
    )
    for r in data["trends"]:
        trend.append(
            [
                r["year"],
                _("not known") if r["code_states"] is None else r["code_states"],
                r["code_states_as_of"] or "",
                r["states"],
                r["unknown"],
                *(
                    _or_no_data(r[k])
                    for k in ("declared", "declared_pct", "on_time_pct", "not_due", "bm", "slv")
                ),
            ]
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def report_pdf(data: dict) -> bytes:
    """Landscape A4: on every page the title, the date of the report (UTC), the marking and
    "Page n of N"; the year's totals, the trend charts (a gap where there is no data) and the
    table of states with their names."""
    # Deferred: see the note above report_xlsx.
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    # How the PDF prints the language it is read in: Noto for Russian, Arabic and Chinese,
    # Arabic joined and right to left (hcoc.lib.pdfscripts), as a notification's PDF does.
    script = pdf_script()
    para, line = script.paragraph, script.line
    year, table, totals = data["year"], data["table"], data["table"]["totals"]
    title = _("HCoC compliance %(year)s") % {"year": year}
    made = _("Report of %(made)s") % {"made": _made(data)}
    marking = _(MARKING)

    class NumberedCanvas(Canvas):
        """Draws each page's frame once the number of pages is known ("Page n of N")."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for n, page in enumerate(self._pages, start=1):
                self.__dict__.update(page)
                self._frame(n, len(self._pages))
                super().showPage()
            super().save()

        def _frame(self, n: int, of: int):
            width, height = self._pagesize
            self.saveState()
            self.setFont(script.bold, 9)
            self.drawCentredString(width / 2, height - 10 * mm, line(marking))
            self.drawCentredString(width / 2, 8 * mm, line(marking))
            self.setFont(script.regular, 8)
            page = line(_("Page %(page)s of %(pages)s") % {"page": n, "pages": of})
            # The title where a line starts, the page's number where it ends: mirrored in Arabic.
            if script.right_to_left:
                self.drawRightString(width - 15 * mm, height - 15 * mm, line(f"{title}. {made}"))
                self.drawString(15 * mm, 8 * mm, page)
            else:
                self.drawString(15 * mm, height - 15 * mm, f"{title}. {made}")
                self.drawRightString(width - 15 * mm, 8 * mm, page)
            self.restoreState()

    styles = script.styles()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8.5)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        title=title,
        author="HCoC Exchange",
        subject=marking,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=20 * mm,
        bottomMargin=16 * mm,
    )
    story = [
        para(title, styles["Title"]),
        para(
            _(
                "%(states)s subscribing states. Declarations: %(declarations)s (not known: "
                "the state is not known to have subscribed in %(year)s, counted apart, "
                "never as missing). Pre-launch notifications: %(plns)s (%(plns_late)s "
                "late), %(launched)s launched, %(unreported)s unreported, %(unnotified)s "
                "unnotified launches."
            )
            % {**totals, "declarations": declarations_summary(totals), "year": year}
            + f" {made}.",
            styles["Normal"],
        ),
        Spacer(0, 12),
    ]
    trends = data["trends"]
    chart_row = []
    for key, caption in (
        ("declared_pct", _("Filed a declaration (% of the states known to subscribe)")),
        ("on_time_pct", _("Filed on time (%)")),
    ):
        drawing = Drawing(370, 190)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 40, 36, 320, 140
        chart.data = [[r[key] for r in trends]]  # None: no data, drawn as a gap
        chart.categoryAxis.categoryNames = [
            str(r["year"]) if i % 3 == 0 else "" for i, r in enumerate(trends)
        ]
        chart.categoryAxis.labels.fontSize = 8
        chart.categoryAxis.labels.dy = -4
        chart.valueAxis.labels.fontSize = 8
        chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
        chart.valueAxis.labelTextFormat = "%d%%"
        chart.bars[0].fillColor = colors.HexColor("#2b6cb0")
        drawing.add(chart)
        chart_row.append([para(caption, styles["Heading4"]), drawing])
    gaps = [r["year"] for r in trends if r["declared"] is None]
    story += [
        Table([script.row(chart_row)]),
        para(
            _(
                "No data (a gap in the charts): %(years)s. The exchange holds no "
                "declaration and no due date for these years: their share is unknown, "
                "not 0 %%. The shares are of the states known to have subscribed in each "
                "year."
            )
            % {"years": year_ranges(gaps)}
            if gaps
            else _("The shares are of the states known to have subscribed in each year."),
            small,
        ),
        Spacer(0, 12),
        para(_("States"), styles["Heading2"]),
    ]
    # People read the PDF: the state by its name, its code beside it (one column), and the lead
    # time as "11 days 10 h" (the XLSX keeps the code's column and the hours, for machines).
    columns = [(k, _("State") if k == "name" else label) for k, label in COLUMNS if k != "state"]
    columns = [(k, _("Mean lead time") if k == "mean_lead_time_hours" else lb) for k, lb in columns]

    def pdf_cell(r: dict, k: str):
        if k == "name":
            return para(f"{r['name']} ({r['state']})", small)
        if k == "differences":
            return para(_cell(r, k), small)
        if k == "mean_lead_time_hours":
            return line(duration_text(r[k]))
        value = _cell(r, k)
        return line(str(value if value is not None else ""))

    header = script.row([para(_(label), small, bold=True) for _key, label in columns])
    rows = [script.row([pdf_cell(r, k) for k, _label in columns]) for r in table["items"]]
    widths = script.row([64, 22, 12, 14, 17, 17, 18, 20, 50, 22])
    grid = Table([header, *rows], repeatRows=1, colWidths=[w * mm for w in widths])
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), script.regular),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT" if script.right_to_left else "LEFT"),
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#edf2f7")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#cbd5e0")),
            ]
        )
    )
    story.append(grid)
    doc.build(story, canvasmaker=NumberedCanvas)
    return out.getvalue()
