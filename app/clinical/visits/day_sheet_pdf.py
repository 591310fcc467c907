"""The day sheet's layout on paper (reportlab platypus): what a front desk clerk reads.

A heading (clinic, day, provider, how many appointments of each status), then one table row
per appointment in time order: time, patient (name, MRN, birth date, age), type, status and
an empty column to write in. The header row repeats on every page; each page's foot says who
printed it, when, and "page 1 of 3", so a loose page is known for what it is. A cancelled
or missed appointment is printed in grey, still listed: the clerk sees the slot is free.

DejaVu Sans is used where installed (Debian's fonts-dejavu-core, which .ci/run installs), so
names in any Latin, Greek or Cyrillic script print as typed; otherwise Helvetica, whose
fonts cover Western European names only.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

if TYPE_CHECKING:
    from app.clinical.visits.day_sheet import SheetRow

PAPERS = {"a4": A4, "letter": LETTER}
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
MARGIN = 14 * mm
QUIET = ("Cancelled", "No-show")  # printed in grey: the slot is free


def render(path: Path, paper: str, clinic: str, day: date, provider: str | None,
           rows: Sequence["SheetRow"], printed_by: str, printed_at: datetime) -> int:
    """Write the sheet to `path`; how many pages it has."""
    regular, bold = _fonts()
    size = PAPERS[paper]
    doc = SimpleDocTemplate(str(path), pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 6 * mm,
                            title=f"Day sheet {day.isoformat()}", author=printed_by)
    title = ParagraphStyle("title", fontName=bold, fontSize=15, leading=19)
    line = ParagraphStyle("line", fontName=regular, fontSize=10, leading=13)
    cell = ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11)
    story = [Paragraph(_escape(clinic or "Day sheet"), title),
             Paragraph(_escape(f"{'Day sheet, ' if clinic else ''}{day:%A %d %B %Y}"), line),
             Paragraph(_escape(f"Provider: {provider}" if provider else "Whole clinic"), line),
             Paragraph(_escape(_counts(rows)), line), Spacer(1, 4 * mm)]
    if rows:
        story.append(_table(rows, provider is None, size[0] - 2 * MARGIN, regular, bold, cell))
    else:
        story.append(Paragraph("No appointments on this day.", line))
    foot = f"Printed by {printed_by} at {printed_at:%H:%M on %d %b %Y}"

    def canvas(*args, **kwargs) -> Canvas:
        return _NumberedCanvas(*args, foot=foot, font=regular, **kwargs)

    doc.build(story, canvasmaker=canvas)
    return doc.page


def _table(rows: Sequence["SheetRow"], whole_clinic: bool, width: float, regular: str,
           bold: str, cell: ParagraphStyle) -> Table:
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
        patient = (f'<font name="{bold}">{_escape(r.patient)}</font><br/>'
                   f'<font size="7">{_escape(facts)}</font>')
        values = [_escape(when), patient, _escape(r.type),
                  *([_escape(r.provider)] if whole_clinic else []), _escape(r.status), ""]
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


class _NumberedCanvas(Canvas):
    """Holds each page until the last is laid out, so every foot can say "page 1 of 3"."""

    def __init__(self, *args, foot: str, font: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._foot, self._font, self._pages = foot, font, []

    def showPage(self):  # noqa: N802  (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for page in self._pages:
            self.__dict__.update(page)
            self.draw_foot(len(self._pages))
            super().showPage()
        super().save()

    def draw_foot(self, pages: int) -> None:
        """The foot of the page being drawn, now that the number of pages is known."""
        self.setFont(self._font, 8)
        self.setFillColor(colors.HexColor("#3d4650"))
        self.drawString(MARGIN, MARGIN, self._foot)
        self.drawRightString(self._pagesize[0] - MARGIN, MARGIN,
                             f"page {self._pageNumber} of {pages}")


def _fonts() -> tuple[str, str]:
    """DejaVu Sans (registered once) where installed, else Helvetica."""
    files = {"DejaVuSans": DEJAVU / "DejaVuSans.ttf",
             "DejaVuSans-Bold": DEJAVU / "DejaVuSans-Bold.ttf"}
    if not all(path.is_file() for path in files.values()):
        return "Helvetica", "Helvetica-Bold"
    for name, path in files.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
    return "DejaVuSans", "DejaVuSans-Bold"


def _escape(text: str) -> str:
    """Paragraph reads markup: a name with "<" or "&" is printed as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
