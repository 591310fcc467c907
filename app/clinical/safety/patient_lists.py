"""What a patient takes and is allergic to, as the safety check needs it: coded where it can
be, and named where it cannot, so nothing is left out unsaid.

Current medications are MedicationRequests that are active or on hold and
MedicationStatements that are active (as the chart's medication list counts them), and
pended orders (MedicationRequest drafts) too, marked so: a nurse's pended warfarin is not yet
the patient's drug, but the physician prescribing ibuprofen must see the interaction. A drug
is named inline (medicationCodeableConcept) or by reference to a Medication, contained or
stored (app.clinical.charting.medication_names). Allergies are the AllergyIntolerances whose
clinical status is active (or absent) and that are not refuted or entered in error.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from app.clinical.charting.medication_names import concept_name, referenced_medications
from app.clinical.fhir.codes import NO_KNOWN, RXNORM, SNOMED
from fhir_common import fhir_json

# An allergy to a whole drug class is coded with the drug catalogue's class ids
DRUG_CLASS = "urn:hearth:drug-class"
CURRENT = {"MedicationRequest": ("active", "on-hold", "draft"),
           "MedicationStatement": ("active",)}
PENDED = "draft"
NOT_AN_ALLERGY = ("refuted", "entered-in-error")
ROWS = text("SELECT r.json FROM patient_compartment c "
            "JOIN resource r ON r.type = c.type AND r.id = c.id AND r.deleted = 0 "
            "WHERE c.patient_id = :patient AND ((c.section = 'medications' "
            "AND c.status IN ('active', 'on-hold', 'draft')) OR c.section = 'allergies')")


@dataclass(frozen=True)
class Listed:
    """One current medication or allergy: what the chart calls it, its codes, and which
    record it is (for the alert's link to it)."""

    reference: str  # "MedicationRequest/id"
    name: str
    rxnorm: tuple[str, ...]
    snomed: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    drug_allergy: bool = True  # False: food, environment or biologic
    pended: bool = False  # a medication order pended (draft), not yet signed

    @property
    def where(self) -> str:
        """Where the alert says this medication is: signed, or only pended."""
        return "pended, not yet signed" if self.pended else "on the medication list"


@dataclass(frozen=True)
class PatientLists:
    medications: tuple[Listed, ...]
    allergies: tuple[Listed, ...]


def read_lists(conn: Connection, patient_id: str) -> PatientLists:
    """The current medications and allergies, read in the caller's (audited) transaction."""
    rows = [fhir_json.loads(body) for (body,) in conn.execute(ROWS, {"patient": patient_id})]
    medications = [r for r in rows if r["resourceType"] in CURRENT
                   and r.get("status") in CURRENT[r["resourceType"]]]
    stored = referenced_medications(conn, medications)
    allergies = [r for r in rows if r["resourceType"] == "AllergyIntolerance" and _active(r)]
    return PatientLists(tuple(_medication(m, stored) for m in medications),
                        tuple(allergy_listed(a) for a in allergies))


def _medication(record: dict, stored: dict[str, dict]) -> Listed:
    concept = record.get("medicationCodeableConcept")
    reference = record.get("medicationReference") or {}
    if concept is None:
        target = reference.get("reference") or ""
        medication = (next((c for c in record.get("contained", []) if isinstance(c, dict)
                            and c.get("id") == target[1:]), None) if target.startswith("#")
                      else stored.get(target.split("/_history")[0]))
        concept = (medication or {}).get("code")
    name = concept_name(concept) or reference.get("display") or "an unnamed medication"
    return Listed(f"{record['resourceType']}/{record['id']}", name, _codes(concept, RXNORM),
                  pended=record.get("status") == PENDED)


def allergy_listed(record: dict) -> Listed:
    """An AllergyIntolerance as the check sees it (also one being recorded, not yet saved)."""
    concept = record.get("code")
    categories = record.get("category") or []
    return Listed(f"AllergyIntolerance/{record['id']}", concept_name(concept) or "unnamed",
                  _codes(concept, RXNORM), _codes(concept, SNOMED), _codes(concept, DRUG_CLASS),
                  not categories or "medication" in categories)


def _active(allergy: dict) -> bool:
    status = _code(allergy.get("clinicalStatus"))
    if set(_codes(allergy.get("code"), SNOMED)) & set(NO_KNOWN):
        return False  # "no known allergy" is not an allergy
    return status in (None, "active") and _code(
        allergy.get("verificationStatus")) not in NOT_AN_ALLERGY


def _code(concept) -> str | None:
    return next((c.get("code") for c in (concept or {}).get("coding", [])), None)


def _codes(concept, system: str) -> tuple[str, ...]:
    if not isinstance(concept, dict):
        return ()
    return tuple(c["code"].strip() for c in concept.get("coding", [])
                 if c.get("system") == system and isinstance(c.get("code"), str))
