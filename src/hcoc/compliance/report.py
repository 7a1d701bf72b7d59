"""The report for the Regular Meeting: an XLSX workbook and a PDF, from the same selectors as
the compliance page and the API (so their figures are the same figures)."""

from datetime import UTC
from io import BytesIO

from django.utils import timezone

from hcoc.lib.pdftext import paragraph_text
from hcoc.lib.timeutil import duration_text

from .selectors import COUNTS, STANDING_LABELS, compliance_for
from .trends import trends_for

# The distribution marking, on every page of the PDF and in the workbook (as on printed pages).
MARKING = "Hague Code of Conduct: for subscribing States only"
NO_DATA = "no data"

COLUMNS = [
    ("state", "State"),
    ("name", "Name"),
    ("declaration", "Declaration"),
    ("plns", "PLNs"),
    ("plns_late", "PLNs late"),
    ("cancelled", "Cancelled"),
    ("launched", "Launched"),
    ("unreported", "Unreported"),
    ("unnotified", "Unnotified launches"),
    ("differences", "Differences (declared - reported)"),
    ("mean_lead_time_hours", "Mean lead time (h)"),
]


def _differences(row: dict) -> str:
    return "; ".join(f"{d['generic_class']} {d['difference']:+d}" for d in row["differences"])


def _cell(row: dict, key: str):
    if key == "differences":
        return _differences(row)
    if key == "declaration":
        return STANDING_LABELS[row[key]]
    return row[key]


def declarations_summary(totals: dict) -> str:
    """The year's declarations in words, as the page's totals say them."""
    return (
        f"{totals['filed']} filed, {totals['late']} late, {totals['nil']} nil, "
        f"{totals['missing']} missing, {totals['not_due']} not yet due, "
        f"{totals['unknown']} not known"
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
    return NO_DATA if value is None else value


def report_data(*, actor, year: int) -> dict:
    table = compliance_for(actor=actor, year=year)
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
    ws.title = f"Compliance {year}"
    ws.append([f"HCoC compliance {year}, report of {_made(data)}. {MARKING}"])
    ws.append([label for _, label in COLUMNS])
    for row in table["items"]:
        ws.append([_cell(row, key) for key, _ in COLUMNS])
    totals = table["totals"]
    ws.append(
        [
            "Total",
            f"{totals['states']} states",
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
        sheet_header.center.text = MARKING

    diff = wb.create_sheet("Discrepancies")
    diff.append(["State", "Generic class", "Declared", "Reported", "Difference"])
    for row in table["items"]:
        for d in row["differences"]:
            diff.append(
                [row["state"], d["generic_class"], d["declared"], d["reported"], d["difference"]]
            )

    trend = wb.create_sheet("Trends")
    trend.append(
        [
            "Year",
            "Subscribing states (the Code, where a source gives it)",
            "As of",
            "In this registry",
            "Not known to have subscribed",
            "Declarations",
            "Filed %",
            "On time %",
            "Not yet due",
            "PLNs BM",
            "PLNs SLV",
        ]
    )
    for r in data["trends"]:
        trend.append(
            [
                r["year"],
                "not known" if r["code_states"] is None else r["code_states"],
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
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    year, table, totals = data["year"], data["table"], data["table"]["totals"]
    title = f"HCoC compliance {year}"
    made = f"Report of {_made(data)}"

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
            self.setFont("Helvetica-Bold", 9)
            self.drawCentredString(width / 2, height - 10 * mm, MARKING)
            self.drawCentredString(width / 2, 8 * mm, MARKING)
            self.setFont("Helvetica", 8)
            self.drawString(15 * mm, height - 15 * mm, f"{title}. {made}")
            self.drawRightString(width - 15 * mm, 8 * mm, f"Page {n} of {of}")
            self.restoreState()

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8.5)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        title=title,
        author="HCoC Exchange",
        subject=MARKING,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=20 * mm,
        bottomMargin=16 * mm,
    )
    story = [
        Paragraph(title, styles["Title"]),
        Paragraph(
            f"{totals['states']} subscribing states. Declarations: "
            f"{declarations_summary(totals)} (not known: the state is not known to have "
            f"subscribed in {year}, counted apart, never as missing). "
            f"Pre-launch notifications: {totals['plns']} ({totals['plns_late']} late), "
            f"{totals['launched']} launched, {totals['unreported']} unreported, "
            f"{totals['unnotified']} unnotified launches. {made}.",
            styles["Normal"],
        ),
        Spacer(0, 12),
    ]
    trends = data["trends"]
    chart_row = []
    for key, caption in (
        ("declared_pct", "Filed a declaration (% of the states known to subscribe)"),
        ("on_time_pct", "Filed on time (%)"),
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
        chart_row.append([Paragraph(caption, styles["Heading4"]), drawing])
    gaps = [r["year"] for r in trends if r["declared"] is None]
    story += [
        Table([chart_row]),
        Paragraph(
            f"No data (a gap in the charts): {year_ranges(gaps)}. The exchange holds no "
            "declaration and no due date for these years: their share is unknown, not 0 %. "
            "The shares are of the states known to have subscribed in each year."
            if gaps
            else "The shares are of the states known to have subscribed in each year.",
            small,
        ),
        Spacer(0, 12),
        Paragraph("States", styles["Heading2"]),
    ]
    # People read the PDF: the state by its name, its code beside it (one column), and the lead
    # time as "11 days 10 h" (the XLSX keeps the code's column and the hours, for machines).
    columns = [(k, "State" if k == "name" else label) for k, label in COLUMNS if k != "state"]
    columns = [(k, "Mean lead time" if k == "mean_lead_time_hours" else lb) for k, lb in columns]

    def pdf_cell(r: dict, k: str):
        if k == "name":
            return Paragraph(paragraph_text(f"{r['name']} ({r['state']})"), small)
        if k == "differences":
            return Paragraph(paragraph_text(_cell(r, k)), small)
        if k == "mean_lead_time_hours":
            return duration_text(r[k])
        value = _cell(r, k)
        return str(value if value is not None else "")

    header = [Paragraph(f"<b>{label}</b>", small) for _, label in columns]
    rows = [[pdf_cell(r, k) for k, _ in columns] for r in table["items"]]
    widths = [64, 22, 12, 14, 17, 17, 18, 20, 50, 22]
    grid = Table([header, *rows], repeatRows=1, colWidths=[w * mm for w in widths])
    grid.setStyle(
        TableStyle(
            [
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
