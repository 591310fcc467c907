"""The X12 837P (005010X222A1) a clearinghouse takes: a batch of submitted claims as one
interchange (ISA/GS/ST envelopes with control numbers from this store's sequence).

The billing provider is the clinic as the policy's `billing` section names it (name, NPI,
tax id, address); each claim is one subscriber loop (2000B: the policy holder, the kind of
payer as SBR09, the payer and its id) and, when the patient is covered as someone's spouse,
child or other dependent, a patient loop under it (2000C: PAT01 the relationship, NM1*QC
the patient), then a CLM with the claim's total and place of service, HI with the
ICD-10-CM diagnoses (the first principal) and one SV1 per line (HCPCS/CPT code with its
modifiers, charge, units, diagnosis pointers) with its DTP service date.

Only claims that are submitted and not yet answered go out (a paid or denied claim sent
again would bill twice); self-pay claims have no payer to send to and are named, not sent.
A claim that is not ready to bill (no diagnosis, a line pointing at none, not priced)
refuses the whole batch with a sentence before anything is written. The file is written
under a temporary name and renamed when whole.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from app.clinical.billing.claim_status import SENT_IN, claim_of, coded_here, sent_in
from app.clinical.billing.claims import (
    ClaimRefused,
    coverage_of,
    ready_problems,
    self_pay,
    units_of,
    visit_date,
)
from app.clinical.billing.fees import money_of
from app.clinical.fhir.names import main_name
from app.clinical.patients import payer_kinds
from app.clinical.patients.insurance_card import RELATIONSHIP_SYSTEM
from app.clinical.records import Records, Work
from app.errors import UsageError
from app.security.policy import BillingPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.sequences import next_number
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

VERSION = "005010X222A1"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
REQUIRED = ("organization_name", "npi", "tax_id", "address_line", "city", "state",
            "postal_code", "submitter_id", "receiver_name", "receiver_id")
SEX = {"male": "M", "female": "F"}
ACTIVE_CLAIMS = text("SELECT json FROM resource WHERE type = 'Claim' AND deleted = 0 "
                     "AND json_extract(json, '$.status') = 'active'")
ANSWERS = text("SELECT json FROM resource WHERE type = 'ClaimResponse' AND deleted = 0")
UNSAFE = re.compile(r"[*~:^\r\n]")  # the delimiters, never inside a value
PATIENT_RELATIONSHIP = {"spouse": "01", "child": "19", "common": "53"}  # PAT01; else G8
OTHER_RELATIONSHIP = "G8"


@dataclass(frozen=True)
class Billed:
    claim: dict
    patient: dict
    coverage: dict
    rendering: dict | None = None  # the Practitioner who saw the patient, when known here
    holder: dict | None = None  # the policy holder (Patient or RelatedPerson) when not them


@dataclass(frozen=True)
class Batch:
    text: str
    claims: list[str]  # ids sent
    notes: list[str]  # sentences: claims left out and why, payers sent without an id
    control_number: int


def export_837(records: Records, session: Session, since: date, billing: BillingPolicy,
               output: Path, at: datetime | None = None) -> Batch:
    """Write the batch to `output` (MANAGE_CLAIMS), in the unit of work that takes its
    control number, so a file that cannot be written gives the number back."""
    with records.write(session, Permission.MANAGE_CLAIMS) as work:
        batch = batch_837(work, since, billing, at or datetime.now())
        write_file(batch, output)
    return batch


def batch_837(work: Work, since: date, billing: BillingPolicy, at: datetime) -> Batch:
    """The 837P of every submitted, unanswered claim with a visit on or after `since`;
    each claim's read is audited as an export. ClaimRefused when one is not ready."""
    if missing := [name for name in REQUIRED if not getattr(billing, name)]:
        raise UsageError("The policy's billing section must name " + ", ".join(
            f"billing.{m}" for m in missing) + " before claims can be sent as an 837P.")
    answered = {claim_of(fhir_json.loads(body)) for (body,) in work.conn.execute(ANSWERS)}
    billed, notes, problems, sent = [], [], [], 0
    unnamed: dict[str, list[str]] = {}  # payers without an id: their claims
    for (body,) in work.conn.execute(ACTIVE_CLAIMS):
        claim = fhir_json.loads(body)
        day = visit_date(claim)
        if day is None or day < since.isoformat() or claim["id"] in answered \
                or not coded_here(claim):  # imported claims are never sent from here
            continue
        if sent_in(claim):
            sent += 1
            continue
        coverage = coverage_of(work, claim)
        if coverage is None or self_pay(coverage):
            notes.append(f"Claim {claim['id']} is self-pay: there is no payer to send it to.")
            continue
        patient = work.get("Patient", patient_of(claim) or "") or {}
        reasons = ready_problems(claim) + ([] if "total" in claim else ["it is not priced"])
        holder = None if _relationship(coverage) == "self" else _holder(work, coverage)
        reasons += subscriber_problems(patient)
        if _relationship(coverage) != "self" and not main_name(holder or {}).get("family"):
            reasons.append("the coverage names no policy holder (the patient is not the "
                           "subscriber)")
        if reasons:
            problems.append(f"Claim {claim['id']} is not ready to bill: {'; '.join(reasons)}.")
            continue
        if not _payer_id(coverage):
            unnamed.setdefault(_payer(coverage).get("display", ""), []).append(claim["id"])
        work.read(f"Claim/{claim['id']}", "837P export", patient_of(claim), action="export")
        billed.append(Billed(claim, patient, coverage, _practitioner(work, claim), holder))
    if problems:
        raise ClaimRefused(" ".join(problems))
    if not billed:
        raise UsageError(f"No submitted claim with a visit since {since.isoformat()} is "
                         "waiting to be sent" + (f" ({sent} sent in earlier batches)." if sent
                                                 else "."))
    if sent:
        notes.append(f"{sent} claim(s) sent in an earlier batch were left out.")
    notes += [f"{payer or 'The payer'} has no payer id on the patients' coverage, so its "
              f"name was sent as the id (claims {', '.join(ids)})."
              for payer, ids in unnamed.items()]
    billed.sort(key=lambda b: (visit_date(b.claim) or "", b.claim["id"]))
    control = next_number(work.conn, "x12-interchange") % 10**9
    for one in billed:  # remembered on the claim (it syncs), so no batch sends it twice
        marked = dict(one.claim, extension=[*one.claim.get("extension", []), {
            "url": SENT_IN, "valueString": f"{control:09d}"}])
        work.save(marked, "update", f"sent in 837P interchange {control:09d}")
    return Batch(interchange(billed, billing, control, at), [b.claim["id"] for b in billed],
                 notes, control)


def write_file(batch: Batch, output: Path) -> None:
    """The file, renamed into place only when whole."""
    partial = output.with_name(output.name + ".partial")
    partial.write_text(batch.text, encoding="ascii")
    partial.replace(output)


def interchange(billed: list[Billed], billing: BillingPolicy, control: int,
                at: datetime) -> str:
    """The whole interchange: ISA, GS, one ST transaction holding every claim, SE, GE, IEA."""
    sender, receiver = _clean(billing.submitter_id), _clean(billing.receiver_id)
    body = [
        ["ST", "837", "0001", VERSION],
        ["BHT", "0019", "00", f"{control:09d}", at.strftime("%Y%m%d"), at.strftime("%H%M"),
         "CH"],
        ["NM1", "41", "2", _clean(billing.organization_name), "", "", "", "", "46", sender],
        ["PER", "IC", "BILLING", "TE", re.sub(r"\D", "", billing.phone or "") or "0000000000"],
        ["NM1", "40", "2", _clean(billing.receiver_name), "", "", "", "", "46", receiver],
        ["HL", "1", "", "20", "1"],
        ["NM1", "85", "2", _clean(billing.organization_name), "", "", "", "", "XX",
         billing.npi],
        ["N3", _clean(billing.address_line)],
        ["N4", _clean(billing.city), _clean(billing.state), re.sub(r"\D", "",
                                                                   billing.postal_code)],
        ["REF", "EI", billing.tax_id],
    ]
    number = 2
    for one in billed:
        segments = _claim_segments(one, number, billing.npi)
        number += sum(1 for s in segments if s[0] == "HL")
        body += segments
    body.append(["SE", str(len(body) + 1), "0001"])
    segments = [
        ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15)[:15], "ZZ",
         receiver.ljust(15)[:15], at.strftime("%y%m%d"), at.strftime("%H%M"), "^", "00501",
         f"{control:09d}", "0", "P", ":"],
        ["GS", "HC", sender, receiver, at.strftime("%Y%m%d"), at.strftime("%H%M"),
         str(control), "X", VERSION],
        *body,
        ["GE", "1", str(control)],
        ["IEA", "1", f"{control:09d}"],
    ]
    return "".join("*".join(_trim(s)) + "~\n" for s in segments)


def _claim_segments(billed: Billed, number: int, billing_npi: str) -> list[list[str]]:
    """Loops 2000B (and 2000C when the patient is not the subscriber) and 2300 of a claim."""
    claim, patient, coverage = billed.claim, billed.patient, billed.coverage
    group = next((c.get("value", "") for c in coverage.get("class", [])
                  if any(t.get("code") == "group" for t in c.get("type", {}).get("coding", []))),
                 "")
    payer = _payer(coverage)
    payer_id = _payer_id(coverage) or _clean(payer.get("display"))
    pos = _place_of_service(claim)
    own = billed.holder is None
    subscriber = patient if own else billed.holder
    name = main_name(subscriber)
    segments = [
        ["HL", str(number), "1", "22", "0" if own else "1"],
        ["SBR", "P", "18" if own else "", _clean(group), "", "", "", "", "",
         _filing_indicator(coverage)],
        ["NM1", "IL", "1", _clean(name.get("family")), _clean(" ".join(name.get("given", []))),
         "", "", "", "MI", _clean(coverage.get("subscriberId"))],
        *(_address_and_birth(patient) if own else _birth(subscriber)),
        ["NM1", "PR", "2", _clean(payer.get("display")), "", "", "", "", "PI", payer_id],
    ]
    if not own:  # 2000C: the patient, a dependent of the subscriber
        patient_name = main_name(patient)
        segments += [
            ["HL", str(number + 1), str(number), "23", "0"],
            ["PAT", PATIENT_RELATIONSHIP.get(_relationship(coverage), OTHER_RELATIONSHIP)],
            ["NM1", "QC", "1", _clean(patient_name.get("family")),
             _clean(" ".join(patient_name.get("given", [])))],
            *_address_and_birth(patient),
        ]
    segments += [
        ["CLM", _control_id(claim), _amount(money_of(claim["total"]["value"])), "", "",
         f"{pos}:B:1", "Y", "A", "Y", "Y"],
        ["HI", *(f"{'ABK' if n == 0 else 'ABF'}:{code.replace('.', '')}"
                 for n, code in enumerate(_diagnoses(claim)[:12]))],
    ]
    segments += _rendering(billed.rendering, billing_npi)
    for line, item in enumerate(claim["item"], start=1):
        coding = item["productOrService"]["coding"][0]
        modifiers = [m["coding"][0]["code"] for m in item.get("modifier", [])][:4]
        segments += [
            ["LX", str(line)],
            ["SV1", ":".join(["HC", coding["code"], *modifiers]),
             _amount(money_of(item["net"]["value"])), "UN",
             _amount(units_of(item)), "", "",
             ":".join(str(p) for p in item["diagnosisSequence"][:4])],
            ["DTP", "472", "D8", item.get("servicedDate", visit_date(claim)).replace("-", "")],
        ]
    return segments


def _address_and_birth(person: dict) -> list[list[str]]:
    """N3, N4 and DMG of the patient (checked by `subscriber_problems` before)."""
    address = next(iter(person.get("address", [])), {})
    return [["N3", _clean(" ".join(address["line"]))],
            ["N4", _clean(address["city"]), _clean(address["state"]),
             re.sub(r"\D", "", address["postalCode"])], *_birth(person)]


def _birth(person: dict) -> list[list[str]]:
    """DMG: birth date and sex, when the birth date is known (a policy holder's may not be)."""
    if not person.get("birthDate"):
        return []
    return [["DMG", "D8", person["birthDate"].replace("-", ""),
             SEX.get(person.get("gender", ""), "U")]]


def _relationship(coverage: dict) -> str:
    """The patient's relationship to the policy holder; a card that says none is their own."""
    codes = [c.get("code") for c in coverage.get("relationship", {}).get("coding", [])
             if c.get("system") in (None, RELATIONSHIP_SYSTEM)]
    return next(iter(codes), None) or "self"


def _holder(work: Work, coverage: dict) -> dict | None:
    """The policy holder the Coverage names: contained in it (as the desk's form keeps
    them), or a RelatedPerson or Patient stored here."""
    reference = (coverage.get("subscriber") or {}).get("reference", "")
    if reference.startswith("#"):
        return next((c for c in coverage.get("contained", [])
                     if c.get("id") == reference[1:]), None)
    kind, _, record_id = reference.partition("/")
    return work.get(kind, record_id) if kind in ("RelatedPerson", "Patient") else None


def _filing_indicator(coverage: dict) -> str:
    """SBR09 from the card's kind of payer (Coverage.type); commercial when it names none."""
    return next((c.get("code") for c in coverage.get("type", {}).get("coding", [])
                 if c.get("system") == payer_kinds.system() and payer_kinds.name_of(
                     c.get("code", ""))), payer_kinds.default_code())


def subscriber_problems(patient: dict) -> list[str]:
    """What the subscriber or patient loop needs of the patient."""
    problems = []
    address = next(iter(patient.get("address", [])), {})
    if not (address.get("line") and address.get("city") and address.get("state")
            and address.get("postalCode")):
        problems.append("the patient's address (street, city, state, ZIP) is incomplete")
    if not patient.get("birthDate"):
        problems.append("the patient has no birth date")
    return problems


def _control_id(claim: dict) -> str:
    """CLM01, the clinic's claim number the payer echoes back (at most 38 characters): the
    claim's id without its "claim-" prefix, which a visit id (a UUID, 36) fits in."""
    return UNSAFE.sub("", claim["id"].removeprefix("claim-"))[:38]


def _payer(coverage: dict) -> dict:
    return next(iter(coverage.get("payor", [])), {})


def _payer_id(coverage: dict) -> str | None:
    return _clean((_payer(coverage).get("identifier") or {}).get("value")) or None


def _practitioner(work: Work, claim: dict) -> dict | None:
    reference = (claim.get("provider") or {}).get("reference", "")
    return work.get("Practitioner", reference.removeprefix("Practitioner/")) if \
        reference.startswith("Practitioner/") else None


def _rendering(practitioner: dict | None, billing_npi: str) -> list[list[str]]:
    """Loop 2310B, the rendering provider: only when the clinician has an NPI of their own
    on their Practitioner (the billing provider's NPI stands for them otherwise)."""
    npi = next((i.get("value") for i in (practitioner or {}).get("identifier", [])
                if i.get("system") == NPI_SYSTEM), None)
    if not npi or npi == billing_npi:
        return []
    name = main_name(practitioner)
    return [["NM1", "82", "1", _clean(name.get("family")),
             _clean(" ".join(name.get("given", []))), "", "", "", "XX", npi]]


def _diagnoses(claim: dict) -> list[str]:
    ordered = sorted(claim["diagnosis"], key=lambda d: d["sequence"])
    return [next((c["code"] for c in d["diagnosisCodeableConcept"]["coding"]
                  if c.get("system") == ICD10), d["diagnosisCodeableConcept"]["coding"][0]["code"])
            for d in ordered]


def _place_of_service(claim: dict) -> str:
    for item in claim["item"]:
        for coding in item.get("locationCodeableConcept", {}).get("coding", []):
            return coding["code"]
    return "11"  # office


def _amount(value: Decimal) -> str:
    """An X12 decimal: no exponent, no trailing zeros ("77.5", "75")."""
    text_ = format(value.normalize(), "f")
    return text_.rstrip("0").rstrip(".") if "." in text_ else text_


def _clean(value: str | None) -> str:
    return UNSAFE.sub(" ", (value or "").upper()).strip()


def _trim(segment: list[str]) -> list[str]:
    """A segment without its empty trailing elements (X12 leaves them out)."""
    while segment and segment[-1] == "":
        segment = segment[:-1]
    return segment
