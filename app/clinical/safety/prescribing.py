"""What a new medication order goes through before it is saved, in the unit of work that
saves it: the safety check, the refusal of alerts that interrupt, the override with a reason,
the acknowledgement of a missing or unsound pack, and the DetectedIssues that keep it all.

Alerts at or above the policy's interrupting tier refuse the save (SafetyAlerts, naming each
alert and its source) unless the prescriber gives a reason to override; milder ones never
refuse. A missing, damaged or outdated pack refuses until the prescriber acknowledges it
(AcknowledgementNeeded). A drug with no RxNorm code the catalogue knows saves, with an issue
saying no check ran. Every alert shown is returned, as Alerts and as DetectedIssues to save
in the same entry as the order.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy import Connection

from app.clinical.safety.check import Alert, SafetyChecks
from app.clinical.safety.detected_issues import acknowledged_issue, alert_issue, unchecked_issue
from app.errors import UsageError
from app.security.session import Session


class SafetyAlerts(UsageError):
    """The order was not saved: alerts that interrupt need an override reason."""

    title = "Medication safety alert"

    def __init__(self, message: str, alerts: tuple[Alert, ...]):
        super().__init__(message)
        self.alerts = alerts


class AcknowledgementNeeded(UsageError):
    """The order was not saved: the pack is missing, damaged or outdated, and the
    prescriber has not acknowledged it."""

    title = "Medication safety check incomplete"


@dataclass(frozen=True)
class Screened:
    """What the check found for one order: every alert shown (worst first), the
    DetectedIssues to save with it, and a few words for its audit row."""

    alerts: tuple[Alert, ...]
    issues: tuple[dict, ...]
    audit: str


def screen_order(checks: SafetyChecks, conn: Connection, session: Session, patient_id: str,
                 request: dict, rxnorm: str | None, override: str | None = None,
                 acknowledged: bool = False, replacing: str | Collection[str] | None = None,
                 seen: Callable[[dict], bool] | None = None) -> Screened:
    """Check the order `request` (not yet saved) for the drug with code `rxnorm`; raises
    SafetyAlerts or AcknowledgementNeeded to refuse it. `replacing`: the order a renewal
    or change takes over from, not checked against (SafetyChecks.check_in). `seen` says
    whether an issue is already stored (a pended order checked again at signing,
    app.clinical.orders.signing_checks): an alert already shown neither stops it again nor
    is stored twice."""
    def new(issue: dict) -> bool:
        return seen is None or not seen(issue)

    record = f"{request['resourceType']}/{request['id']}"
    name = request["medicationCodeableConcept"]["text"]
    drug = checks.catalogue.drug(rxnorm) if rxnorm else None
    if drug is None:
        why = (f"{name} was given as text, not picked from the drug catalogue"
               if not rxnorm else f"RxNorm {rxnorm} ({name}) is not in the drug catalogue "
               f"({checks.catalogue.name} version {checks.catalogue.version})")
        sentence = f"No medication safety check ran: {why}."
        issue = unchecked_issue(session, patient_id, record, sentence)
        return Screened((), (issue,) if new(issue) else (), "safety: not checked, " + why)
    status = checks.knowledge.status
    issues: list[dict] = []
    if status.needs_acknowledgement:
        if not acknowledged:
            raise AcknowledgementNeeded(
                f"{name} was not saved: {status.sentence} Acknowledge this to order anyway.")
        issues.append(acknowledged_issue(session, patient_id, record, status.sentence or ""))
    if not status.can_check:
        return Screened((), tuple(issues), "safety: no check could run, acknowledged")
    result = checks.check_in(conn, patient_id, drug, replacing)
    fresh = [a for a in result.alerts if new(alert_issue(session, patient_id, record, a))]
    stopping = [a for a in fresh if a.interrupts]
    reason = override.strip() if override else ""
    if stopping and not reason:
        listed = " ".join(f"{a.severity.capitalize()} {a.kind}: {a.message} Source: "
                          f"{a.source.rstrip('.')}." for a in stopping)
        raise SafetyAlerts(f"{name} was not saved: {listed} Give a reason to override "
                           f"{'this alert' if len(stopping) == 1 else 'these alerts'}, or "
                           "choose another drug.", tuple(stopping))
    issues += [alert_issue(session, patient_id, record, a, reason if a.interrupts else None)
               for a in fresh]
    if result.unchecked and new(issue := unchecked_issue(session, patient_id, record,
                                                         " ".join(result.unchecked))):
        issues.append(issue)
    said = (f"safety: {len(stopping)} alert(s) overridden, reason: {reason}" if stopping else
            f"safety: {len(fresh)} alert(s), none interrupting" if fresh else
            "safety: checked, no new alert" if result.alerts else "safety: checked, no alert")
    return Screened(result.alerts, tuple(issues),
                    said + ("; pack problem acknowledged" if status.needs_acknowledgement
                            else ""))
