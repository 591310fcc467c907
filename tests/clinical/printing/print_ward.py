"""The charts the printout tests print: Rosa's (tests/clinical/chart/visit_ward.py: a visit
with vitals, diagnoses, orders and a note) with immunizations, a stopped drug, a problem
entered in error and an appointment to come; Zoë, whose accented name and very long drug
name must stay on the paper; and Hal, whose problem history runs to some 60 pages."""

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from tests.clinical.chart.visit_ward import ROSA, SUBJECT, resources
from tests.conftest import new_store

ZOE, HAL = "zoe-angstrom", "hal-long"
CLINIC_ID, CLINIC = "springfield", "Springfield Family Practice"
HISTORY = 2400  # problems: about 60 pages of the problem list on A4
LONG_DRUG = ("Trimethoprim-sulfamethoxazole-hydrochlorothiazide-acetylsalicylic-acid "
             "extended-release compounded oral suspension " * 3).strip()
LONG_WORD = "Pseudoephedrinehydrochloridechlorpheniraminemaleatedextromethorphan" * 2
NOTE_PARAGRAPHS = 150
LONG_NOTE = "\n\n".join(f"Paragraph {n:03d}: " + "the history as the patient told it, " * 8
                        for n in range(NOTE_PARAGRAPHS))
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CVX = "http://hl7.org/fhir/sid/cvx"


def _condition(rid: str, patient: str, text: str, status: str, onset: str, **more) -> dict:
    return {"resourceType": "Condition", "id": rid, "subject": {"reference": f"Patient/{patient}"},
            "clinicalStatus": {"coding": [{"system": CLINICAL, "code": status}]},
            "code": {"text": text}, "onsetDateTime": onset, **more}


def extras() -> list[dict]:
    soon = (datetime.now(UTC) + timedelta(days=14)).replace(hour=9, minute=30, second=0,
                                                            microsecond=0)
    made = [
        {"resourceType": "Organization", "id": CLINIC_ID, "name": CLINIC},
        {"resourceType": "Immunization", "id": "rosa-flu", "status": "completed",
         "patient": {"reference": f"Patient/{ROSA}"}, "occurrenceDateTime": "2025-10-01",
         "vaccineCode": {"coding": [{"system": CVX, "code": "140"}],
                         "text": "Influenza, seasonal, injectable"},
         "lotNumber": "FL-2291", "protocolApplied": [{"doseNumberPositiveInt": 1}]},
        {"resourceType": "Immunization", "id": "rosa-td", "status": "not-done",
         "patient": {"reference": f"Patient/{ROSA}"}, "occurrenceDateTime": "2024-03-11",
         "vaccineCode": {"coding": [{"system": CVX, "code": "113"}], "text": "Td (adult)"}},
        {"resourceType": "MedicationRequest", "id": "rosa-codeine", "status": "stopped",
         "intent": "order", **SUBJECT, "authoredOn": "2021-06-01",
         "medicationCodeableConcept": {"text": "Codeine 30 mg tablet"},
         "dosageInstruction": [{"text": "1 tablet every 6 hours as needed"}]},
        _condition("rosa-fracture", ROSA, "Fracture of wrist", "resolved", "2015-02-01",
                   abatementDateTime="2015-05-01"),
        _condition("rosa-mistake", ROSA, "Gout", "active", "2020-01-01", verificationStatus={
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                        "code": "entered-in-error"}]}),
        {"resourceType": "Appointment", "id": "rosa-follow-up", "status": "booked",
         "start": soon.isoformat(), "end": (soon + timedelta(minutes=20)).isoformat(),
         "appointmentType": {"text": "Follow-up"},
         "participant": [{"actor": {"reference": f"Patient/{ROSA}", "display": "Rosa Ruiz"},
                          "status": "accepted"},
                         {"actor": {"display": "Dr Amy Shah"}, "status": "accepted"}]},
        {"resourceType": "Patient", "id": ZOE, "birthDate": "1990-02-28",
         "name": [{"family": "Ångström-Øyelaran", "given": ["Zoë", "Françoise"]}],
         "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "MRN-ZÖ-42"},
                        {"type": {"text": "Social Security Number"}, "value": "999-11-2222"}]},
        {"resourceType": "MedicationRequest", "id": "zoe-long", "status": "active",
         "intent": "order", "subject": {"reference": f"Patient/{ZOE}"},
         "authoredOn": "2026-01-05", "medicationCodeableConcept": {"text": LONG_DRUG},
         "dosageInstruction": [{"text": f"5 mL by mouth twice daily, {LONG_WORD}"}]},
        {"resourceType": "Encounter", "id": "zoe-visit", "status": "finished",
         "subject": {"reference": f"Patient/{ZOE}"},
         "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                   "code": "AMB"}, "period": {"start": "2026-01-05T10:00:00Z"}},
        {"resourceType": "DocumentReference", "id": "zoe-note", "status": "current",
         "subject": {"reference": f"Patient/{ZOE}"}, "type": {"text": "Consultation"},
         "date": "2026-01-05T11:00:00Z", "authenticator": {"display": "Dr Amy Shah"},
         "context": {"encounter": [{"reference": "Encounter/zoe-visit"}]},
         "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                     "data": base64.b64encode(LONG_NOTE.encode()).decode()}}]},
        {"resourceType": "Patient", "id": HAL, "birthDate": "1940-01-01",
         "name": [{"family": "Long", "given": ["Hal"]}],
         "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "MRN-HAL-1"}]},
    ]
    start = datetime(1960, 1, 1)
    made += [_condition(f"hal-{n:04d}", HAL, f"History entry {n:04d}: problem number {n}",
                        "resolved" if n % 3 else "active",
                        (start + timedelta(days=7 * n)).date().isoformat())
             for n in range(HISTORY)]
    return made


def build(root: Path, users: dict[str, tuple[str, str]]):
    """A store at `root` holding these charts; the environment to sign in with."""
    bundle = root.parent / "printing.json"
    bundle.parent.mkdir(parents=True, exist_ok=True)
    bundle.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                     "entry": [{"resource": r}
                                               for r in [*resources(), *extras()]]}))
    env, report = new_store(root, users, [bundle])
    assert report.skipped == 0, report.errors
    return env
