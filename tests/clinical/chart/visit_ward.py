"""A made-up patient whose chart holds what a clinician reads beside each title, in real FHIR
R4 shapes: a coded problem, medications with dose text and with a structured dose, an
allergy with its reaction and severity, results with reference ranges and flags, a report
grouping them, and a visit with its notes, vitals, orders and diagnoses. The Synthea data
carries no ranges, reactions or report text, so these tests bring their own.
"""

from pathlib import Path

import orjson

from tests.conftest import new_store

ROSA, VISIT, EMPTY_VISIT, REPORT = "rosa-ruiz", "rosa-visit", "rosa-phone-call", "rosa-cbc"
SHAH = {"display": "Dr Amy Shah"}
NURSE = {"display": "Nina Nurse"}
ON_VISIT = {"encounter": {"reference": f"Encounter/{VISIT}"}}
SUBJECT = {"subject": {"reference": f"Patient/{ROSA}"}}
LOINC, SNOMED = "http://loinc.org", "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def _observation(rid: str, category: str, code: str, title: str, when: str, **fields) -> dict:
    return {"resourceType": "Observation", "id": rid, "status": "final",
            "category": [{"coding": [{"system": CATEGORY, "code": category}]}],
            "code": {"coding": [{"system": LOINC, "code": code}], "text": title},
            **SUBJECT, "effectiveDateTime": when, **fields}


def _range(low: float, high: float, unit: str) -> list[dict]:
    return [{"low": {"value": low, "unit": unit}, "high": {"value": high, "unit": unit}}]


def resources() -> list[dict]:
    day = "2026-03-02T09:"
    return [
        {"resourceType": "Patient", "id": ROSA, "gender": "female", "birthDate": "1961-07-14",
         "name": [{"family": "Ruiz", "given": ["Rosa"]}]},
        {"resourceType": "Practitioner", "id": "dr-okafor",
         "name": [{"family": "Okafor", "given": ["Chidi"], "prefix": ["Dr."]}]},
        {"resourceType": "Encounter", "id": VISIT, "status": "finished", **SUBJECT,
         "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                   "code": "AMB"},
         "type": [{"text": "Diabetes follow-up"}],
         "period": {"start": f"{day}00:00Z", "end": f"{day}40:00Z"},
         "participant": [{"individual": SHAH},
                         {"individual": {"reference": "Practitioner/dr-okafor"}}],
         "reasonCode": [{"text": "Tiredness for three weeks"}],
         "diagnosis": [{"condition": {"reference": "Condition/rosa-anaemia"},
                        "use": {"text": "Discharge diagnosis"}}]},
        {"resourceType": "Encounter", "id": EMPTY_VISIT, "status": "finished", **SUBJECT,
         "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                   "code": "VR"}, "type": [{"text": "Telephone advice"}],
         "period": {"start": "2026-02-01T14:00:00Z"}},
        {"resourceType": "Condition", "id": "rosa-diabetes", **SUBJECT, **ON_VISIT,
         "clinicalStatus": {"coding": [{
             "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
             "code": "active"}]},
         "code": {"coding": [{"system": SNOMED, "code": "44054006"},
                             {"system": ICD10, "code": "E11.9",
                              "display": "Type 2 diabetes mellitus without complications"}],
                  "text": "Type 2 diabetes mellitus"},
         "onsetDateTime": "2019-04-01", "recorder": SHAH},
        {"resourceType": "Condition", "id": "rosa-anaemia", **SUBJECT,
         "clinicalStatus": {"coding": [{
             "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
             "code": "active"}]},
         "code": {"coding": [{"system": ICD10, "code": "D64.9"}], "text": "Anaemia"},
         "onsetDateTime": "2026-03-02", "recorder": {"reference": "Practitioner/dr-okafor"}},
        {"resourceType": "MedicationRequest", "id": "rosa-metformin", "status": "active",
         "intent": "order", **SUBJECT, **ON_VISIT, "authoredOn": f"{day}30:00Z",
         "medicationCodeableConcept": {"text": "Metformin 500 mg tablet"},
         "requester": SHAH,
         "dosageInstruction": [{"text": "1 tablet by mouth twice daily with meals"}]},
        {"resourceType": "MedicationRequest", "id": "rosa-salbutamol", "status": "active",
         "intent": "order", **SUBJECT, "authoredOn": "2024-05-10",
         "medicationCodeableConcept": {"text": "Salbutamol 100 mcg inhaler"},
         "dosageInstruction": [{
             "route": {"text": "inhaled"},
             "timing": {"repeat": {"frequency": 1, "period": 4, "periodUnit": "h"}},
             "asNeededBoolean": True,
             "doseAndRate": [{"doseQuantity": {"value": 2, "unit": "puffs"}}]}]},
        {"resourceType": "AllergyIntolerance", "id": "rosa-penicillin",
         "patient": {"reference": f"Patient/{ROSA}"}, "recordedDate": "2010-01-01",
         "clinicalStatus": {"coding": [{
             "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
             "code": "active"}]},
         "code": {"text": "Penicillin"},
         "reaction": [{"manifestation": [{"text": "Hives"}, {"text": "Wheeze"}],
                       "severity": "severe"}]},
        _observation("rosa-hb", "laboratory", "718-7", "Hemoglobin", f"{day}10:00Z",
                     valueQuantity={"value": 9.1, "unit": "g/dL"},
                     referenceRange=_range(13.5, 17.5, "g/dL"), **ON_VISIT,
                     interpretation=[{"coding": [{"code": "L"}]}]),
        _observation("rosa-wbc", "laboratory", "6690-2", "Leukocytes", f"{day}10:00Z",
                     valueQuantity={"value": 11.2, "unit": "10*3/uL"},
                     referenceRange=_range(4.0, 10.5, "10*3/uL"), **ON_VISIT),
        _observation("rosa-urine", "laboratory", "630-4", "Urine culture", "2026-02-20",
                     valueString="Escherichia coli > 100,000 CFU/mL",
                     referenceRange=[{"text": "No growth"}],
                     interpretation=[{"coding": [{"code": "A"}]}]),
        _observation("rosa-weight", "vital-signs", "29463-7", "Body weight", f"{day}05:00Z",
                     valueQuantity={"value": 71.5, "unit": "kg"}, performer=[NURSE],
                     **ON_VISIT),
        {"resourceType": "DiagnosticReport", "id": REPORT, "status": "final", **SUBJECT,
         **ON_VISIT, "code": {"text": "Complete blood count"}, "effectiveDateTime":
             f"{day}10:00Z",
         "result": [{"reference": "Observation/rosa-hb"},
                    {"reference": "Observation/rosa-wbc"},
                    {"reference": "Observation/rosa-platelets-not-sent"}]},
        {"resourceType": "ServiceRequest", "id": "rosa-hba1c", "status": "active",
         "intent": "order", **SUBJECT, **ON_VISIT, "code": {"text": "HbA1c"},
         "authoredOn": f"{day}35:00Z", "requester": SHAH},
        {"resourceType": "DocumentReference", "id": "rosa-note", "status": "current",
         **SUBJECT, "type": {"text": "Progress note"}, "date": f"{day}38:00Z",
         "author": [SHAH], "context": {"encounter": [{"reference": f"Encounter/{VISIT}"}]},
         "content": [{"attachment": {"contentType": "text/plain", "data": "U2Vlbi4="}}]},
        {"resourceType": "Procedure", "id": "rosa-foot-check", "status": "completed",
         **SUBJECT, **ON_VISIT, "code": {"text": "Diabetic foot examination"},
         "performedDateTime": f"{day}20:00Z"},
    ]


def build(root: Path, users: dict[str, tuple[str, str]]):
    """A store at `root` holding Rosa's chart; the environment to sign in with."""
    bundle = root.parent / "rosa.json"
    bundle.parent.mkdir(parents=True, exist_ok=True)
    bundle.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                     "entry": [{"resource": r} for r in resources()]}))
    env, report = new_store(root, users, [bundle])
    assert report.skipped == 0, report.errors
    return env
