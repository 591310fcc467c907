"""Operations of the demographics tab: reading a patient for the front desk, saving an edit.

The read is one op (Demographics.read: the patient, insurance and upcoming appointments in
one audited read) of kind READ, so only the newest answer reaches the tab. The edit is a
write: every answer is delivered, a RegistrationRefused naming the fields to mark.
"""

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.patients.demographics import Demographics, PatientDemographics
from app.clinical.patients.registration import NewPatient
from app.ui.common.background import Background
from app.ui.operations import Op

READ = "patient demographics"


def desk(ws: Workstation) -> Demographics:
    """The service over the signed-in workstation: it holds no state, so one per call."""
    return Demographics(ws.store, ws.changes)


def read(owner: QObject, background: Background, ws: Workstation,
         patient_id: str) -> Op[PatientDemographics]:
    return Op(owner, background, lambda: desk(ws).read(ws.session, patient_id), READ)


def edit(owner: QObject, background: Background, ws: Workstation, shown: dict,
         typed: NewPatient, coverage: dict | None) -> Op[dict]:
    """Save `typed` over the patient `shown` and the insurance card `coverage` (as the tab
    read them); answers the patient as saved."""
    return Op(owner, background, lambda: desk(ws).edit(ws.session, shown, typed, coverage))
