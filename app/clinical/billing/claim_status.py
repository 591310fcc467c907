"""Where a claim stands, in the words billing uses: draft, submitted, sent (in an 837P
batch, whose control number the claim keeps), paid, partly paid, denied (with the payer's
reason), cancelled, and imported (a claim another system made: see `coded_here`).

FHIR R4 keeps this in two records: the Claim's own status (draft until submitted, then
active) and the payer's answers, ClaimResponse records whose `request` names the claim. An
answer typed in by hand (paid, denied with a reason) is a ClaimResponse too, made here,
so a remittance imported later and one recorded at the desk read the same way, and each is
kept: a claim's history is its answers, the newest deciding its status.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.clinical.billing.fees import money_of
from fhir_common.fhir_json import ExactDecimal

CLAIM_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                          "code": "professional"}]}
PAYMENT_COMPLETE = {"coding": [{
    "system": "http://terminology.hl7.org/CodeSystem/ex-paymenttype", "code": "complete"}]}
SENT_IN = "urn:hearth:x12-837-interchange"  # extension: the 837P batch a claim went out in
HAND_RECORDED = ("submitted", "paid", "denied")  # what a person may record
CODED_PREFIX = "claim-"  # coding's claim id: "claim-<encounter id>" (coding.claim_id)
IMPORTED = "imported"


@dataclass(frozen=True)
class Standing:
    status: str  # draft, submitted, sent, paid, partly paid, denied, cancelled, imported
    reason: str | None = None  # the payer's disposition (why denied)
    paid: Decimal | None = None


def standing(claim: dict, answers: list[dict]) -> Standing:
    """A claim's status from its own status and the payer's answers to it, newest last."""
    if not coded_here(claim):
        return Standing(IMPORTED)
    status = claim.get("status")
    if status in ("cancelled", "entered-in-error"):
        return Standing("cancelled")
    if status != "active":
        return Standing("draft")
    latest = max(answers, key=lambda a: a.get("created", ""), default=None)
    if latest is None or latest.get("outcome") == "queued":
        return Standing("sent" if sent_in(claim) else "submitted")
    reason = latest.get("disposition")
    if latest.get("outcome") == "error":
        return Standing("denied", reason)
    paid = _payment(latest)
    words = "partly paid" if latest.get("outcome") == "partial" else "paid"
    return Standing(words, reason, paid)


def hand_answer(claim: dict, status: str, at: str, amount: Decimal | None = None,
                reason: str | None = None) -> dict:
    """The ClaimResponse for "paid" (with the amount) or "denied" (with the reason) as a
    person recorded it from the payer's letter or portal."""
    answer = {"resourceType": "ClaimResponse", "id": str(uuid.uuid4()), "status": "active",
              "type": claim.get("type", CLAIM_TYPE), "use": "claim",
              "patient": claim["patient"], "created": at,
              "insurer": _insurer(claim), "request": {"reference": f"Claim/{claim['id']}"}}
    if status == "paid":
        answer |= {"outcome": "complete", "disposition": "Paid",
                   "payment": {"type": PAYMENT_COMPLETE, "date": at[:10], "amount": {
                       "value": ExactDecimal(str(amount)),
                       "currency": claim.get("total", {}).get("currency", "USD")}}}
    else:
        answer |= {"outcome": "error", "disposition": reason,
                   "error": [{"code": {"text": reason}}]}
    return answer


def coded_here(claim: dict) -> bool:
    """Whether Hearth's visit coding made this claim: coding alone gives a claim the id
    "claim-<encounter id>" (one per visit), and that id survives sync and EHI re-import.
    A claim imported from another system (Synthea's institutional claims, with no service
    date; a payer's copy) keeps the id it came with: billing lists it as "imported", and
    Hearth never submits it or sends it in an 837P, because nobody here coded it."""
    return str(claim.get("id", "")).startswith(CODED_PREFIX)


def sent_in(claim: dict) -> str | None:
    """The control number of the 837P interchange the claim went out in, if it did."""
    return next((e.get("valueString") for e in claim.get("extension", [])
                 if e.get("url") == SENT_IN), None)


def claim_of(answer: dict) -> str | None:
    """The id of the claim a ClaimResponse answers, from its `request` reference."""
    reference = (answer.get("request") or {}).get("reference", "")
    return reference.removeprefix("Claim/") if reference.startswith("Claim/") else None


def _insurer(claim: dict) -> dict:
    """Who answered: the payer the claim was sent to (R4 requires an insurer)."""
    insurer = claim.get("insurer")
    if insurer:
        return insurer
    payer = claim.get("insurance", [{}])[0].get("coverage", {}).get("display")
    return {"display": payer or "Self-pay"}


def _payment(answer: dict) -> Decimal | None:
    value = answer.get("payment", {}).get("amount", {}).get("value")
    return money_of(value) if value is not None else None
