"""Operations on a patient's visit: the one in progress, starting it, finishing it."""

from PySide6.QtCore import QObject

from app.clinical.visits.encounters import Encounters
from app.security.session import Session
from app.ui.common.background import Background
from app.ui.operations import Op

IN_PROGRESS = "visit in progress"


def in_progress(owner: QObject, background: Background, encounters: Encounters,
                session: Session, patient_id: str) -> Op[dict | None]:
    return Op(owner, background, lambda: encounters.current_visit(session, patient_id),
              IN_PROGRESS)


def start(owner: QObject, background: Background, encounters: Encounters, session: Session,
          patient_id: str, appointment_id: str | None = None) -> Op[dict]:
    """A visit starting now; from an appointment, which then becomes "Seen"."""
    if appointment_id is None:
        return Op(owner, background, lambda: encounters.start_visit(session, patient_id))
    return Op(owner, background,
              lambda: encounters.start_visit(session, patient_id, appointment_id))


def finish(owner: QObject, background: Background, encounters: Encounters, session: Session,
           visit_id: str) -> Op[dict]:
    return Op(owner, background, lambda: encounters.finish_visit(session, visit_id))
