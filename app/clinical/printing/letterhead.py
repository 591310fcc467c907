"""The clinic's letterhead: the head and foot every printed page about a patient carries.

A page that comes loose from a printout must still say whose it is and what it belongs to,
so EVERY page (not only the first) carries, at the top, the clinic's name and the document's
title, the patient's name, date of birth and medical record number, and at the foot who
printed it and when, and "Page X of Y". Y is only known once the last page is laid out, so
the pages are held back until then and the feet are drawn in a second pass over them
(`_LetterheadCanvas`), as the day sheet does it.

The head is laid out as platypus Paragraphs wrapped to the page width, then measured, and
the frame starts below it: a long clinic or patient name wraps onto another line instead of
running off the paper or under the body. Paper is A4 or US Letter (`PAPERS`, chosen as the
day sheet chooses it: app.clinical.visits.day_sheet.default_paper), fonts are the day
sheet's (DejaVu Sans where installed, so names in any Latin, Greek or Cyrillic script print
as typed).

Only identifiers that name the patient in this clinic are printed: the MRN (or, with none,
the first other number with its kind). Social security, licence and passport numbers stay
off paper that may be handed to the patient or left at a pharmacy counter.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from app.clinical.fhir.names import family_given, identifier_text, medical_record_number
from app.clinical.visits.day_sheet_pdf import MARGIN, PAPERS, _escape, _fonts, _NumberedCanvas

INK = colors.HexColor("#1f262d")
MUTED = colors.HexColor("#4a5561")
RULE = colors.HexColor("#56616d")
HEAD_GAP = 4 * mm  # between the head's rule and the body
FOOT = 8 * mm  # room at the bottom for the foot


@dataclass(frozen=True)
class Letterhead:
    """What the head and foot of each page say."""

    clinic: str
    title: str  # the document: "Medication list"
    patient: str  # "Family, Given"
    born: str  # YYYY-MM-DD, or "" when not recorded
    identifier: str  # "MRN 123-45", "" when the patient has no number
    printed_by: str
    printed_at: datetime


def letterhead_of(patient: dict, clinic: str, title: str, printed_by: str,
                  printed_at: datetime) -> Letterhead:
    """The letterhead for `patient` (a FHIR Patient)."""
    mrn = medical_record_number(patient)
    others = [i for i in patient.get("identifier", []) if i.get("value") and i.get("use") != "old"]
    identifier = f"MRN {mrn}" if mrn else (identifier_text(others[0]) if others else "")
    return Letterhead(clinic, title, family_given(patient, "(no name)"),
                      patient.get("birthDate", ""), identifier, printed_by, printed_at)


def styles() -> dict[str, ParagraphStyle]:
    """The body's paragraph styles, in the letterhead's fonts."""
    regular, bold = _fonts()
    return {
        "heading": ParagraphStyle("heading", fontName=bold, fontSize=12, leading=15,
                                  spaceBefore=8, spaceAfter=4, textColor=INK),
        "text": ParagraphStyle("text", fontName=regular, fontSize=10, leading=13.5,
                               spaceAfter=5, textColor=INK),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11.5,
                               textColor=INK),
        "label": ParagraphStyle("label", fontName=bold, fontSize=9, leading=11.5,
                                textColor=INK),
        "quiet": ParagraphStyle("quiet", fontName=regular, fontSize=9, leading=11.5,
                                textColor=MUTED)}


def escape(text: str) -> str:
    """Paragraphs read markup: text with "<" or "&" is printed as typed."""
    return _escape(text)


def render(path: Path, paper: str, head: Letterhead, story: Sequence[Flowable]) -> int:
    """Write `story` under the letterhead to `path`; how many pages it has."""
    size = PAPERS[paper]
    width = size[0] - 2 * MARGIN
    lines = _head_lines(head)
    height = sum(line.wrap(width, size[1])[1] for line in lines)
    doc = SimpleDocTemplate(str(path), pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + height + HEAD_GAP, bottomMargin=MARGIN + FOOT,
                            title=f"{head.title}: {head.patient}", author=head.printed_by)

    def draw_head(canvas: Canvas, _doc) -> None:
        top = size[1] - MARGIN
        for line in lines:
            _, used = line.wrap(width, size[1])
            top -= used
            line.drawOn(canvas, MARGIN, top)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, top - 1.5 * mm, size[0] - MARGIN, top - 1.5 * mm)

    foot = f"Printed by {head.printed_by} at {head.printed_at:%H:%M on %d %b %Y}"

    def canvas(*args, **kwargs) -> Canvas:
        return _LetterheadCanvas(*args, foot=foot, font=_fonts()[0], **kwargs)

    doc.build(list(story), onFirstPage=draw_head, onLaterPages=draw_head, canvasmaker=canvas)
    return doc.page


def _head_lines(head: Letterhead) -> list[Paragraph]:
    regular, bold = _fonts()
    top = ParagraphStyle("top", fontName=bold, fontSize=13, leading=16, textColor=INK)
    sub = ParagraphStyle("sub", fontName=regular, fontSize=10, leading=13, textColor=INK)
    patient = " · ".join(filter(None, [
        f'<font name="{bold}">{escape(head.patient)}</font>',
        head.born and f"born {escape(head.born)}", escape(head.identifier)]))
    return [Paragraph(escape(" · ".join(filter(None, [head.clinic, head.title]))), top),
            Paragraph(patient, sub)]


class _LetterheadCanvas(_NumberedCanvas):
    """The day sheet's held pages, with the letterhead's foot: a rule, then "Page 2 of 7"."""

    def draw_foot(self, pages: int) -> None:
        width = self._pagesize[0]
        self.setStrokeColor(RULE)
        self.setLineWidth(0.4)
        self.line(MARGIN, MARGIN + 4 * mm, width - MARGIN, MARGIN + 4 * mm)
        self.setFont(self._font, 8)
        self.setFillColor(MUTED)
        self.drawString(MARGIN, MARGIN, self._foot)
        self.drawRightString(width - MARGIN, MARGIN, f"Page {self._pageNumber} of {pages}")
