"""The medication safety alerts a chart record took part in, as its detail pane shows them:
for an order, each alert raised when it was ordered or that named it later; for an allergy,
each drug it flagged.

Every alert shown to a prescriber was kept as a FHIR DetectedIssue implicating the order (or
allergy) and the other record (app.clinical.safety.detected_issues). Reading them back
shows what the prescriber was told and did: the severity, the alert's words, its source
(the rule's citation, with the pack and its version), and the override reason with who gave
it. One audited read per record.
"""

from dataclasses import dataclass

from sqlalchemy import text

from app.clinical.charting.entries import title
from app.clinical.records import Records
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

ISSUES = text("SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
              "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
              "AND c.type = 'DetectedIssue'")
# FHIR's DetectedIssue severity in the words the chart uses
SEVERITY = {"high": "High", "moderate": "Moderate", "low": "Low"}


@dataclass(frozen=True)
class ShownAlert:
    kind: str  # "Drug interaction alert", "Allergy alert", "No medication safety check ran"
    severity: str | None  # "High", "Moderate", "Low"; None for a check that did not run
    detail: str  # the alert's words, naming both records
    source: str | None  # the rule's citation, its pack and version
    action: str | None  # "Overridden: <reason>", or what was acknowledged
    by: str | None  # who was warned, and overrode or acknowledged
    when: str | None  # when the alert was shown
    other: str | None  # the other drug or allergy it names, as the chart titles it


class RecordAlerts:
    def __init__(self, store: Store):
        self._records = Records(store)

    def read(self, session: Session, patient_id: str, reference: str) -> tuple[ShownAlert, ...]:
        """The alerts implicating `reference` ("MedicationRequest/id"), newest first."""
        with self._records.read(session, Permission.READ_CHART) as work:
            work.read(reference, "medication safety alerts shown", patient_id)
            issues = [i for i in map(fhir_json.loads, work.conn.execute(
                ISSUES, {"patient": patient_id}).scalars()) if reference in _implicated(i)]
            named = {r for i in issues for r in _implicated(i) if r != reference and "/" in r}
            others = {r: work.get(*r.split("/", 1)) for r in named}
        issues.sort(key=lambda i: i.get("identifiedDateTime") or "", reverse=True)
        return tuple(_shown(i, reference, others) for i in issues)


def _implicated(issue: dict) -> list[str]:
    return [(r.get("reference") or "").split("/_history")[0]
            for r in issue.get("implicated", [])]


def _shown(issue: dict, reference: str, others: dict[str, dict | None]) -> ShownAlert:
    mitigation = (issue.get("mitigation") or [{}])[0]
    evidence = next((c.get("text") for e in issue.get("evidence", [])
                     for c in e.get("code", []) if c.get("text")), None)
    other = next((r for r in _implicated(issue) if r != reference), None)
    record = others.get(other) if other else None
    return ShownAlert(
        kind=(issue.get("code") or {}).get("text") or "Safety alert",
        severity=SEVERITY.get(issue.get("severity", "")),
        detail=issue.get("detail") or "",
        source=evidence,
        action=(mitigation.get("action") or {}).get("text"),
        by=((mitigation.get("author") or issue.get("author")) or {}).get("display"),
        when=issue.get("identifiedDateTime"),
        other=title(record) if record else None)
