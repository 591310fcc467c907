"""A report on paper (reportlab): the clinic and the report on every page, what is counted,
a chart, then the table.

The clinic is named as the policy names it (`clinic_of`: the letterhead's clinic_name), so
a report printed at the desk carries the same name as the clinic's other printouts. The
chart (reportlab graphics) adds the rows up by their first column: bars per provider, code
or status, a line for a run of more than a month of days. The table's header repeats on
every page and the total line is bold; each page's head names the clinic, the report and
its days, and its foot says who printed it, when, and "Page 1 of 3" (the head and foot of
every printout of the clinic: app.clinical.printing.pages).
"""

import math
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.clinical.printing.letterhead import clinic_name
from app.clinical.printing.pages import MARGIN, PAPERS, escape, fonts, head, write
from app.clinical.reports.table import ReportTable
from app.clinical.visits.day_sheet import _start_file
from app.security.policy import Policy
from app.store.store import Store

CHART_HEIGHT = 62 * mm
INK = colors.HexColor("#2f6690")


def clinic_of(store: Store, policy: Policy) -> str:
    """The clinic's name for a report's head, as the policy names it ("" when it names
    none). The Organization record holds no patient data, so reading it is not audited."""
    with store.read() as conn:
        return clinic_name(conn, policy.sync.organization, policy.billing.organization_name)


def write_pdf(table: ReportTable, output: Path, paper: str, clinic: str, printed_by: str,
              printed_at: datetime) -> tuple[Path, int]:
    """Write the report; its path and how many pages it has."""
    output = output.expanduser().absolute()
    partial = _start_file(output, "the report", f"{table.name}.pdf")
    try:
        pages = _render(table, partial, paper, clinic, printed_by, printed_at)
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return output, pages


def _render(table: ReportTable, path: Path, paper: str, clinic: str, printed_by: str,
            printed_at: datetime) -> int:
    regular, bold = fonts()
    width = PAPERS[paper][0] - 2 * MARGIN
    line = ParagraphStyle("line", fontName=regular, fontSize=10, leading=13)
    lines = head(escape(" · ".join(filter(None, [clinic, "Clinic report"]))),
                 escape(f"{table.title}: {table.period.first:%d %b %Y} to "
                        f"{table.period.last:%d %b %Y}"))
    story = [Paragraph(escape(table.note), line), Spacer(1, 4 * mm)]
    if not table.rows:
        story.append(Paragraph("Nothing to count in this period: no rows.", line))
    else:
        story += [_chart(table, width, regular), Spacer(1, 4 * mm),
                  _table(table, width, regular, bold)]
    return write(path, paper, lines, story, f"{table.title}, {table.period.text()}",
                 printed_by, printed_at)


def _chart(table: ReportTable, width: float, font: str) -> Drawing:
    points = table.series()
    labels = [label for label, _ in points]
    values = [value for _, value in points]
    drawing = Drawing(width, CHART_HEIGHT)
    chart = HorizontalLineChart() if table.chart and table.chart.line else VerticalBarChart()
    chart.x, chart.y = 32, 46
    chart.width, chart.height = width - 44, CHART_HEIGHT - 66  # room for the caption
    chart.data = [values]
    chart.valueAxis.valueMin = 0
    step = max(1, math.ceil(max(values, default=0) / 6))  # whole counts, about six ticks
    chart.valueAxis.valueStep = step
    chart.valueAxis.valueMax = step * max(1, math.ceil(max(values, default=0) / step))
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    step = max(1, len(labels) // 16)  # at most about 16 labels under the bars: readable
    chart.categoryAxis.categoryNames = [label[:18] if n % step == 0 else ""
                                        for n, label in enumerate(labels)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(labels) > 4 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 4 else "n"
    if isinstance(chart, VerticalBarChart):
        chart.bars[0].fillColor = INK
        chart.bars[0].strokeColor = None
    else:
        chart.lines[0].strokeColor = INK
        chart.lines[0].strokeWidth = 1.5
    drawing.add(chart)
    value_name = table.columns[table.chart.value] if table.chart else ""
    by = table.columns[0][:1].lower() + table.columns[0][1:]
    drawing.add(String(0, CHART_HEIGHT - 10, f"{value_name} by {by}", fontName=font,
                       fontSize=9))
    return drawing


def _table(table: ReportTable, width: float, regular: str, bold: str) -> Table:
    numbers = {n for row in table.rows for n, v in enumerate(row)
               if isinstance(v, int | float | Decimal)}
    cell = ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11)
    styles = [(ParagraphStyle(f"cell{n}", parent=cell, alignment=2 if n in numbers else 0),
               ParagraphStyle(f"strong{n}", parent=cell, fontName=bold,
                              alignment=2 if n in numbers else 0))
              for n in range(len(table.columns))]
    data = [[Paragraph(escape(c), styles[n][1]) for n, c in enumerate(table.columns)]]
    data += [[Paragraph(escape(_shown(v)), styles[n][0]) for n, v in enumerate(row)]
             for row in table.rows]
    if table.total is not None:
        data.append([Paragraph(escape(_shown(v)), styles[n][1])
                     for n, v in enumerate(table.total)])
    pdf_table = Table(data, colWidths=[width / len(table.columns)] * len(table.columns),
                      repeatRows=1)
    pdf_table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#56616d")),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return pdf_table


def _shown(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)
