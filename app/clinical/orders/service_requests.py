"""Lab and imaging orders as FHIR R4 ServiceRequest (intent order), on the write path.

An order is pended (status draft) by a physician or a nurse, and becomes active only when a
physician signs it: the order basket is a patient's pended orders, signed together in ONE
unit of work, so a basket is signed whole or not at all. The basket holds pended medication
orders too (MedicationRequest drafts, made by the medication path with their safety checks
run and their alerts stored), so one signature covers everything a visit ordered. Signing
is the prescriber's decision: each medication draft is checked again as it is signed
(app.clinical.orders.signing_checks), and a new alert that interrupts needs their reason.
The requester is who signed (a nurse who pended it is named in a note). Cancelling revokes
the order with the reason as a note (R4 ServiceRequest has no statusReason); nothing is ever
deleted.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import text

from app.clinical.charting.entries import annotation, create, required
from app.clinical.drugs.catalogue import load_catalogue as load_drugs
from app.clinical.orders.catalogue import CATEGORIES, SNOMED, Orderable, load_catalogue
from app.clinical.orders.medication_changes import retire_prior
from app.clinical.orders.signing_checks import Seen, new_alerts, recheck_drafts, stored_issues
from app.clinical.records import ChangeFeed, Records, Work
from app.clinical.safety.check import Alert, SafetyChecks
from app.clinical.safety.prescribing import Screened
from app.clinical.visits.encounters import now, user_reference
from app.errors import InvalidRecord, NotFound
from app.security.policy import SafetyPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

PRIORITIES = ("routine", "urgent", "asap", "stat")
CANCELLABLE = ("draft", "active", "on-hold")
BASKET_KINDS = ("ServiceRequest", "MedicationRequest")
PENDED = text("SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
              "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
              "AND c.type IN ('ServiceRequest', 'MedicationRequest') AND c.status = 'draft'")


@dataclass(frozen=True)
class OrderLine:
    """One test to order, as a form or an order set gives it."""

    test: str  # a code or name from the order catalogue
    priority: str = "routine"
    reason: str | None = None  # words, when no problem is named
    condition_id: str | None = None  # the problem (Condition) the order is for
    note: str | None = None  # specimen or study notes


@dataclass(frozen=True)
class PendedOrder:
    """One order in the basket as the signer reviews it."""

    order: dict  # the ServiceRequest or MedicationRequest draft
    what: str  # the test or drug, with its directions for a medication
    pended_by: str | None  # who pended it (display name)
    pended_by_user: str | None  # their user name: a physician is asked about their own
    alerts: tuple[str, ...]  # the safety alerts stored with a medication draft
    new_alerts: tuple[Alert, ...] = ()  # found now, not shown when it was pended


class Orders:
    """`safety` is the workstation's checks (app.bootstrap), run again on each medication
    draft as it is signed; without it, the shipped catalogue and packs at the default tier."""

    def __init__(self, store: Store, feed: ChangeFeed | None = None,
                 safety: SafetyChecks | None = None):
        self._records = Records(store, feed)
        self.catalogue = load_catalogue()
        self.safety = safety or SafetyChecks(store, load_drugs, SafetyPolicy())

    def pend(self, session: Session, patient_id: str, line: OrderLine) -> dict:
        """One test pended for a physician to sign."""
        return self.pend_many(session, patient_id, [line])[0]

    def pend_many(self, session: Session, patient_id: str, lines: list[OrderLine]
                  ) -> list[dict]:
        """Several tests pended together (an order set): all saved or none."""
        if not lines:
            raise InvalidRecord("Name at least one test to order.")
        items = [(self.catalogue.find(line.test), line) for line in lines]
        with self._records.write(session, Permission.PEND_ORDERS) as work:
            return [self._pend(work, patient_id, item, line) for item, line in items]

    def basket(self, session: Session, patient_id: str) -> list[dict]:
        """The patient's pended orders, oldest first: what a physician reviews and signs."""
        with self._records.read(session, Permission.READ_CHART) as work:
            patient = work.patient(patient_id, "pended orders")
            pended = _pended(work, patient_id) if patient else []
        if patient is None:  # after the commit, so the failed read stays audited
            raise NotFound(f"There is no patient {patient_id}.")
        return pended

    def review(self, session: Session, patient_id: str) -> list[PendedOrder]:
        """The basket with what a signer must see: each order's safety alerts (the
        DetectedIssues naming a medication draft) and the alerts it would meet if signed
        now that nobody was shown yet, in one audited read."""
        with self._records.read(session, Permission.READ_CHART) as work:
            patient = work.patient(patient_id, "pended orders for review")
            pended = _pended(work, patient_id) if patient else []
            issues = stored_issues(work.conn, patient_id) if pended else []
            seen = Seen.of(issues)
            lines = [_review_line(order, issues, new_alerts(
                self.safety, work.conn, session, patient_id, order, seen)
                if order["resourceType"] == "MedicationRequest" else ()) for order in pended]
        if patient is None:
            raise NotFound(f"There is no patient {patient_id}.")
        return lines

    def sign(self, session: Session, request_ids: list[str], override: str | None = None,
             acknowledged: bool = False) -> list[dict]:
        """Sign pended orders together: each becomes active with the signer as requester,
        in one unit of work; if any cannot be signed, none is. Each medication draft is
        checked again first: `override` is the signer's reason to go on despite new alerts
        that interrupt, `acknowledged` that they saw the pack is missing or unsound
        (refused with SafetyAlerts or AcknowledgementNeeded without them)."""
        if not request_ids:
            raise InvalidRecord("There is no pended order to sign.")
        with self._records.write(session, Permission.SIGN_ORDERS) as work:
            pended = [work.get(_kind_of(work, request_id), request_id)
                      for request_id in request_ids]
            return self._sign_all(work, session, pended, override, acknowledged)

    def sign_basket(self, session: Session, patient_id: str, override: str | None = None,
                    acknowledged: bool = False) -> list[dict]:
        """Sign every pended order of the patient (CPRS's "sign unsigned orders"), read and
        signed in the same unit of work, so an order pended meanwhile is not signed unseen;
        medication drafts are checked again as in `sign`."""
        with self._records.write(session, Permission.SIGN_ORDERS) as work:
            work.require_patient(patient_id)
            pended = _pended(work, patient_id)
            if not pended:
                raise InvalidRecord("This patient has no pended order to sign.")
            return self._sign_all(work, session, pended, override, acknowledged)

    def cancel(self, session: Session, request_id: str, reason: str) -> dict:
        """Revoke a pended or active order, saying why: a pended order may be cancelled by
        whoever may pend orders, a signed one only by whoever may sign them. A pended
        medication is cancelled here too; a signed one is stopped with the medications."""
        reason = required(reason, "why the order is cancelled")

        def edit(request: dict) -> str:
            medication = request["resourceType"] == "MedicationRequest"
            if request.get("status") not in (("draft",) if medication else CANCELLABLE):
                raise InvalidRecord(f"{_name(request)} is {request.get('status')}: only a "
                                    "pended or active order can be cancelled." if not medication
                                    else f"{_name(request)} is {request.get('status')}: a "
                                    "signed medication is stopped from the Medications tab.")
            request["status"] = "cancelled" if medication else "revoked"
            request.setdefault("note", []).append(annotation(session, f"Cancelled: {reason}"))
            return f"order cancelled: {_name(request)}: {reason}"

        with self._records.write(session, Permission.PEND_ORDERS) as work:
            kind = next((k for k in BASKET_KINDS if work.get(k, request_id)), "ServiceRequest")
            stored = work.get(kind, request_id)
            if stored is not None and (stored.get("status") == "draft"
                                       or session.may(Permission.SIGN_ORDERS)):
                return work.revise(kind, request_id, "order", edit, None, _name)
        if stored is None:
            raise NotFound(f"There is no order {request_id}.")
        session.require(Permission.SIGN_ORDERS)  # may not: the refusal is audited and raised
        return stored

    def _pend(self, work: Work, patient_id: str, item: Orderable, line: OrderLine) -> dict:
        if line.priority not in PRIORITIES:
            raise InvalidRecord(f"Priority '{line.priority}' is not one of "
                                f"{', '.join(PRIORITIES)}.")
        category, category_name = CATEGORIES[item.kind]
        request = {
            "resourceType": "ServiceRequest", "id": str(uuid.uuid4()),
            "status": "draft", "intent": "order", "priority": line.priority,
            "category": [{"coding": [{"system": SNOMED, "code": category,
                                      "display": category_name}]}],
            "code": {"coding": [{"system": item.system, "code": item.code,
                                 "display": item.display}], "text": item.name},
            "subject": {"reference": f"Patient/{patient_id}"},
            "authoredOn": now(), "requester": user_reference(work.session),
        }
        if line.condition_id:
            condition = work.get("Condition", line.condition_id)
            if condition is None or patient_of(condition) != patient_id:
                raise InvalidRecord(f"There is no problem {line.condition_id} in this "
                                    "patient's chart to give as the order's reason.")
            request["reasonReference"] = [{"reference": f"Condition/{line.condition_id}"}]
        elif line.reason and line.reason.strip():
            request["reasonCode"] = [{"text": line.reason.strip()}]
        notes = [f"Specimen: {item.specimen}"] if item.specimen else []
        notes += [line.note.strip()] if line.note and line.note.strip() else []
        if notes:
            request["note"] = [annotation(work.session, n) for n in notes]
        create(work, request, patient_id, f"order pended: {item.name} ({line.priority})")
        return request

    def _sign_all(self, work: Work, session: Session, pended: list[dict],
                  override: str | None, acknowledged: bool) -> list[dict]:
        """Check every medication draft again, then sign each; the new alerts' issues are
        saved with the order they concern. A draft no longer pended is refused by `_sign`."""
        drafts = [r for r in pended if r["resourceType"] == "MedicationRequest"
                  and r.get("status") == "draft"]
        screened: dict[str, Screened] = {}
        for patient_id in dict.fromkeys(patient_of(d) for d in drafts):
            screened |= recheck_drafts(self.safety, work.conn, session, patient_id,
                                       [d for d in drafts if patient_of(d) == patient_id],
                                       override, acknowledged)
        return [self._sign(work, session, r["id"], r["resourceType"], screened.get(r["id"]))
                for r in pended]

    def _sign(self, work: Work, session: Session, request_id: str, kind: str,
              screened: Screened | None = None) -> dict:
        def edit(request: dict) -> str:
            if request.get("status") != "draft":
                raise InvalidRecord(f"{_name(request)} is {request.get('status')}, not "
                                    "pended: only a pended order can be signed.")
            pended_by = request.get("requester", {})
            if pended_by.get("identifier", {}).get("value") != session.user and not any(
                    n.get("text", "").startswith("Pended by") for n in request.get("note", [])):
                request.setdefault("note", []).append(annotation(
                    session, f"Pended by {pended_by.get('display', 'another user')}"))
            request["status"] = "active"
            request["requester"] = user_reference(session)
            return f"order signed: {_name(request)}" + (f"; {screened.audit} at signing"
                                                        if screened else "")

        signed = work.revise(kind, request_id, "order", edit, None, _name)
        if screened and screened.issues:
            work.save_entry(list(screened.issues), "create", f"safety alerts shown when "
                            f"signing {_name(signed)}")
        if kind == "MedicationRequest":  # a nurse's renewal or change takes over only now
            retire_prior(work, signed)
        return signed


def _review_line(order: dict, issues: list[dict], new: tuple[Alert, ...]) -> PendedOrder:
    reference = f"{order['resourceType']}/{order['id']}"
    alerts = tuple(_alert_words(i) for i in issues
                   if any(r.get("reference") == reference for r in i.get("implicated", [])))
    what = _name(order)
    sig = next((d["text"] for d in order.get("dosageInstruction", []) if d.get("text")), None)
    requester = order.get("requester") or {}
    return PendedOrder(order, f"{what}: {sig}" if sig else what, requester.get("display"),
                       (requester.get("identifier") or {}).get("value"), alerts, new)


def _alert_words(issue: dict) -> str:
    """"Drug interaction alert (high): detail. Source: …" — what the prescriber was shown."""
    kind = (issue.get("code") or {}).get("text", "Alert")
    severity = f" ({issue['severity']})" if issue.get("severity") else ""
    source = next((c.get("text") for e in issue.get("evidence", []) for c in e.get("code", [])
                   if c.get("text")), None)
    mitigation = next((m["action"].get("text") for m in issue.get("mitigation", [])
                       if m.get("action")), None)
    words = f"{kind}{severity}: {issue.get('detail', '')}"
    return " ".join(w for w in (words, source and f"Source: {source}.",
                                mitigation and f"{mitigation}.") if w)


def _kind_of(work: Work, request_id: str) -> str:
    """Which kind of order `request_id` is; an id that is no order is refused by name."""
    for kind in BASKET_KINDS:
        if work.get(kind, request_id) is not None:
            return kind
    raise NotFound(f"There is no order {request_id}.")


def _name(request: dict) -> str:
    concept = request.get("code") or request.get("medicationCodeableConcept") or {}
    return concept.get("text") or next(
        (c["display"] for c in concept.get("coding", []) if c.get("display")), "The order")


def _pended(work: Work, patient_id: str) -> list[dict]:
    rows = [fhir_json.loads(b) for (b,) in work.conn.execute(PENDED, {"patient": patient_id})]
    return sorted(rows, key=lambda r: r.get("authoredOn", ""))
