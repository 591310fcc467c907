"""Each safety alert shown, kept in the chart as a FHIR R4 DetectedIssue.

An alert a prescriber saw (refused and then overridden, or only listed) is part of the
record: who was warned of what, by which rule of which pack, and what they did about it.
So is a check that could not run (a drug given as text, a missing pack that was
acknowledged): the record then says no check ran, rather than let silence look like "no
alerts". The issues are saved with the order or allergy they concern, in the same entry
of the write path.
"""

import uuid

from app.clinical.safety.check import Alert
from app.clinical.visits.encounters import now, user_reference
from app.security.session import Session

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
KINDS = {"drug-drug": ("DRG", "Drug interaction alert"),
         "drug-allergy": ("ALGY", "Allergy alert"),
         "duplicate-therapy": ("DUPTHPY", "Duplicate therapy alert")}
# The pack's tiers as FHIR's DetectedIssue severity (high, moderate, low)
SEVERITY = {"contraindicated": "high", "major": "high", "moderate": "moderate", "minor": "low"}
UNCHECKED = "No medication safety check ran"
INCOMPLETE = "Medication safety check incomplete"


def alert_issue(session: Session, patient_id: str, record: str, alert: Alert,
                overridden: str | None = None) -> dict:
    """The issue of one alert about `record` (e.g. "MedicationRequest/id"), implicating it
    and the other drug or the allergy; `overridden` is the prescriber's reason, if the
    alert stopped the order and they went on."""
    code, display = KINDS[alert.kind]
    issue = _issue(session, patient_id, record, {
        "coding": [{"system": ACT_CODE, "code": code, "display": display}], "text": display},
        alert.message, f"{alert.source} [{alert.pack} version {alert.pack_version}, rule "
        f"{alert.rule}]", overridden and f"Overridden: {overridden}")
    issue["severity"] = SEVERITY[alert.severity]
    issue["implicated"].append({"reference": alert.about})
    return issue


def unchecked_issue(session: Session, patient_id: str, record: str, detail: str) -> dict:
    """No coded check ran for (part of) this record: the sentence says what and why."""
    return _issue(session, patient_id, record, {"text": UNCHECKED}, detail)


def acknowledged_issue(session: Session, patient_id: str, record: str, status: str) -> dict:
    """The prescriber went on although the pack was missing, damaged or outdated."""
    return _issue(session, patient_id, record, {"text": INCOMPLETE}, status,
                  action="Acknowledged that no safety check could run, or not with a whole "
                  "and current pack")


def _issue(session: Session, patient_id: str, record: str, code: dict, detail: str,
           evidence: str | None = None, action: str | None = None) -> dict:
    issue = {
        "resourceType": "DetectedIssue",
        "id": str(uuid.uuid4()),
        "status": "final",
        "code": code,
        "patient": {"reference": f"Patient/{patient_id}"},
        "identifiedDateTime": now(),
        "author": user_reference(session),
        "implicated": [{"reference": record}],
        "detail": detail,
    }
    if evidence:
        issue["evidence"] = [{"code": [{"text": evidence}]}]
    if action:
        issue["mitigation"] = [{"action": {"text": action}, "date": issue["identifiedDateTime"],
                                "author": user_reference(session)}]
    return issue
