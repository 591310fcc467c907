"""Medications: prescribing and stopping them (FHIR R4 MedicationRequest, intent order).

A physician's order is saved active; a nurse may pend one (status draft, noted "Pended by
...") for a physician to sign in the order basket (app.ui's Orders tab). Its sig comes from
app.clinical.orders.sig (Dosage and dispenseRequest stored), or as words from callers that
have only words. Prescribing runs the medication safety check in the unit of work that saves it
(app.clinical.safety.prescribing): alerts that interrupt refuse the save unless overridden
with a reason, a missing or unsound pack unless acknowledged, and every alert shown is saved
with the order as a DetectedIssue, in the same entry. Editing changes only the dose and
notes, never the drug, so it is not checked again.

The active list is every request whose status is active (app.clinical.chart.chart also counts
on-hold ones as current). Stopping or marking entered-in-error saves a new version of the
same request with the reason as its statusReason; nothing is deleted (see
app.clinical.charting.entries for how versions are kept).
"""

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import text

from app.clinical.charting.entries import (
    annotation,
    change,
    create,
    for_edit,
    required,
    title,
)
from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.fhir.codes import RXNORM
from app.clinical.orders.sig import Sig
from app.clinical.records import ChangeFeed, Records, Work
from app.clinical.safety.check import Alert, SafetyChecks
from app.clinical.safety.prescribing import screen_order
from app.clinical.visits.encounters import now, user_reference
from app.errors import InvalidRecord, NotFound
from app.security.policy import SafetyPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

__all__ = ["RXNORM", "Medications", "Started"]
RXCUI = re.compile(r"\d{1,10}")
STOPPABLE = ("active", "on-hold", "draft")
EDITABLE = ("active", "on-hold")
MEDICATION = "medicationCodeableConcept"
ACTIVE_PROBLEMS = text("SELECT r.json FROM patient_compartment c JOIN resource r "
                       "ON r.type = c.type AND r.id = c.id AND r.deleted = 0 "
                       "WHERE c.patient_id = :patient AND c.type = 'Condition' "
                       "AND c.section = 'problems' AND c.status IN ('active', 'recurrence', "
                       "'relapse')")


@dataclass(frozen=True)
class Started:
    """A saved order, the safety alerts it was saved with (worst first), the
    DetectedIssues that record them, and the sig's dose warnings (shown, never refused)."""

    request: dict
    alerts: tuple[Alert, ...]
    issues: tuple[dict, ...]
    warnings: tuple[str, ...] = ()  # the sig's: a dose above the adult maximum, say


class Medications:
    """`safety` is the workstation's checks (app.bootstrap: the policy's catalogue, packs
    and interrupting tier); without it, the shipped catalogue and the store's packs at the
    default tier, so no way of starting a drug goes unchecked."""

    def __init__(self, store: Store, feed: ChangeFeed | None = None,
                 safety: SafetyChecks | None = None):
        self._records = Records(store, feed)
        self.safety = safety or SafetyChecks(store, load_catalogue, SafetyPolicy())

    def start(self, session: Session, patient_id: str, medication: str, dose: str | Sig,
              reason: str | None = None, rxnorm: str | None = None,
              override: str | None = None, acknowledged: bool = False) -> dict:
        """Order a medication (see `prescribe`); the saved MedicationRequest."""
        return self.prescribe(session, patient_id, medication, dose, reason, rxnorm,
                              override, acknowledged).request

    def prescribe(self, session: Session, patient_id: str, medication: str, dose: str | Sig,
                  reason: str | None = None, rxnorm: str | None = None,
                  override: str | None = None, acknowledged: bool = False, *,
                  instructions: str | None = None,
                  condition_id: str | None = None) -> Started:
        """Order a medication: `medication` as written ("Metformin 500 mg tablet"), `rxnorm`
        its RxNorm code (RXCUI) if known. `dose` is the sig (build_sig: its Dosage and
        dispenseRequest are stored, so a prescription prints quantity and refills) or, for
        callers that have only words, the dose as written ("1 tablet twice daily").
        `instructions` are the patient's own words (patientInstruction); the indication is
        an active problem of the patient (`condition_id`) or `reason` in words.

        A physician's order is active, with them as requester; a nurse's is a draft noted
        "Pended by ...", for a physician to sign. `override` is the prescriber's reason to
        go on despite alerts that interrupt; `acknowledged` that they saw the pack is
        missing, damaged or outdated. Refused (SafetyAlerts, AcknowledgementNeeded) without
        them; nothing is then saved."""
        session.require(Permission.PEND_ORDERS)
        medication = required(medication, "which medication")
        signed = session.may(Permission.SIGN_ORDERS)
        named: dict = {"text": medication}
        if rxnorm and rxnorm.strip():
            if not RXCUI.fullmatch(rxnorm.strip()):
                raise InvalidRecord(f"'{rxnorm.strip()}' is not an RxNorm code (digits only).")
            named["coding"] = [{"system": RXNORM, "code": rxnorm.strip()}]
        request = {
            "resourceType": "MedicationRequest",
            "id": str(uuid.uuid4()),
            "status": "active" if signed else "draft",
            "intent": "order",
            MEDICATION: named,
            "subject": {"reference": f"Patient/{patient_id}"},
            "authoredOn": now(),
            "requester": user_reference(session),
        }
        words = _dosage(request, dose, instructions)
        if not signed:
            request["note"] = [annotation(session, f"Pended by {session.full_name}")]
        code = named.get("coding", [{}])[0].get("code")
        with self._records.write(session, Permission.PEND_ORDERS) as work:
            work.require_patient(patient_id)
            _indication(work, request, patient_id, condition_id, reason)
            screened = screen_order(self.safety, work.conn, session, patient_id, request, code,
                                    override, acknowledged)
            done = "started" if signed else "pended for a physician to sign"
            create(work, request, patient_id, f"medication {done}: {medication}, "
                   f"{words.rstrip('.')}; "
                   + screened.audit, screened.issues)
        return Started(request, screened.alerts, screened.issues,
                       dose.warnings if isinstance(dose, Sig) else ())

    def indications(self, session: Session, patient_id: str) -> list[tuple[str, str]]:
        """The patient's active problems (Condition id, name), for an order's indication;
        an audited read."""
        session.require(Permission.READ_CHART)
        with self._records.read(session, Permission.READ_CHART) as work:
            patient = work.patient(patient_id, "active problems, as indications for an order")
            rows = [fhir_json.loads(body) for (body,) in work.conn.execute(
                ACTIVE_PROBLEMS, {"patient": patient_id})] if patient else []
        if patient is None:  # after the commit, so the failed read stays audited
            raise NotFound(f"There is no patient {patient_id}.")
        return sorted(((r["id"], title(r, "code")) for r in rows), key=lambda p: p[1])

    def current(self, session: Session, request_id: str) -> dict:
        """The order as stored, for a form that edits it."""
        session.require(Permission.EDIT_CHART)
        return for_edit(self._records, session, "MedicationRequest", request_id, "medication")

    def edit(self, session: Session, request_id: str, dose: str | None = None,
             note: str | None = None, based_on: dict | None = None) -> dict:
        """Change a current order's dose and directions (the new text replaces the
        dosageInstruction, so no older structured dose is left to contradict it), or add a
        note (notes are added, never overwritten). `based_on` is the record the form showed
        (see entries.change)."""
        session.require(Permission.EDIT_CHART)
        dose = dose.strip() if dose else None
        note = note.strip() if note else None
        if not (dose or note):
            raise InvalidRecord("Give a new dose or a note; nothing was changed.")

        def edit(request: dict) -> str:
            name, current = title(request, MEDICATION), request.get("status")
            if current not in EDITABLE:
                raise InvalidRecord(f"{name} is {current}: only an active or on-hold "
                                    "medication can be edited.")
            changes = []
            old = next((d.get("text") for d in request.get("dosageInstruction", [])
                        if d.get("text")), None)
            if dose and dose != old:
                request["dosageInstruction"] = [{"text": dose}]
                changes.append(f"dose {old or 'none'} -> {dose}")
            if note:
                request.setdefault("note", []).append(annotation(session, note))
                changes.append(f"note: {note}")
            if not changes:
                raise InvalidRecord(f"{name} already has that dose; nothing was changed.")
            return "medication edited: " + "; ".join(changes)

        return change(self._records, session, "MedicationRequest", request_id, "medication",
                      edit, based_on)

    def stop(self, session: Session, request_id: str, reason: str) -> dict:
        """Stop a current medication, saying why (finished course, side effect, ...)."""
        session.require(Permission.EDIT_CHART)
        reason = required(reason, "why the medication is stopped")

        def edit(request: dict) -> str:
            if request.get("status") not in STOPPABLE:
                raise InvalidRecord(f"{title(request, MEDICATION)} is {request.get('status')}, "
                                    "not active: there is nothing to stop.")
            request["status"] = "stopped"
            request["statusReason"] = {"text": reason}
            return f"medication stopped: {reason}"

        return change(self._records, session, "MedicationRequest", request_id, "medication",
                      edit)

    def enter_in_error(self, session: Session, request_id: str, reason: str) -> dict:
        """The order was never meant for this patient: kept, marked entered-in-error."""
        session.require(Permission.EDIT_CHART)
        reason = required(reason, "why the medication was entered in error")

        def edit(request: dict) -> str:
            if request.get("status") == "entered-in-error":
                raise InvalidRecord(f"{title(request, MEDICATION)} was entered in error and "
                                    "cannot be changed.")
            request["status"] = "entered-in-error"
            request["statusReason"] = {"text": reason}
            return f"medication marked entered in error: {reason}"

        return change(self._records, session, "MedicationRequest", request_id, "medication",
                      edit)


def _dosage(request: dict, dose: str | Sig, instructions: str | None) -> str:
    """Put the sig (or the dose as written) and the patient's instructions on the order;
    the words the audit row names it by."""
    if isinstance(dose, Sig):
        dosage, words = dict(dose.dosage), dose.words
        if dose.dispense:
            request["dispenseRequest"] = dose.dispense
    else:
        words = required(dose, "the dose and how to take it")
        dosage = {"text": words}
    if instructions and instructions.strip():
        dosage["patientInstruction"] = instructions.strip()
    request["dosageInstruction"] = [dosage]
    return words


def _indication(work: Work, request: dict, patient_id: str, condition_id: str | None,
                reason: str | None) -> None:
    """What the order is for: one of the patient's problems, else the words given."""
    if condition_id:
        condition = work.get("Condition", condition_id)
        if condition is None or patient_of(condition) != patient_id:
            raise InvalidRecord(f"There is no problem {condition_id} in this patient's chart "
                                "to give as the medication's indication.")
        request["reasonReference"] = [{"reference": f"Condition/{condition_id}",
                                       "display": title(condition, "code")}]
    elif reason and reason.strip():
        request["reasonCode"] = [{"text": reason.strip()}]
