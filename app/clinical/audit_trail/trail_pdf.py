"""The filtered audit trail on paper: landscape, so a row's detail has room, on the
printouts' one page layout (app.clinical.printing.pages: the clinic and the filter in the
head of every page, the table's header row repeated, the foot saying who printed it, when,
and "Page 1 of 3").

It is not a patient printout, so it carries no patient head: the rows name many patients.
Written to a temporary file beside the target and renamed only when complete.
"""

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.platypus import Paragraph, Table, TableStyle

from app.clinical.printing import pages
from app.clinical.printing.letterhead import styles
from app.clinical.printing.pages import MARGIN, PAPERS, escape
from app.clinical.visits.day_sheet import _start_file, default_paper
from app.display_time import when_text

if TYPE_CHECKING:
    from app.clinical.audit_trail.viewer import Shown

HEADINGS = ("When", "User", "Role", "Action", "Outcome", "Patient", "Record", "Detail")
WIDTHS = (0.11, 0.08, 0.07, 0.06, 0.06, 0.13, 0.14, 0.35)  # of the page's width


def write_pdf(rows: Sequence["Shown"], output: Path, clinic: str, filtered: str,
              printed_by: str) -> int:
    """Write `rows` to `output`; how many pages it has."""
    output = output.expanduser().absolute()
    partial = _start_file(output, "the audit trail", "audit-trail.pdf")
    try:
        pages = _render(rows, partial, clinic, filtered, printed_by)
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return pages


def _render(rows: Sequence["Shown"], path: Path, clinic: str, filtered: str,
            printed_by: str) -> int:
    paper = default_paper(os.environ)
    width = landscape(PAPERS[paper])[0] - 2 * MARGIN
    head = pages.head(escape(f"{clinic + ' · ' if clinic else ''}Audit trail"),
                      escape(f"{len(rows):,} {'entry' if len(rows) == 1 else 'entries'}, "
                             f"newest first; {filtered}."))
    story = [_table(rows, width, styles())] if rows else []
    return pages.write(path, paper, head, story, "Audit trail", printed_by, datetime.now(),
                       wide=True)


def _table(rows: Sequence["Shown"], width: float, look) -> Table:
    data = [[Paragraph(escape(h), look["label"]) for h in HEADINGS]]
    for row in rows:
        entry = row.entry
        data.append([Paragraph(escape(value or ""), look["cell"]) for value in (
            when_text(entry.at, with_date=True, seconds=True), entry.user, entry.role, entry.action,
            entry.outcome, row.patient, entry.entity, entry.detail)])
    table = Table(data, colWidths=[width * share for share in WIDTHS], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table
