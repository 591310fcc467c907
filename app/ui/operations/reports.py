"""Operations on a chart's reports: one report opened with the results it groups."""

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.chart.report_results import ReportRecord, ReportResults
from app.ui.common.background import Background
from app.ui.operations import Op

SHOWN = "report shown"  # the report a Reports tab shows: the newest one asked for


def read(owner: QObject, background: Background, ws: Workstation, patient_id: str,
         report_id: str) -> Op[ReportRecord]:
    """The report with its results, in one audited read; a newer selection wins."""
    return Op(owner, background,
              lambda: ReportResults(ws.store).read(ws.session, patient_id, report_id), SHOWN)
