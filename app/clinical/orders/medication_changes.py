"""Renewing, changing and discontinuing a medication order (FHIR R4 MedicationRequest).

A renewal or a change is a NEW order that names the old one as its priorPrescription, so the
chain of prescriptions stays readable and nothing is rewritten: a renewal keeps the drug,
the sig, the quantity and refills, with a fresh authoredOn, and the old order becomes
completed; a change gives a new sig (or a different drug) and the old order is stopped with
the statusReason "Changed to ...". Both run the same safety check as a new order
(app.clinical.safety.prescribing.screen_order) in the unit of work that saves them,
checked against the list WITHOUT the order they replace, so a new dose never alerts
against the old one; the DetectedIssues of every alert shown are saved in the same entry.

Who may: as for a new order. A physician (SIGN_ORDERS) makes it active and retires the old
order at once; a nurse (PEND_ORDERS only) pends it as a draft, noted "Pended by <name>",
and the old order stays as it is until a physician signs (`retire_prior`, called in the
signing unit of work). Discontinuing is Medications.stop, which needs a reason.
"""

import copy
import uuid
from dataclasses import replace

from app.clinical.charting.entries import annotation, create, title
from app.clinical.charting.medications import MEDICATION, Medications, Started
from app.clinical.fhir.codes import RXNORM
from app.clinical.orders.dose_limits import DoseLimit, limit_for
from app.clinical.orders.sig import Sig
from app.clinical.records import ChangeFeed, Records, Work
from app.clinical.safety.prescribing import screen_order
from app.clinical.visits.encounters import now, user_reference
from app.errors import InvalidRecord, NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common.compartment import patient_of

CURRENT = ("active", "on-hold")
# What a renewal carries over from the order it renews; the rest is the new order's own
KEPT = (MEDICATION, "subject", "reasonCode", "reasonReference",
        "dosageInstruction", "dispenseRequest", "courseOfTherapyType", "category")


class MedicationChanges:
    """`medications` is the workstation's: its safety checks are the ones renewals and changes
    run."""

    def __init__(self, store: Store, medications: Medications, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)
        self._medications = medications

    def renew(self, session: Session, request_id: str, override: str | None = None,
              acknowledged: bool = False) -> Started:
        """The same drug and sig again, from today; the old order completed (at signing,
        when a nurse pends it)."""
        session.require(Permission.PEND_ORDERS)
        with self._records.write(session, Permission.PEND_ORDERS) as work:
            old = _current(work, request_id)
            new = {key: copy.deepcopy(old[key]) for key in KEPT if key in old}
            return self._save(work, session, old, new, "renewed", override, acknowledged)

    def change(self, session: Session, request_id: str, sig: Sig,
               rxnorm: str | None = None, name: str | None = None,
               override: str | None = None, acknowledged: bool = False) -> Started:
        """A new sig for the same drug, or (`rxnorm`, and `name` as written if the
        catalogue does not name it) a different drug; the old order stopped, "Changed to
        ..." (at signing, when a nurse pends it)."""
        session.require(Permission.PEND_ORDERS)
        with self._records.write(session, Permission.PEND_ORDERS) as work:
            old = _current(work, request_id)
            new = {key: copy.deepcopy(old[key]) for key in
                   (MEDICATION, "subject", "reasonCode",
                    "reasonReference") if key in old}
            if rxnorm and rxnorm.strip():
                new[MEDICATION] = self._drug(rxnorm.strip(), name)
            new["dosageInstruction"] = [sig.dosage]
            if sig.dispense:
                new["dispenseRequest"] = sig.dispense
            started = self._save(work, session, old, new, "changed", override, acknowledged)
        return replace(started, warnings=sig.warnings)

    def dose_limit(self, request: dict) -> DoseLimit | None:
        """The adult maximum daily dose of the order's drug, if well established (the change
        form's sig warns above it)."""
        code = _rxnorm(request)
        drug = self._medications.safety.catalogue.drug(code) if code else None
        return limit_for(frozenset(drug.ingredients)) if drug else None

    def _drug(self, rxnorm: str, name: str | None) -> dict:
        drug = self._medications.safety.catalogue.drug(rxnorm)
        if drug is None and not (name and name.strip()):
            raise InvalidRecord(f"RxNorm code {rxnorm} is not in the drug catalogue; pick the "
                                "new drug from the catalogue or write its name.")
        words = drug.name if drug else name.strip()
        return {"coding": [{"system": RXNORM, "code": rxnorm, "display": words}],
                "text": words}

    def _save(self, work: Work, session: Session, old: dict, new: dict, how: str,
              override: str | None, acknowledged: bool) -> Started:
        patient_id = patient_of(old)
        signs = session.may(Permission.SIGN_ORDERS)
        new |= {"resourceType": "MedicationRequest", "id": str(uuid.uuid4()),
                "status": "active" if signs else "draft", "intent": "order",
                "authoredOn": now(), "requester": user_reference(session),
                "priorPrescription": {"reference": f"MedicationRequest/{old['id']}"}}
        if not signs:
            new["note"] = [annotation(session, f"Pended by {session.full_name}")]
        replacing = f"MedicationRequest/{old['id']}"
        code = _rxnorm(new)
        screened = screen_order(self._medications.safety, work.conn, session, patient_id, new,
                                code, override, acknowledged, replacing)
        if signs:
            retire_prior(work, new)
        create(work, new, patient_id, f"medication {how}: {title(new, MEDICATION)}, "
               f"{_sig_words(new)} (was {_sig_words(old)}); {screened.audit}"
               + ("; pended" if not signs else ""), screened.issues)
        return Started(new, screened.alerts, screened.issues)


def retire_prior(work: Work, request: dict) -> None:
    """Retire the order `request` takes over from (its priorPrescription), when `request`
    becomes active: completed if it is a renewal (same drug and sig), else stopped with
    "Changed to ...". An order already no longer current is left as it is."""
    prior = (request.get("priorPrescription") or {}).get("reference", "")
    if not prior.startswith("MedicationRequest/"):
        return
    old = work.get("MedicationRequest", prior.split("/", 1)[1])
    if old is None or old.get("status") not in CURRENT:
        return
    renewal = all(old.get(k) == request.get(k) for k in (MEDICATION, "dosageInstruction"))

    def retire(record: dict) -> str:
        if renewal:
            record["status"] = "completed"
            record["statusReason"] = {"text": f"Renewed on {request['authoredOn'][:10]}"}
            return "medication completed: renewed"
        record["status"] = "stopped"
        record["statusReason"] = {"text": f"Changed to {title(request, MEDICATION)}, "
                                          f"{_sig_words(request)}"}
        return f"medication stopped: {record['statusReason']['text']}"

    work.revise("MedicationRequest", old["id"], "medication", retire, None, title)


def _current(work: Work, request_id: str) -> dict:
    old = work.get("MedicationRequest", request_id)
    if old is None:
        raise NotFound(f"There is no medication order {request_id}.")
    if old.get("status") not in CURRENT:
        raise InvalidRecord(f"{title(old, MEDICATION)} is {old.get('status')}: only an "
                            "active or on-hold order can be renewed or changed.")
    if MEDICATION not in old:
        raise InvalidRecord(f"{title(old, MEDICATION)} names its drug by reference (it came "
                            "from another system): stop it and start the drug as a new order.")
    work.require_patient(patient_of(old))
    return old


def _rxnorm(request: dict) -> str | None:
    return next((c.get("code") for c in request.get(MEDICATION, {}).get("coding", [])
                 if c.get("system") == RXNORM), None)


def _sig_words(request: dict) -> str:
    return next((d["text"].rstrip(".") for d in request.get("dosageInstruction", [])
                 if d.get("text")), "no directions")

