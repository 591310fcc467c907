"""An independent count of what each patient's chart should show, read from bundle files.

Written apart from app.store.chart_index on purpose: the tests compare the two.
"""

import json
from collections import Counter, defaultdict
from pathlib import Path

TYPE_SECTIONS = {
    "Condition": "problems", "MedicationRequest": "medications",
    "AllergyIntolerance": "allergies", "Immunization": "immunizations",
    "Encounter": "encounters", "Procedure": "procedures", "DiagnosticReport": "reports",
    "DocumentReference": "notes", "CarePlan": "care_plans", "Goal": "care_plans",
    "ImagingStudy": "imaging",
    "Claim": "billing", "ExplanationOfBenefit": "billing",
}


def expected_sections(files: list[Path]) -> dict[str, Counter]:
    """Patient id -> section -> number of records, for bundles of one patient each."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for path in files:
        entries = json.loads(path.read_text())["entry"]
        patients = [e["resource"]["id"] for e in entries
                    if e["resource"]["resourceType"] == "Patient"]
        if not patients:
            continue
        [patient] = patients
        for entry in entries:
            resource = entry["resource"]
            kind = resource["resourceType"]
            if kind == "Observation":
                categories = {c["code"] for cat in resource.get("category", [])
                              for c in cat["coding"]}
                section = ("vitals" if "vital-signs" in categories else
                           "labs" if "laboratory" in categories else "observations")
            else:
                section = TYPE_SECTIONS.get(kind)
            if section:
                counts[patient][section] += 1
    return counts
