"""Emergency access as stored: a FHIR Task per break-the-glass, read back by the chart gate
and the review queue. Nothing here writes, so the write path (app.clinical.records) may
import it to enforce the restriction.

The Task: code `urn:hearth:emergency-access#review` ("review emergency access"), focus and
for the Patient, requester the clinician, the reasons in reasonCode and note, authoredOn,
and the window the access lasts in restriction.period. Status "ready" awaits the auditor;
"completed" with businessStatus "reviewed" or "escalated" has been worked. It syncs like any
record, so the auditor on another workstation sees it after a sync.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from fhir_common import fhir_json

CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
RESTRICTED = {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"}
EMERGENCY_ACCESS = "urn:hearth:emergency-access"
REVIEW_CODE = {"coding": [{"system": EMERGENCY_ACCESS, "code": "review",
                           "display": "Review emergency access"}],
               "text": "Review emergency access"}
GRANTS_OF = text(
    "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type AND r.id = c.id"
    " WHERE c.patient_id = :patient AND c.type = 'Task' AND r.deleted = 0"
    " AND json_extract(r.json, '$.code.coding[0].system') = :system"
    " AND json_extract(r.json, '$.requester.identifier.value') = :user")


def is_restricted(patient: dict) -> bool:
    """Whether the chart carries the v3 Confidentiality code R."""
    return any(s.get("system") == CONFIDENTIALITY and s.get("code") == "R"
               for s in (patient.get("meta") or {}).get("security", []))


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def windows(conn: Connection, user: str, patient_id: str) -> list[Window]:
    """The user's emergency access windows on the chart, latest ending last."""
    found = []
    for (body,) in conn.execute(GRANTS_OF, {"patient": patient_id, "system": EMERGENCY_ACCESS,
                                            "user": user}):
        period = (fhir_json.loads(body).get("restriction") or {}).get("period") or {}
        try:
            found.append(Window(datetime.fromisoformat(period["start"]),
                                datetime.fromisoformat(period["end"])))
        except (KeyError, TypeError, ValueError):
            continue  # a Task without a readable window grants nothing
    return sorted(found, key=lambda w: w.end)
