"""Operations of the Reports tab: running a clinic report, and writing it as CSV or PDF.

A report is one audited read of counts (ClinicReports.run checks RUN_REPORTS); exporting
writes the table already read, through the same services `hearth report` uses, so the
screen, the CSV and the PDF can never disagree. (operations/reports.py is the chart's
reports: a patient's lab report with its results.)
"""

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.reports.catalogue import ClinicReports, Options
from app.clinical.reports.report_csv import write_csv
from app.clinical.reports.report_pdf import clinic_of, write_pdf
from app.clinical.reports.table import Period, ReportTable
from app.ui.common.background import Background
from app.ui.operations import Op

REPORT = "clinic report"  # the newest Run answers


def run(owner: QObject, background: Background, ws: Workstation, name: str, period: Period,
        options: Options) -> Op[ReportTable]:
    """The report `name` over `period`, read on the database thread; the newest Run wins."""
    return Op(owner, background,
              lambda: ClinicReports(ws.store).run(ws.session, name, period, options), REPORT)


def export_csv(owner: QObject, background: Background, table: ReportTable,
               output: Path) -> Op[Path]:
    """The shown table as CSV at `output` (complete or not there); the path written."""
    return Op(owner, background, lambda: write_csv(table, output))


def export_pdf(owner: QObject, background: Background, ws: Workstation, table: ReportTable,
               output: Path, paper: str) -> Op[tuple[Path, int]]:
    """The shown table as a PDF with its chart, headed with the policy's clinic; the path
    written and its pages."""
    return Op(owner, background, lambda: write_pdf(
        table, output, paper, clinic_of(ws.store, ws.policy), ws.session.user,
        datetime.now().astimezone()))
