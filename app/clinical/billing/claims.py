"""Claims: a coded visit (a FHIR R4 Claim in draft, one per visit, written by visit coding)
priced from the fee schedule, submitted (draft -> active), and answered by the payer.

Submitting checks the claim is ready to bill and refuses it with a sentence per reason:
the sentences of app.clinical.billing.ready_to_bill (an unsigned note of the visit, no
diagnosis, a line pointing at none, no rendering provider), which the coding dialog and the
To code tab show too, and a code with no fee; nothing is changed then. A claim imported
from another system (claim_status.coded_here) is listed, never submitted.
A ready claim gets each line's unitPrice (the payer's fee, else the default), net (fee x
units) and the claim's total, and becomes active, in one unit of work through the write
path, so it syncs as any record. Answers (app.clinical.billing.claim_status) are recorded
by hand or imported from the payer's ClaimResponse, which is stored as it came.

Billing works under MANAGE_CLAIMS and reads only what a claim needs: the claim, the
patient's name and identifiers and the coverage it names; every read is audited.
"""

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import text

from app.clinical.billing.claim_status import (
    HAND_RECORDED,
    Standing,
    claim_of,
    coded_here,
    hand_answer,
    standing,
)
from app.clinical.billing.fees import CENT, Fee, fee_of, money_of
from app.clinical.billing.ready_to_bill import blocks
from app.clinical.fhir.names import family_given
from app.clinical.records import ChangeFeed, Records, Work
from app.errors import InvalidRecord, NotFound, UsageError
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of
from fhir_common.fhir_json import ExactDecimal

CLAIMS = text("SELECT json FROM resource WHERE type = 'Claim' AND deleted = 0")
SELF_PAY_SYSTEM = "http://terminology.hl7.org/CodeSystem/coverage-selfpay"
ANSWERS = text("SELECT json FROM resource WHERE type = 'ClaimResponse' AND deleted = 0")


class ClaimRefused(InvalidRecord):
    """A claim that is not ready to bill: nothing was changed; the message says why."""

    title = "Nothing billed"
    exit_code = 2

    def __init__(self, message: str, reasons: tuple[str, ...] = ()):
        super().__init__(message)
        self.reasons = reasons  # the sentences saying why, without the claim's name


@dataclass(frozen=True)
class ClaimRow:
    claim_id: str
    patient_id: str
    patient: str  # "Family, Given"
    visit_date: str | None  # the first line's service date
    status: str  # claim_status.Standing's words
    total: Decimal | None  # None until priced
    currency: str
    reason: str | None  # why denied
    payer: str | None = None  # the focal coverage's payer; None: self-pay
    not_ready: str | None = None  # a draft that cannot be submitted: the sentences saying why


class Claims:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)

    def submit(self, session: Session, claim_id: str) -> dict:
        """Price a ready claim and make it active; ClaimRefused names every reason not."""
        with self._records.write(session, Permission.MANAGE_CLAIMS) as work:
            claim = _claim(work, claim_id)
            if not coded_here(claim):
                raise ClaimRefused(f"Claim {claim_id} was imported from another system, not "
                                   "coded here: Hearth does not submit it.")
            if claim.get("status") != "draft":
                raise ClaimRefused(f"Claim {claim_id} is {claim.get('status')}, not a draft: "
                                   "it was submitted already.")
            priced = price(work, claim)
            priced["status"] = "active"
            work.save(priced, "update", f"claim submitted, total {priced['total']['value']} "
                      f"{priced['total']['currency']}")
        return priced

    def record(self, session: Session, claim_id: str, status: str,
               amount: Decimal | None = None, reason: str | None = None) -> Standing:
        """Record by hand what happened to a claim: submitted (as `submit`), paid (an
        amount) or denied (a reason), the last two kept as a ClaimResponse."""
        if status not in HAND_RECORDED:
            raise UsageError(f"A claim's status is one of {', '.join(HAND_RECORDED)}, not "
                             f"{status!r}.")
        if status == "submitted":
            self.submit(session, claim_id)
            return Standing("submitted")
        if status == "paid" and (amount is None or amount < 0):
            raise UsageError("Say how much was paid: an amount of zero or more.")
        if status == "denied" and not (reason or "").strip():
            raise UsageError("Say why the claim was denied: the payer's reason.")
        with self._records.write(session, Permission.MANAGE_CLAIMS) as work:
            claim = _claim(work, claim_id)
            if not coded_here(claim):
                raise ClaimRefused(f"Claim {claim_id} was imported from another system, not "
                                   "coded here: record its answers there.")
            if claim.get("status") != "active":
                raise ClaimRefused(f"Claim {claim_id} is {claim.get('status')}: submit it "
                                   f"before recording it {status}.")
            answer = hand_answer(claim, status, work.at, amount, (reason or "").strip())
            work.save(answer, "create", f"claim {claim_id} recorded {status}")
            return standing(claim, _answers(work, claim_id))

    def import_response(self, session: Session, answer: dict) -> Standing:
        """Store a payer's FHIR ClaimResponse for one of our claims, as it came."""
        if not isinstance(answer, dict) or answer.get("resourceType") != "ClaimResponse":
            raise UsageError("The file must hold one FHIR ClaimResponse.")
        claim_id = claim_of(answer)
        if claim_id is None:
            raise UsageError("The ClaimResponse names no claim: its request must be "
                             "Claim/<id>.")
        if "id" not in answer:
            raise UsageError("The ClaimResponse has no id.")
        with self._records.write(session, Permission.MANAGE_CLAIMS) as work:
            claim = _claim(work, claim_id)
            if patient_of(answer) != patient_of(claim):
                raise InvalidRecord(f"The ClaimResponse is for patient {patient_of(answer)}, "
                                    f"but claim {claim_id} is for {patient_of(claim)}.")
            work.save(answer, "create", f"payer's answer to claim {claim_id}: "
                      f"{answer.get('outcome')}")
            return standing(claim, _answers(work, claim_id))

    def rows(self, session: Session) -> list[ClaimRow]:
        """Every claim with its patient, visit date, status and total, newest visit first;
        one audited read."""
        with self._records.read(session, Permission.MANAGE_CLAIMS) as work:
            claims = [fhir_json.loads(body) for (body,) in work.conn.execute(CLAIMS)]
            answers: dict[str, list[dict]] = {}
            for (body,) in work.conn.execute(ANSWERS):
                answer = fhir_json.loads(body)
                answers.setdefault(claim_of(answer) or "", []).append(answer)
            names = {pid: _name(work.get("Patient", pid)) for pid in
                     sorted({patient_of(c) for c in claims} - {None})}
            for pid in names:  # each patient's claims read: one audit row per patient
                work.read("Claim", "claims list", pid)
            payers = {c["id"]: _payer_named(work, c) for c in claims}
            unready = {c["id"]: _not_ready(work, c) for c in claims
                       if c.get("status") == "draft"}
        rows = [replace(_row(c, names.get(patient_of(c) or "", ""), answers.get(c["id"], [])),
                        payer=payers[c["id"]], not_ready=unready.get(c["id"]))
                for c in claims]
        return sorted(rows, key=lambda r: (r.visit_date or "", r.claim_id), reverse=True)


def price(work: Work, claim: dict) -> dict:
    """The claim with each line priced for its payer; ClaimRefused names every reason it is
    not ready to bill (the claim unchanged): ready_to_bill's sentences, then unpriced lines."""
    payer = payer_of(work, claim)
    problems = _visit_blocks(work, claim)
    priced = dict(claim, item=[dict(item) for item in claim.get("item", [])])
    total, currency = Decimal(0), "USD"
    for item in priced["item"]:
        coding = item.get("productOrService", {}).get("coding", [{}])[0]
        charged = line_charge(work, item, coding, payer)
        if charged is None:
            problems.append(f"Line {item['sequence']} ({coding.get('code')}) has no fee in "
                            "the fee schedule: add one in the Admin tab's fee schedule.")
            continue
        fee, net = charged
        item["unitPrice"] = _money(fee.amount, fee.currency)
        item["net"] = _money(net, fee.currency)
        total, currency = total + net, fee.currency
    if problems:
        raise ClaimRefused(f"Claim {claim['id']} is not ready to bill. " + " ".join(problems),
                           tuple(problems))
    priced["total"] = _money(total, currency)
    return priced


def units_of(item: dict) -> Decimal:
    """A line's units as written (1 when it says none): a count, not money."""
    return Decimal(fhir_json.number_text(item.get("quantity", {}).get("value", 1)))


def ready_problems(claim: dict) -> list[str]:
    """What stops a claim already submitted going out in an 837P, as clauses of a sentence
    (x12_837; a claim synced from elsewhere may come active without passing `submit`)."""
    problems = []
    diagnoses = {d.get("sequence") for d in claim.get("diagnosis", [])}
    if not diagnoses:
        problems.append("it has no diagnosis")
    if not claim.get("item"):
        problems.append("it has no service lines")
    for item in claim.get("item", []):
        code = item.get("productOrService", {}).get("coding", [{}])[0].get("code")
        pointers = item.get("diagnosisSequence", [])
        if not pointers:
            problems.append(f"line {item['sequence']} ({code}) points at no diagnosis")
        elif missing := [p for p in pointers if p not in diagnoses]:
            problems.append(f"line {item['sequence']} ({code}) points at diagnosis "
                            f"{', '.join(map(str, missing))}, which the claim does not have")
    return problems


def line_charge(work: Work, item: dict, coding: dict, payer: str | None
                ) -> tuple[Fee, Decimal] | None:
    """A line's fee (the payer's, else the default) and its charge, the fee times the units
    rounded half up to the cent (1.5 units bill to the cent); None when it has no fee."""
    fee = fee_of(work.conn, coding.get("system", ""), coding.get("code", ""), payer)
    if fee is None:
        return None
    return fee, (fee.amount * units_of(item)).quantize(CENT, ROUND_HALF_UP)


def payer_of(work: Work, claim: dict) -> str | None:
    """The payer's name from the claim's focal coverage; None: self-pay (default fees)."""
    coverage = coverage_of(work, claim)
    return None if coverage is None or self_pay(coverage) else next(
        (p.get("display") for p in coverage.get("payor", [])), None)


def self_pay(coverage: dict) -> bool:
    """Whether the patient pays: R4 requires a Claim to name a coverage, so self-pay is a
    Coverage of type "pay" (coverage-selfpay) or one whose payor is the patient."""
    typed = any(c.get("system") == SELF_PAY_SYSTEM and c.get("code") == "pay"
                for c in coverage.get("type", {}).get("coding", []))
    return typed or any(str(p.get("reference", "")).startswith("Patient/")
                        for p in coverage.get("payor", []))


def coverage_of(work: Work, claim: dict) -> dict | None:
    focal = next((i for i in claim.get("insurance", []) if i.get("focal")), None)
    reference = (focal or {}).get("coverage", {}).get("reference", "")
    return work.get("Coverage", reference.removeprefix("Coverage/")) if \
        reference.startswith("Coverage/") else None


def _visit_id(claim: dict) -> str:
    """The visit a coded claim bills: its lines' Encounter, else the one its id names."""
    reference = next((e.get("reference", "") for item in claim.get("item", [])
                      for e in item.get("encounter", [])), "")
    return reference.removeprefix("Encounter/") if reference.startswith("Encounter/") else \
        claim["id"].removeprefix("claim-")


def _visit_blocks(work: Work, claim: dict) -> list[str]:
    """ready_to_bill's sentences for the claim's visit (its notes' signing state is read by
    the visit's id, so a visit not yet synced here is still checked for unsigned notes)."""
    visit = _visit_id(claim)
    return blocks(work.conn, claim, work.get("Encounter", visit) or {"id": visit},
                  patient_of(claim) or "")


def _claim(work: Work, claim_id: str) -> dict:
    claim = work.get("Claim", claim_id)
    work.read(f"Claim/{claim_id}", "claim", patient_of(claim) if claim else None,
              claim is not None)
    if claim is None:
        raise NotFound(f"There is no claim {claim_id}.")
    return claim


def _payer_named(work: Work, claim: dict) -> str | None:
    """Who the claim bills for the list: `payer_of`, or the name an imported claim gives a
    coverage it holds no record of (Synthea's "private"), which is no self-pay."""
    focal = next((i for i in claim.get("insurance", []) if i.get("focal")), {})
    named = focal.get("coverage", {})
    return named.get("display") if "reference" not in named else payer_of(work, claim)


def _not_ready(work: Work, claim: dict) -> str | None:
    """Why a draft could not be submitted now (the sentences `submit` would refuse it with,
    fees included), None when it could: the list says "ready" only when Submit would work."""
    if not coded_here(claim):
        return None  # imported: listed as such, never submitted
    try:
        price(work, claim)
    except ClaimRefused as refused:
        return " ".join(refused.reasons)
    return None


def _answers(work: Work, claim_id: str) -> list[dict]:
    return [a for (body,) in work.conn.execute(ANSWERS)
            if claim_of(a := fhir_json.loads(body)) == claim_id]


def _row(claim: dict, patient: str, answers: list[dict]) -> ClaimRow:
    now = standing(claim, answers)
    total = claim.get("total")
    return ClaimRow(claim["id"], patient_of(claim) or "", patient, visit_date(claim),
                    now.status, money_of(total["value"]) if total else None,
                    (total or {}).get("currency", "USD"), now.reason)


def visit_date(claim: dict) -> str | None:
    return min((i["servicedDate"] for i in claim.get("item", []) if i.get("servicedDate")),
               default=None)


def _name(patient: dict | None) -> str:
    return family_given(patient) if patient else ""


def _money(amount: Decimal, currency: str) -> dict:
    return {"value": ExactDecimal(str(amount)), "currency": currency}
