"""Operations on a patient's past visits: one visit opened with what was charted in it."""

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.chart.visit_record import VisitRecord, VisitRecords
from app.ui.common.background import Background
from app.ui.operations import Op

OPENED = "visit opened"


def read(owner: QObject, background: Background, ws: Workstation, patient_id: str,
         encounter_id: str) -> Op[VisitRecord]:
    """The visit and its notes, vitals, results, orders and diagnoses, in one audited read."""
    return Op(owner, background,
              lambda: VisitRecords(ws.store).read(ws.session, patient_id, encounter_id), OPENED)
