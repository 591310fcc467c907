"""Signing a pended medication order is the prescriber's decision, so it is checked again
then, against the patient's lists as they are now.

A nurse pends warfarin on Monday; ibuprofen arrives by sync on Tuesday; the physician signs
on Wednesday. The alerts stored when the draft was pended cannot know of the ibuprofen, so
each medication draft is screened again (app.clinical.safety.prescribing.screen_order) in
the unit of work that signs it, leaving out the draft itself and the order it renews or
changes. An alert already stored as a DetectedIssue for that pair of records and that rule
(whichever of the two it was saved with) was seen and decided once and does not stop the
signing again; a NEW interrupting alert refuses it unless the signer gives a reason, and the
new alerts are then saved as DetectedIssues with the reason as their mitigation. An unsound
pack needs the signer's acknowledgement, as for a new order.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from app.clinical.fhir.codes import RXNORM
from app.clinical.safety.check import Alert, SafetyChecks
from app.clinical.safety.detected_issues import alert_issue
from app.clinical.safety.prescribing import (
    AcknowledgementNeeded,
    SafetyAlerts,
    Screened,
    screen_order,
)
from app.errors import HearthError
from app.security.session import Session
from fhir_common import fhir_json

ISSUES = text("SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
              "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
              "AND c.type = 'DetectedIssue'")
RULE = re.compile(r", rule (.+)\]$")  # the end of an alert's evidence (detected_issues)
MEDICATION = "medicationCodeableConcept"


def stored_issues(conn: Connection, patient_id: str) -> list[dict]:
    """The patient's DetectedIssues, read in the caller's transaction."""
    return [fhir_json.loads(b) for (b,) in conn.execute(ISSUES, {"patient": patient_id})]


@dataclass
class Seen:
    """Which issues are already stored: an alert by its kind, the records it names (in
    either order) and its rule; any other issue by its kind, records and words. Alerts
    found for one draft of a basket count as seen for the next, so an interaction between
    two drafts is said once."""

    keys: set[tuple] = field(default_factory=set)

    @classmethod
    def of(cls, issues: list[dict]) -> "Seen":
        return cls({_key(issue) for issue in issues})

    def __call__(self, issue: dict) -> bool:
        return _key(issue) in self.keys

    def add(self, issues) -> None:
        self.keys |= {_key(issue) for issue in issues}


def _key(issue: dict) -> tuple:
    refs = frozenset(i.get("reference") for i in issue.get("implicated", []))
    evidence = next((c.get("text") or "" for e in issue.get("evidence", [])
                     for c in e.get("code", [])), "")
    rule = RULE.search(evidence)
    what = (issue.get("code") or {}).get("text")
    return (what, refs, "rule", rule.group(1)) if rule else (what, refs, issue.get("detail"))


def left_out(draft: dict) -> tuple[str, ...]:
    """What a draft is not checked against: itself, and the order it renews or changes."""
    prior = (draft.get("priorPrescription") or {}).get("reference")
    return (f"MedicationRequest/{draft['id']}", *([prior] if prior else []))


def rxnorm_of(draft: dict) -> str | None:
    return next((c.get("code") for c in (draft.get(MEDICATION) or {}).get("coding", [])
                 if c.get("system") == RXNORM), None)


def new_alerts(checks: SafetyChecks, conn: Connection, session: Session, patient_id: str,
               draft: dict, seen: Seen) -> tuple[Alert, ...]:
    """The alerts a draft would meet if signed now that were not shown before (nothing is
    saved): what the signer reviews. None when no check can run; the banner says why. A
    drug catalogue that cannot be read leaves the basket listed; signing then refuses with
    the catalogue's sentence."""
    try:
        drug = checks.catalogue.drug(code) if (code := rxnorm_of(draft)) else None
    except HearthError:
        return ()
    if drug is None or not checks.knowledge.status.can_check:
        return ()
    record = f"MedicationRequest/{draft['id']}"
    found = tuple(a for a in checks.check_in(conn, patient_id, drug, left_out(draft)).alerts
                  if not seen(alert_issue(session, patient_id, record, a)))
    seen.add(alert_issue(session, patient_id, record, a) for a in found)
    return found


def recheck_drafts(checks: SafetyChecks, conn: Connection, session: Session, patient_id: str,
                   drafts: list[dict], override: str | None, acknowledged: bool
                   ) -> dict[str, Screened]:
    """Screen each medication draft again before any is signed, by its id; raises
    SafetyAlerts naming every draft's new interrupting alerts, or AcknowledgementNeeded,
    so nothing is signed."""
    seen = Seen.of(stored_issues(conn, patient_id))
    screened: dict[str, Screened] = {}
    stopped: list[tuple[str, tuple[Alert, ...]]] = []
    for draft in drafts:
        name = (draft.get(MEDICATION) or {}).get("text") or "A pended medication"
        try:
            screened[draft["id"]] = found = screen_order(
                checks, conn, session, patient_id, draft, rxnorm_of(draft), override,
                acknowledged, left_out(draft), seen)
        except AcknowledgementNeeded:
            status = checks.knowledge.status.sentence or ""
            raise AcknowledgementNeeded(f"Nothing was signed: {status} Acknowledge this to "
                                        "sign anyway.") from None
        except SafetyAlerts as refused:
            stopped.append((name, refused.alerts))
            record = f"MedicationRequest/{draft['id']}"
            seen.add(alert_issue(session, patient_id, record, a) for a in refused.alerts)
        else:
            seen.add(found.issues)
    if stopped:
        raise _refusal(stopped)
    return screened


def _refusal(stopped: list[tuple[str, tuple[Alert, ...]]]) -> SafetyAlerts:
    alerts = tuple(a for _name, found in stopped for a in found)
    listed = " ".join(f"{name}: " + " ".join(
        f"{a.severity.capitalize()} {a.kind}: {a.message} Source: {a.source.rstrip('.')}."
        for a in found) for name, found in stopped)
    return SafetyAlerts(
        f"Nothing was signed: the safety check at signing found "
        f"{'a new alert' if len(alerts) == 1 else f'{len(alerts)} new alerts'} since the "
        f"order was pended. {listed} Give a reason to override "
        f"{'this alert' if len(alerts) == 1 else 'these alerts'}, or cancel the order.", alerts)

