"""Where a resource shows in a patient's chart: its section, date, status and code.

Computed once, when the resource is written, into patient_compartment, so that a chart
summary is a handful of indexed range queries instead of a scan of the patient's JSON.
"""

SECTION_BY_TYPE = {
    "Condition": "problems",
    "MedicationRequest": "medications",
    "MedicationStatement": "medications",
    "AllergyIntolerance": "allergies",
    "Immunization": "immunizations",
    "Encounter": "encounters",
    "Procedure": "procedures",
    "DiagnosticReport": "reports",
    "DocumentReference": "notes",
    "Composition": "notes",
    "CarePlan": "care_plans",
    "Goal": "care_plans",
    "ImagingStudy": "imaging",
    "Claim": "billing",
    "ExplanationOfBenefit": "billing",
    "Patient": "demographics",
}
OBSERVATION_SECTIONS = {"vital-signs": "vitals", "laboratory": "labs"}

# The first of these that is present dates the resource (FHIR choice elements included).
DATE_FIELDS = (
    "effectiveDateTime", "effectivePeriod", "issued", "onsetDateTime", "onsetPeriod",
    "recordedDate", "authoredOn", "occurrenceDateTime", "performedDateTime",
    "performedPeriod", "period", "started", "date", "created", "billablePeriod",
    "dateAsserted", "startDate", "birthDate",
)
CODE_FIELDS = ("code", "medicationCodeableConcept", "vaccineCode", "type", "description")
STATUS_FIELDS = ("clinicalStatus", "status", "lifecycleStatus")


def chart_fields(resource: dict) -> dict[str, str | None]:
    return {
        "section": section_of(resource),
        "date": _date(resource),
        "status": _status(resource),
        "code": _code(resource),
    }


def section_of(resource: dict) -> str:
    kind = resource["resourceType"]
    if kind == "Observation":
        for category in resource.get("category", []):
            for coding in category.get("coding", []):
                if section := OBSERVATION_SECTIONS.get(coding.get("code")):
                    return section
        return "observations"
    return SECTION_BY_TYPE.get(kind, "other")


def _date(resource: dict) -> str | None:
    for field in DATE_FIELDS:
        value = resource.get(field)
        if isinstance(value, dict):
            value = value.get("start")
        if isinstance(value, str):
            return value
    return None


def _status(resource: dict) -> str | None:
    # FHIR forbids a clinical status on a record entered in error: say so, or it reads as
    # active (an allergy retracted as a mistake would stay red in the banner)
    if any(c.get("code") == "entered-in-error"
           for c in (resource.get("verificationStatus") or {}).get("coding", [])):
        return "entered-in-error"
    for field in STATUS_FIELDS:
        value = resource.get(field)
        if isinstance(value, dict):
            value = next((c.get("code") for c in value.get("coding", [])), None)
        if isinstance(value, str):
            return value
    return None


def _code(resource: dict) -> str | None:
    for field in CODE_FIELDS:
        value = resource.get(field)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict) and value.get("coding"):
            return value["coding"][0].get("code")
    return None
