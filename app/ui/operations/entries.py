"""Operations on the chart's entries: problems (with the ICD-10-CM code search), allergies
and medications (prescribing with the drug catalogue search), as the Problems, Allergies and
Medications tabs and their dialogs write them.
"""

from dataclasses import dataclass

from PySide6.QtCore import QObject

from app.clinical.chart.record_alerts import RecordAlerts
from app.clinical.charting import icd10
from app.clinical.charting.allergens import AllergenList
from app.clinical.charting.allergies import Allergies, Recorded
from app.clinical.charting.medications import Medications, Started
from app.clinical.charting.problems import Problems
from app.clinical.drugs.catalogue import Drug, DrugCatalogue
from app.clinical.orders.dose_limits import dose_limits
from app.clinical.orders.medication_changes import MedicationChanges
from app.clinical.orders.sig import Sig
from app.security.session import Session
from app.ui.common.background import Background
from app.ui.operations import Op

CODE_SET = "code set"
CODE_SEARCH = "code search"
RECORD = "record to edit"
DRUGS = "drug catalogue"
DRUG_SEARCH = "drug search"
INDICATIONS = "indications"
ALLERGEN_LIST = "allergen list"


@dataclass(frozen=True)
class Services:
    """What the chart's entry actions write with, for one signed-in user and one patient."""

    session: Session
    problems: Problems
    allergies: Allergies
    medications: Medications
    patient_id: str
    # Renew, change, discontinue; a record's safety alerts (the Medications tab's)
    medication_changes: MedicationChanges | None = None
    record_alerts: RecordAlerts | None = None


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


def load_allergens(owner: QObject, background: Background, s: Services) -> Op[AllergenList]:
    """The coded substances an allergy is picked from (a file read, so off the UI thread)."""
    return Op(owner, background, s.allergies.allergens, ALLERGEN_LIST)


def add_allergy(owner: QObject, background: Background, s: Services, substance: str,
                reaction: str, severity: str | None, criticality: str | None,
                category: str | None, substance_code: dict | None = None) -> Op[Recorded]:
    """The allergy saved, with the alerts it raised against the current medications."""
    return Op(owner, background, lambda: s.allergies.record(
        s.session, s.patient_id, substance, reaction, severity, criticality,
        substance_code, category))


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


def load_drugs(owner: QObject, background: Background, s: Services) -> Op[DrugCatalogue]:
    """The drug catalogue and the dose limits read once, so the first search typed and the
    live sig do not wait for them."""

    def read() -> DrugCatalogue:
        dose_limits()
        return s.medications.safety.catalogue

    return Op(owner, background, read, DRUGS)


def search_drugs(owner: QObject, background: Background, catalogue: DrugCatalogue,
                 typed: str, limit: int) -> Op[list[Drug]]:
    return Op(owner, background, lambda: catalogue.search(typed, limit), DRUG_SEARCH)


def indications(owner: QObject, background: Background,
                s: Services) -> Op[list[tuple[str, str]]]:
    """The patient's active problems (Condition id, name), offered as an order's indication."""
    return Op(owner, background, lambda: s.medications.indications(s.session, s.patient_id),
              INDICATIONS)


@dataclass(frozen=True)
class Prescription:
    """A new medication order as the prescription form gives it."""

    medication: str
    sig: Sig
    rxnorm: str | None = None
    instructions: str | None = None
    condition_id: str | None = None  # the indication: one of the patient's problems
    reason: str | None = None  # or words
    override: str | None = None
    acknowledged: bool = False


def prescribe(owner: QObject, background: Background, s: Services,
              order: Prescription) -> Op[Started]:
    """Order a drug (a nurse's is pended for a physician to sign); refused (SafetyAlerts,
    AcknowledgementNeeded) until the prescriber gives a reason to override, or acknowledges
    that no full safety check could run."""
    return Op(owner, background, lambda: s.medications.prescribe(
        s.session, s.patient_id, order.medication, order.sig, order.reason, order.rxnorm,
        order.override, order.acknowledged, instructions=order.instructions,
        condition_id=order.condition_id))


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
