"""What a printed document holds, and how it is laid out under the letterhead.

Each document module (medication_list, problem_list, ...) reads the chart into a `Content`
of plain words (facts at the top, then sections: a table, or paragraphs of text), inside the
printing's one audited read; nothing in it is reportlab. `flowables` lays it out afterwards,
outside the transaction, so a long printout never holds the store while it is drawn.

Tables repeat their header row on each page they run onto, and every cell is a Paragraph
wrapped to its column (long words split), so a long drug name wraps inside its column
instead of running off the page; a row may split across pages, so a long entry never stops
the printout.
"""

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.clinical.printing.letterhead import escape, styles

GRID = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#dde3ea")
PADDING = 12  # points of a cell's left and right padding together


@dataclass(frozen=True)
class Section:
    """A heading, then a table (`columns` its header, `widths` their shares of the line) or,
    with no columns, each row's one string as a paragraph of text."""

    heading: str
    columns: tuple[str, ...] = ()
    widths: tuple[int, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    empty: str = "None recorded."
    note: str = ""  # said under the section, e.g. what was left out and why


@dataclass(frozen=True)
class Content:
    facts: tuple[tuple[str, str], ...]  # (label, words) at the top; empty words left out
    sections: tuple[Section, ...]
    entries: int  # the chart records printed, for the audit row and the answer
    about: str = ""  # what the audit row names besides the patient, e.g. "Encounter/e1"


def flowables(content: Content, width: float) -> list[Flowable]:
    """The body of the document, `width` points wide."""
    kit = styles()
    story: list[Flowable] = []
    facts = [(label, words) for label, words in content.facts if words]
    if facts:
        story.append(_table([[Paragraph(escape(label), kit["label"]),
                              Paragraph(escape(words), kit["cell"])] for label, words in facts],
                            [width * 0.22, width * 0.78], header=False))
    for section in content.sections:
        story.append(Paragraph(escape(section.heading), kit["heading"]))
        if not section.rows:
            story.append(Paragraph(escape(section.empty), kit["quiet"]))
        elif section.columns:
            shares = section.widths or (1,) * len(section.columns)
            widths = [width * s / sum(shares) for s in shares]
            header = [Paragraph(escape(c), kit["label"]) for c in section.columns]
            body = [[_cell(cell, room - PADDING, kit["cell"]) for cell, room in zip(
                row, widths, strict=True)] for row in section.rows]
            story.append(_table([header, *body], widths, header=True))
        else:
            story += [Paragraph(_lines(row[0]), kit["text"]) for row in section.rows]
        if section.note:
            story += [Spacer(1, 2), Paragraph(escape(section.note), kit["quiet"])]
    return story


def _cell(text: str, room: float, style: ParagraphStyle) -> Paragraph | str:
    """Text that fits its column on one line as it is (a table draws a string at a fraction
    of a Paragraph's cost: a 60-page list is mostly short dates and codes), else a Paragraph
    that wraps, splitting a word longer than the column."""
    if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= room:
        return text
    return Paragraph(escape(text), style)


def _table(data: list[list], widths: list[float], header: bool) -> Table:
    cell = styles()["cell"]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
    table.setStyle(TableStyle([
        *([("BACKGROUND", (0, 0), (-1, 0), SHADE)] if header else []),
        ("FONTNAME", (0, 0), (-1, -1), cell.fontName),
        ("FONTSIZE", (0, 0), (-1, -1), cell.fontSize),
        ("LEADING", (0, 0), (-1, -1), cell.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), cell.textColor),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING / 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING / 2)]))
    return table


def _lines(text: str) -> str:
    """A paragraph of a note as typed: its line breaks kept."""
    return "<br/>".join(escape(line) for line in text.split("\n"))
