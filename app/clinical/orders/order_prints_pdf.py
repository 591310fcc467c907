"""A requisition's or prescription's layout on paper (reportlab platypus), as a lab, an
imaging desk or a pharmacist reads it, under the clinic's letterhead.

Every page's head is the letterhead (app.clinical.printing.letterhead): the clinic, what the
paper is and its date, the patient's name, birth date and MRN; its foot says who printed it,
when, and "Page 1 of 2", so a loose page of a long prescription says whose it is. The body
gives the patient in full (name, birth date, sex, MRN, address, insurance) and the ordering
clinician(s); then one block per order: its name and code, when and by whom it was ordered,
and its facts (priority, reason and specimen notes for a test; directions in words,
quantity, refills and any overridden safety alert for a drug). A signature line per
ordering clinician ends it.
"""

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.clinical.printing.letterhead import Letterhead
from app.clinical.printing.letterhead import render as letterhead_render
from app.clinical.printing.pages import MARGIN, PAPERS, escape, fonts

GRID = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#dde3ea")
WARNING = colors.HexColor("#9b1c1c")


@dataclass(frozen=True)
class PrintedPatient:
    name: str  # "Family, Given"
    born: str
    sex: str
    mrn: str
    address: str
    insurance: str


@dataclass(frozen=True)
class PrintedLine:
    """One order as printed: its facts are (label, words) pairs, shown only when said."""

    name: str
    code: str  # as printed: "LOINC 58410-2", "RxNorm 855332", "code CT-HEAD"
    clinician: str
    ordered: str  # YYYY-MM-DD
    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Printout:
    letterhead: Letterhead  # titled "Prescription, 04 March 2026"
    patient: PrintedPatient
    clinicians: tuple[str, ...]
    lines: tuple[PrintedLine, ...]


def render(path: Path, paper: str, printout: Printout) -> int:
    """Write the printout to `path`; how many pages it has."""
    regular, bold = fonts()
    width = PAPERS[paper][0] - 2 * MARGIN
    styles = {"cell": ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11.5),
              "label": ParagraphStyle("label", fontName=bold, fontSize=9, leading=11.5),
              "warn": ParagraphStyle("warn", fontName=regular, fontSize=9, leading=11.5,
                                     textColor=WARNING)}
    patient = printout.patient
    story = [_pairs([("Patient", patient.name), ("Born", patient.born), ("Sex", patient.sex),
                     ("MRN", patient.mrn), ("Address", patient.address),
                     ("Insurance", patient.insurance),
                     ("Ordering clinician", ", ".join(printout.clinicians))], width, styles),
             Spacer(1, 5 * mm)]
    story += [KeepTogether([_order(line, width, styles), Spacer(1, 3 * mm)])
              for line in printout.lines]
    story += [Spacer(1, 8 * mm), *[_signature(who, width, styles)
                                   for who in printout.clinicians]]
    return letterhead_render(path, paper, printout.letterhead, story)


def _pairs(pairs: list[tuple[str, str]], width: float, styles: dict) -> Table:
    data = [[Paragraph(escape(label), styles["label"]), Paragraph(escape(value or "—"),
                                                                   styles["cell"])]
            for label, value in pairs]
    table = Table(data, colWidths=[width * 0.24, width * 0.76])
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _order(line: PrintedLine, width: float, styles: dict) -> Table:
    head = Paragraph(f"{escape(line.name)}<font size='8'>&nbsp;&nbsp;"
                     f"{escape(line.code)}</font>", styles["label"])
    data = [[head, ""]]
    for label, words in (("Ordered", f"{line.ordered} by {line.clinician}"), *line.facts):
        if words:
            style = styles["warn"] if label == "Safety alert" else styles["cell"]
            data.append([Paragraph(escape(label), styles["label"]),
                         Paragraph(escape(words), style)])
    table = Table(data, colWidths=[width * 0.24, width * 0.76])
    table.setStyle(TableStyle([
        ("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#56616d")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _signature(clinician: str, width: float, styles: dict) -> Table:
    """A line to sign on, the clinician's name under it, and one for the date."""
    table = Table([["", "", ""], [Paragraph(escape(f"Signature: {clinician}"), styles["cell"]),
                                  "", Paragraph("Date", styles["cell"])]],
                  colWidths=[width * 0.6, width * 0.1, width * 0.3], rowHeights=[14 * mm, None])
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (0, 0), 0.8, colors.black),
                               ("LINEBELOW", (2, 0), (2, 0), 0.8, colors.black)]))
    return table
