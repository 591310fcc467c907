"""Operations on a patient's amendment requests: list, the records a request may name,
record a request, accept or deny it (each write publishes its Changes)."""

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.amendments.requests import Amendment, Amendments
from app.ui.common.background import Background
from app.ui.operations import Op

SHOWN, CHOICES = "amendment requests shown", "records to amend"


def _service(ws: Workstation) -> Amendments:
    return Amendments(ws.store, ws.changes)


def listed(owner: QObject, background: Background, ws: Workstation,
           patient_id: str) -> Op[list[Amendment]]:
    return Op(owner, background,
              lambda: _service(ws).of_patient(ws.session, patient_id), SHOWN)


def choices(owner: QObject, background: Background, ws: Workstation,
            patient_id: str) -> Op[list[tuple[str, str]]]:
    return Op(owner, background,
              lambda: _service(ws).choices(ws.session, patient_id), CHOICES)


def request(owner: QObject, background: Background, ws: Workstation, patient_id: str,
            record: str, words: str) -> Op[Amendment]:
    return Op(owner, background,
              lambda: _service(ws).request(ws.session, patient_id, record, words))


def decide(owner: QObject, background: Background, ws: Workstation, request_id: str,
           accept: bool, reason: str) -> Op[Amendment]:
    """Accept (`reason` an optional note) or deny (`reason` required by the service)."""
    service = _service(ws)
    if accept:
        return Op(owner, background,
                  lambda: service.accept(ws.session, request_id, reason or None))
    return Op(owner, background, lambda: service.deny(ws.session, request_id, reason))
