"""The paper every printout of the clinic is laid out on: paper sizes, fonts, a head on
every page and a numbered foot.

A page that comes loose must still say what it belongs to, so EVERY page (not only the
first) carries its head (given by the document: the letterhead's clinic, title and patient;
the day sheet's day and provider; a report's name and days) above a rule, and at the foot
who printed it and when, and "Page X of Y". Y is only known once the last page is laid out,
so the pages are held back until then and the feet are drawn in a second pass over them
(`_HeldPages`).

The head is laid out as platypus Paragraphs wrapped to the page width, then measured, and
the frame starts below it: a long clinic or patient name wraps onto another line instead of
running off the paper or under the body.

Paper is A4 or US Letter (`PAPERS`; the locale's choice is
app.clinical.visits.day_sheet.default_paper). DejaVu Sans is used where installed (Debian's
fonts-dejavu-core, which .ci/run installs), so names in any Latin, Greek or Cyrillic script
print as typed; otherwise Helvetica, whose fonts cover Western European names only.
"""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

PAPERS = {"a4": A4, "letter": LETTER}
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
MARGIN = 14 * mm
INK = colors.HexColor("#1f262d")
MUTED = colors.HexColor("#4a5561")
RULE = colors.HexColor("#56616d")
HEAD_GAP = 4 * mm  # between the head's rule and the body
FOOT = 8 * mm  # room at the bottom for the foot


def write(path: Path, paper: str, head: Sequence[Paragraph], story: Sequence[Flowable],
          title: str, printed_by: str, printed_at: datetime, wide: bool = False) -> int:
    """Write `story` to `path` with `head` on top of every page; how many pages it has.
    `wide` turns the paper to landscape (a table whose rows need the room)."""
    size = landscape(PAPERS[paper]) if wide else PAPERS[paper]
    width = size[0] - 2 * MARGIN
    height = sum(line.wrap(width, size[1])[1] for line in head)
    doc = SimpleDocTemplate(str(path), pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + height + HEAD_GAP, bottomMargin=MARGIN + FOOT,
                            title=title, author=printed_by)

    def draw_head(canvas: Canvas, _doc) -> None:
        top = size[1] - MARGIN
        for line in head:
            _, used = line.wrap(width, size[1])
            top -= used
            line.drawOn(canvas, MARGIN, top)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, top - 1.5 * mm, size[0] - MARGIN, top - 1.5 * mm)

    foot = f"Printed by {printed_by} at {printed_at:%H:%M on %d %b %Y}"

    def canvas(*args, **kwargs) -> Canvas:
        return _HeldPages(*args, foot=foot, font=fonts()[0], **kwargs)

    doc.build(list(story), onFirstPage=draw_head, onLaterPages=draw_head, canvasmaker=canvas)
    return doc.page


def head(first: str, second: str) -> list[Paragraph]:
    """A head of two lines of markup: the bold one naming the clinic and the document, and
    the one under it saying whom or what it is about."""
    regular, bold = fonts()
    return [Paragraph(first, ParagraphStyle("top", fontName=bold, fontSize=13, leading=16,
                                            textColor=INK)),
            Paragraph(second, ParagraphStyle("sub", fontName=regular, fontSize=10, leading=13,
                                             textColor=INK))]


def fonts() -> tuple[str, str]:
    """DejaVu Sans (registered once) where installed, else Helvetica: regular and bold."""
    files = {"DejaVuSans": DEJAVU / "DejaVuSans.ttf",
             "DejaVuSans-Bold": DEJAVU / "DejaVuSans-Bold.ttf"}
    if not all(path.is_file() for path in files.values()):
        return "Helvetica", "Helvetica-Bold"
    for name, path in files.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
    return "DejaVuSans", "DejaVuSans-Bold"


def escape(text: str) -> str:
    """Paragraphs read markup: text with "<" or "&" is printed as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _HeldPages(Canvas):
    """Holds each page until the last is laid out, so every foot can say "Page 2 of 7"."""

    def __init__(self, *args, foot: str, font: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._foot, self._font, self._pages = foot, font, []

    def showPage(self):  # noqa: N802  (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for page in self._pages:
            self.__dict__.update(page)
            self._draw_foot(len(self._pages))
            super().showPage()
        super().save()

    def _draw_foot(self, pages: int) -> None:
        width = self._pagesize[0]
        self.setStrokeColor(RULE)
        self.setLineWidth(0.4)
        self.line(MARGIN, MARGIN + 4 * mm, width - MARGIN, MARGIN + 4 * mm)
        self.setFont(self._font, 8)
        self.setFillColor(MUTED)
        self.drawString(MARGIN, MARGIN, self._foot)
        self.drawRightString(width - MARGIN, MARGIN, f"Page {self._pageNumber} of {pages}")
