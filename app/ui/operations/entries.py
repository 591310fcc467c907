"""Operations on the chart's entries: problems (with the ICD-10-CM code search), allergies
and medications, as the Problems, Allergies and Medications tabs and their dialogs write them.
"""

from dataclasses import dataclass

from PySide6.QtCore import QObject

from app.clinical.charting import icd10
from app.clinical.charting.allergies import Allergies, Recorded
from app.clinical.charting.medications import Medications
from app.clinical.charting.problems import Problems
from app.security.session import Session
from app.ui.common.background import Background
from app.ui.operations import Op

CODE_SET = "code set"
CODE_SEARCH = "code search"
RECORD = "record to edit"


@dataclass(frozen=True)
class Services:
    """What the chart's entry actions write with, for one signed-in user and one patient."""

    session: Session
    problems: Problems
    allergies: Allergies
    medications: Medications
    patient_id: str


def load_code_set(owner: QObject, background: Background) -> Op[list[icd10.Icd10Code]]:
    """The code set read once, so the first search typed does not wait for it."""
    return Op(owner, background, lambda: icd10.search(""), CODE_SET)


def search_codes(owner: QObject, background: Background, typed: str,
                 limit: int) -> Op[list[icd10.Icd10Code]]:
    return Op(owner, background, lambda: icd10.search(typed, limit), CODE_SEARCH)


def add_problem(owner: QObject, background: Background, s: Services, code: str, onset: str,
                note: str) -> Op[dict]:
    return Op(owner, background,
              lambda: s.problems.add(s.session, s.patient_id, code, onset, note))


def edit_problem(owner: QObject, background: Background, s: Services, condition_id: str,
                 onset: str | None, note: str) -> Op[dict]:
    return Op(owner, background, lambda: s.problems.edit(s.session, condition_id, onset, note))


def resolve_problem(owner: QObject, background: Background, s: Services, condition_id: str,
                    reason: str, when: str | None) -> Op[dict]:
    return Op(owner, background,
              lambda: s.problems.resolve(s.session, condition_id, reason, when))


def add_allergy(owner: QObject, background: Background, s: Services, substance: str,
                reaction: str, severity: str | None, criticality: str | None,
                category: str | None) -> Op[Recorded]:
    """The allergy saved, with the alerts it raised against the current medications."""
    return Op(owner, background, lambda: s.allergies.record(
        s.session, s.patient_id, substance, reaction, severity, criticality,
        category=category))


def record_no_known_allergies(owner: QObject, background: Background,
                              s: Services) -> Op[dict]:
    return Op(owner, background,
              lambda: s.allergies.record_no_known_allergies(s.session, s.patient_id))


def current_allergy(owner: QObject, background: Background, s: Services,
                    allergy_id: str) -> Op[dict]:
    return Op(owner, background, lambda: s.allergies.current(s.session, allergy_id), RECORD)


def edit_allergy(owner: QObject, background: Background, s: Services, allergy_id: str,
                 reaction: str, severity: str | None, criticality: str | None, note: str,
                 shown: dict | None) -> Op[dict]:
    """Checked against `shown`, the version the clinician edited."""
    return Op(owner, background, lambda: s.allergies.edit(
        s.session, allergy_id, reaction, severity, criticality, note, shown))


def inactivate_allergy(owner: QObject, background: Background, s: Services, allergy_id: str,
                       reason: str) -> Op[dict]:
    return Op(owner, background, lambda: s.allergies.inactivate(s.session, allergy_id, reason))


def start_medication(owner: QObject, background: Background, s: Services, medication: str,
                     dose: str, reason: str, rxnorm: str, override: str | None = None,
                     acknowledged: bool = False) -> Op[dict]:
    """Order a drug; refused (SafetyAlerts, AcknowledgementNeeded) until the prescriber gives
    a reason to override, or acknowledges that no safety check could run."""
    return Op(owner, background, lambda: s.medications.start(
        s.session, s.patient_id, medication, dose, reason, rxnorm, override, acknowledged))


def current_medication(owner: QObject, background: Background, s: Services,
                       request_id: str) -> Op[dict]:
    return Op(owner, background, lambda: s.medications.current(s.session, request_id), RECORD)


def edit_medication(owner: QObject, background: Background, s: Services, request_id: str,
                    dose: str, note: str, shown: dict | None) -> Op[dict]:
    """Checked against `shown`, the version the clinician edited."""
    return Op(owner, background,
              lambda: s.medications.edit(s.session, request_id, dose, note, shown))


def stop_medication(owner: QObject, background: Background, s: Services, request_id: str,
                    reason: str) -> Op[dict]:
    return Op(owner, background, lambda: s.medications.stop(s.session, request_id, reason))


def enter_in_error(owner: QObject, background: Background, s: Services, section: str,
                   record_id: str, reason: str) -> Op[dict]:
    """A problem, allergy or medication (`section`) marked entered in error."""
    service = {"problems": s.problems, "allergies": s.allergies,
               "medications": s.medications}[section]
    return Op(owner, background, lambda: service.enter_in_error(s.session, record_id, reason))
