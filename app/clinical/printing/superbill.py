"""The superbill: a coded visit on paper, as the front desk hands it over or a biller checks
it before the claim goes out.

It prints the visit's Claim as visit coding wrote it (app.clinical.billing.coding: one
Claim per visit, id "claim-<encounter>"): the visit asked for, else the patient's latest
coded visit (by date of service). A visit not coded yet prints nothing and says how to
code it. On the page: who bills (the policy's billing section: name, NPI, tax id,
address), the claim and its state, who pays (the payer and member id from the Coverage the
claim names, or self-pay), the rendering provider, the date and place of service, the
diagnoses numbered as the lines point at them, then each line (code, modifiers, units,
pointers, description, charge) and the total.

Charges: a submitted claim carries the prices it was billed at, and those are printed. A
draft is priced here exactly as submitting it would price it (app.clinical.billing.claims:
the payer's fee, else the default, times the units, to the cent); a line whose code has no
fee says "not priced" and the total counts only the lines priced, saying so, never a
guessed amount. While the claim is not ready to bill, the sentences of app.clinical.billing.
ready_to_bill say why.

Billing prints it without READ_CHART: everything here is what a claim needs (the claim,
the visit's date, the Coverage, the notes' signing state), which CODE_VISITS may read.
"""

from decimal import Decimal

from sqlalchemy import text

from app.clinical.billing.claim_status import claim_of, standing
from app.clinical.billing.claims import coverage_of, line_charge, payer_of, visit_date
from app.clinical.billing.coding import claim_id
from app.clinical.billing.fees import CENT, money_of
from app.clinical.billing.ready_to_bill import blocks, is_self_pay
from app.clinical.charting import icd10
from app.clinical.patients.insurance import insurance_of
from app.clinical.printing.chart_reads import day, visit
from app.clinical.printing.document import Content, Section
from app.clinical.records import Work
from app.errors import NotFound, UsageError
from app.security.policy import BillingPolicy
from app.security.roles import Permission
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

TITLE = "Superbill"
PERMISSIONS = (Permission.CODE_VISITS, Permission.READ_CHART)  # billing's, or a clinician's
DIAGNOSIS_COLUMNS = ("Pointer", "ICD-10-CM", "Diagnosis")
LINE_COLUMNS = ("Line", "Code", "Modifiers", "Units", "Diagnoses", "Description", "Charge")
LINE_WIDTHS = (7, 9, 12, 8, 13, 37, 14)
NOT_PRICED = "not priced"
PATIENT_CLAIMS = text("SELECT r.json FROM patient_compartment c JOIN resource r "
                      "ON r.type = c.type AND r.id = c.id AND r.deleted = 0 "
                      "WHERE c.patient_id = :patient AND c.type = 'Claim' "
                      "AND coalesce(c.status, '') != 'entered-in-error'")
PATIENT_ANSWERS = text("SELECT r.json FROM patient_compartment c JOIN resource r "
                       "ON r.type = c.type AND r.id = c.id AND r.deleted = 0 "
                       "WHERE c.patient_id = :patient AND c.type = 'ClaimResponse'")


def read(work: Work, patient_id: str, patient_name: str, visit_id: str | None, *,
         billing: BillingPolicy) -> Content:
    """The superbill of the visit asked for (None: the latest coded visit); `billing` is the
    policy's billing section, the clinic that bills."""
    claim, encounter = _coded_visit(work, patient_id, patient_name, visit_id)
    diagnoses = tuple((str(d.get("sequence", "")), *_diagnosis(d))
                      for d in claim.get("diagnosis", []))
    lines, total, priced_note = _lines(work, claim)
    ready = blocks(work.conn, claim, encounter, patient_id)
    sections = [
        Section("Diagnoses", DIAGNOSIS_COLUMNS, (12, 16, 72), diagnoses,
                "No diagnosis is coded for this visit."),
        Section("Services", LINE_COLUMNS, LINE_WIDTHS, (*lines, total) if lines else (),
                "No procedure or service is coded for this visit.",
                priced_note if lines else "")]
    if ready:
        sections.append(Section("Not ready to bill", rows=tuple((s,) for s in ready)))
    return Content(_facts(work, claim, encounter, billing), tuple(sections),
                   len(diagnoses) + len(lines), f"Claim/{claim['id']}")


def _coded_visit(work: Work, patient_id: str, patient_name: str, visit_id: str | None
                 ) -> tuple[dict, dict]:
    """The claim and visit to print: the visit asked for, else the latest coded one."""
    if visit_id is None:
        latest = _latest_claim(work, patient_id)
        if latest is not None:
            visit_id = latest["id"].removeprefix("claim-")
    encounter = visit(work, patient_id, patient_name, visit_id)
    claim = work.get("Claim", claim_id(encounter["id"]))
    if claim is None or claim.get("status") == "entered-in-error":
        when = day((encounter.get("period") or {}).get("start")) or "unknown date"
        raise UsageError(f"Nothing to print: the visit of {when} is not coded yet (hearth "
                         f"visits code {encounter['id']} --dx CODE --line CODE). No file was "
                         "written.")
    if patient_of(claim) != patient_id:
        raise NotFound(f"Claim {claim['id']} is not {patient_name}'s. No file was written.")
    return claim, encounter


def _latest_claim(work: Work, patient_id: str) -> dict | None:
    """The patient's coded visit latest by date of service (then by when it was coded)."""
    claims = [c for (body,) in work.conn.execute(PATIENT_CLAIMS, {"patient": patient_id})
              if (c := fhir_json.loads(body))["id"].startswith("claim-")]
    return max(claims, key=lambda c: (visit_date(c) or "", c.get("created", "")), default=None)


def _facts(work: Work, claim: dict, encounter: dict, billing: BillingPolicy
           ) -> tuple[tuple[str, str], ...]:
    items = claim.get("item", [])
    place = next((c for item in items for c in (item.get("locationCodeableConcept") or {})
                  .get("coding", []) if c.get("code")), {})
    provider = claim.get("provider") or {}
    user = (provider.get("identifier") or {}).get("value")
    served = visit_date(claim) or day((encounter.get("period") or {}).get("start"))
    return (("Billing provider", _billing_provider(billing)),
            ("Claim", f"{claim['id']} ({_standing(work, claim)}), visit "
                      f"Encounter/{encounter['id']}"),
            ("Insurance", _insurance(work, claim)),
            ("Rendering provider", " ".join(filter(None, [provider.get("display"),
                                                          user and f"({user})"]))
             or "not named"),
            ("Date of service", served),
            ("Place of service", " ".join(filter(None, [place.get("code"),
                                                        place.get("display")]))))


def _standing(work: Work, claim: dict) -> str:
    """Where the claim stands: "draft, not submitted", "submitted", "sent", "paid 98.40",
    "denied: <the payer's reason>" (app.clinical.billing.claim_status)."""
    if claim.get("status") == "draft":
        return "draft, not submitted"
    answers = [a for (body,) in work.conn.execute(PATIENT_ANSWERS, {
        "patient": patient_of(claim)}) if claim_of(a := fhir_json.loads(body)) == claim["id"]]
    now = standing(claim, answers)
    return " ".join(filter(None, [now.status, now.paid is not None and str(now.paid)])) \
        + (f": {now.reason}" if now.reason else "")


def _billing_provider(billing: BillingPolicy) -> str:
    """The clinic as the policy's billing section names it, or a sentence saying it is not
    set (a payer needs it, so a biller should see that it is missing)."""
    where = ", ".join(filter(None, [billing.address_line, billing.city, " ".join(
        filter(None, [billing.state, billing.postal_code]))]))
    return " · ".join(filter(None, [billing.organization_name,
                                    billing.npi and f"NPI {billing.npi}",
                                    billing.tax_id and f"tax id {billing.tax_id}", where])) \
        or "not set: the policy's billing section names no clinic"


def _insurance(work: Work, claim: dict) -> str:
    if is_self_pay(claim):
        return "Self-pay: the patient has no insurance on file and pays this bill."
    card = insurance_of(coverage_of(work, claim))
    if card is None:
        return "The claim's coverage is not on file: check the patient's insurance card."
    return " · ".join(filter(None, [card.payer or "insurer not named",
                                    card.member_id and f"member id {card.member_id}",
                                    card.group and f"group {card.group}"]))


def _diagnosis(entry: dict) -> tuple[str, str]:
    coding = next(iter((entry.get("diagnosisCodeableConcept") or {}).get("coding", [])), {})
    code = coding.get("code", "")
    return code, coding.get("display") or icd10.describe(code) or ""


def _lines(work: Work, claim: dict) -> tuple[list[tuple[str, ...]], tuple[str, ...], str]:
    """Each line with its charge, the total row, and a sentence saying where the charges
    come from (and which lines have none)."""
    submitted = claim.get("status") != "draft"
    payer = payer_of(work, claim)
    rows, total, currency, unpriced, defaulted = [], Decimal(0), "USD", [], []
    for item in claim.get("item", []):
        coding = next(iter(item.get("productOrService", {}).get("coding", [])), {})
        code = coding.get("code", "")
        charge = _charge(work, item, coding, payer, submitted)
        if charge is None:
            unpriced.append(f"line {item.get('sequence')} ({code})")
        else:
            amount, currency, fee_payer = charge
            total += amount
            if payer and fee_payer and fee_payer.casefold() != payer.casefold():
                defaulted.append(code)
        modifiers = ", ".join(c.get("code", "") for m in item.get("modifier", [])
                              for c in m.get("coding", []))
        rows.append((str(item.get("sequence", "")), code, modifiers,
                     fhir_json.number_text(item.get("quantity", {}).get("value", 1)),
                     ", ".join(str(p) for p in item.get("diagnosisSequence", [])),
                     coding.get("display", ""),
                     NOT_PRICED if charge is None else f"{charge[0]} {charge[1]}"))
    label = ("Total" if not unpriced else
             f"Total ({len(rows) - len(unpriced)} of {len(rows)} lines priced)")
    priced = len(rows) > len(unpriced)
    total_row = ("", "", "", "", "", label if priced else "Total",
                 f"{total.quantize(CENT)} {currency}" if priced else NOT_PRICED)
    return rows, total_row, _priced_note(submitted, payer, unpriced, defaulted)


def _charge(work: Work, item: dict, coding: dict, payer: str | None, submitted: bool
            ) -> tuple[Decimal, str, str | None] | None:
    """(amount, currency, whose fee) of a line; None when it has no price."""
    if submitted:
        net = item.get("net")
        return (money_of(net["value"]), net.get("currency", "USD"), None) if net else None
    if (charged := line_charge(work, item, coding, payer)) is None:
        return None
    fee, net = charged
    return net, fee.currency, fee.payer


def _priced_note(submitted: bool, payer: str | None, unpriced: list[str],
                 defaulted: list[str]) -> str:
    if submitted:
        said = "Charges as billed when the claim was submitted."
    elif payer:
        said = (f"Charges from the fee schedule for {payer}, times the units"
                + (f"; the default fee for {', '.join(defaulted)}, which has no {payer} fee."
                   if defaulted else "."))
    else:
        said = "Charges from the fee schedule's default fees (self-pay), times the units."
    if unpriced:
        one = len(unpriced) == 1
        said += (f" Not priced: {', '.join(unpriced)}, no fee in the fee schedule; the total "
                 f"leaves {'it' if one else 'them'} out, and the claim cannot be submitted "
                 f"until {'it has' if one else 'they have'} a fee.")
    return said
