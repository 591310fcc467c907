"""The day sheet's layout on paper (reportlab platypus): what a front desk clerk reads.

Every page's head names the clinic, the day and the provider (or the whole clinic), so a
loose page says which day it lists; the first page then counts the appointments of each
status, and one table row per appointment follows in time order: time, patient (name, MRN,
birth date, age), type, status and an empty column to write in. The header row repeats on
every page; each foot says who printed it, when, and "Page 1 of 3" (the paper, fonts, head
and foot every printout of the clinic shares: app.clinical.printing.pages). A cancelled or
missed appointment is printed in grey, still listed: the clerk sees the slot is free.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.clinical.printing.pages import MARGIN, PAPERS, escape, fonts, head, write

if TYPE_CHECKING:
    from app.clinical.visits.day_sheet import SheetRow

QUIET = ("Cancelled", "No-show")  # printed in grey: the slot is free


def render(path: Path, paper: str, clinic: str, day: date, provider: str | None,
           rows: Sequence["SheetRow"], printed_by: str, printed_at: datetime) -> int:
    """Write the sheet to `path`; how many pages it has."""
    regular, bold = fonts()
    line = ParagraphStyle("line", fontName=regular, fontSize=10, leading=13)
    cell = ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11)
    lines = head(escape(" · ".join(filter(None, [clinic, "Day sheet"]))),
                 escape(f"{day:%A %d %B %Y} · "
                        + (f"Provider: {provider}" if provider else "Whole clinic")))
    story = [Paragraph(escape(_counts(rows)), line), Spacer(1, 3 * mm)]
    if rows:
        width = PAPERS[paper][0] - 2 * MARGIN
        story.append(_table(rows, provider is None, width, bold, cell))
    else:
        story.append(Paragraph("No appointments on this day.", line))
    return write(path, paper, lines, story, f"Day sheet {day.isoformat()}", printed_by,
                 printed_at)


def _table(rows: Sequence["SheetRow"], whole_clinic: bool, width: float, bold: str,
           cell: ParagraphStyle) -> Table:
    header = ["Time", "Patient", "Type", *(["Provider"] if whole_clinic else []), "Status",
              "Notes"]
    # points of an A4 line (515): the patient's cell holds a long MRN (Synthea's are UUIDs);
    # the notes column is left wide enough to write in
    parts = [70, 180, 60, 72, 62, 71] if whole_clinic else [70, 200, 68, 64, 113]
    quiet = ParagraphStyle("quiet", parent=cell, textColor=colors.HexColor("#7b8591"))
    data = [header]
    for r in rows:
        style = quiet if r.status in QUIET else cell
        when = f"{r.start:%H:%M}" + (f"–{r.end:%H:%M}" if r.end else "")
        facts = " · ".join(filter(None, [r.born and f"born {r.born}", r.age,
                                         r.mrn and f"MRN\u00a0{r.mrn}"]))
        patient = (f'<font name="{bold}">{escape(r.patient)}</font><br/>'
                   f'<font size="7">{escape(facts)}</font>')
        values = [escape(when), patient, escape(r.type),
                  *([escape(r.provider)] if whole_clinic else []), escape(r.status), ""]
        data.append([Paragraph(v, style) for v in values])
    table = Table(data, colWidths=[width * p / sum(parts) for p in parts], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), bold), ("FONTSIZE", (0, 0), (-1, 0), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#56616d")),
        ("LINEBEFORE", (-1, 0), (-1, -1), 0.6, colors.HexColor("#56616d")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 1), (-1, -1), 4), ("BOTTOMPADDING", (0, 1), (-1, -1), 6)]))
    return table


def _counts(rows: Sequence["SheetRow"]) -> str:
    if not rows:
        return "0 appointments"
    counts = Counter(r.status for r in rows)
    each = ", ".join(f"{n} {status.lower()}" for status, n in counts.most_common())
    return f"{len(rows)} appointment{'s' * (len(rows) != 1)}: {each}"
