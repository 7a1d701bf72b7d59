"""The report for the Regular Meeting: an XLSX workbook and a PDF, from the same selectors as
the compliance page and the API (so their figures are the same figures)."""

from io import BytesIO

from django.utils import timezone

from .selectors import COUNTS, compliance_for
from .trends import trends_for

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
    return _differences(row) if key == "differences" else row[key]


def report_data(*, actor, year: int) -> dict:
    table = compliance_for(actor=actor, year=year)
    return {
        "year": year,
        "table": table,
        "trends": trends_for(actor=actor),
        "made_at": timezone.now(),
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
    ws.append([f"HCoC compliance {year}, made {data['made_at']:%d %b %Y %H:%M} UTC"])
    ws.append([label for _, label in COLUMNS])
    for row in table["items"]:
        ws.append([_cell(row, key) for key, _ in COLUMNS])
    totals = table["totals"]
    ws.append(
        [
            "Total",
            f"{totals['states']} states",
            f"filed {totals['filed']}, late {totals['late']}, nil {totals['nil']}, missing {totals['missing']}",
            *[totals[k] for k in COUNTS],
            totals["states_with_differences"],
            totals["mean_lead_time_hours"],
        ]
    )
    for cell in ws[2]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "C3"

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
            "Subscribing states",
            "Declarations",
            "Filed %",
            "On time %",
            "PLNs BM",
            "PLNs SLV",
        ]
    )
    for r in data["trends"]:
        trend.append(
            [
                r["year"],
                r["states"],
                r["declared"],
                r["declared_pct"],
                r["on_time_pct"],
                r["bm"],
                r["slv"],
            ]
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def report_pdf(data: dict) -> bytes:
    # Deferred: see the note above report_xlsx.
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    year, table, totals = data["year"], data["table"], data["table"]["totals"]
    styles = getSampleStyleSheet()
    out = BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=landscape(A4), title=f"HCoC compliance {year}", author="HCoC Exchange"
    )
    story = [
        Paragraph(f"HCoC compliance {year}", styles["Title"]),
        Paragraph(
            f"{totals['states']} subscribing states. Declarations: {totals['filed']} filed on time, "
            f"{totals['late']} late, {totals['nil']} nil, {totals['missing']} missing. "
            f"Pre-launch notifications: {totals['plns']} ({totals['plns_late']} late), "
            f"{totals['launched']} launched, {totals['unreported']} unreported, "
            f"{totals['unnotified']} unnotified launches. "
            f"Made {data['made_at']:%d %b %Y %H:%M} UTC.",
            styles["Normal"],
        ),
        Spacer(0, 12),
    ]
    trends = data["trends"]
    chart_row = []
    for key, title in (
        ("declared_pct", "Filed a declaration (%)"),
        ("on_time_pct", "Filed on time (%)"),
    ):
        drawing = Drawing(360, 170)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 30, 30, 310, 120
        chart.data = [[r[key] for r in trends]]
        chart.categoryAxis.categoryNames = [str(r["year"])[2:] for r in trends]
        chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, 100
        chart.bars[0].fillColor = colors.HexColor("#2b6cb0")
        drawing.add(chart)
        chart_row.append([Paragraph(title, styles["Heading4"]), drawing])
    story += [Table([chart_row]), Spacer(0, 12), Paragraph("States", styles["Heading2"])]
    header = [label for key, label in COLUMNS if key != "name"]
    rows = [
        [str(_cell(r, k) if _cell(r, k) is not None else "") for k, _ in COLUMNS if k != "name"]
        for r in table["items"]
    ]
    grid = Table([header, *rows], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#edf2f7")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#cbd5e0")),
            ]
        )
    )
    story.append(grid)
    doc.build(story)
    return out.getvalue()
