"""What a coded visit still lacks before it can be billed, each said in one sentence, and
who pays (the patient's Coverage from registration, or the patient: self-pay).

A claim is ready to bill when the visit's notes are all signed (a bill must rest on a
signed record of the visit) and the claim has a diagnosis, at least one line, a diagnosis
pointer on every line (to a diagnosis it has) and a rendering provider. These sentences are
the one list: the coding dialog, the To code tab, the superbill and `Claims.submit` (which
adds only a line without a fee) all say them. Self-pay is not a block, but it is always
said, so nobody sends a patient's bill to an insurer, or an insurer's to the patient,
without noticing.

Everything here runs inside the caller's unit of work (its audited read or write): it reads
only what a claim needs (the visit's notes' signing state and titles, never their text;
the patient's Coverage), which billing may see without READ_CHART.
"""

from sqlalchemy import Connection, text

from app.clinical.patients.insurance import shown_coverage
from app.clinical.patients.registration import COVERAGE_COMPARTMENT
from app.clinical.visits.encounters import HEARTH_USER
from app.security.users import find_user
from app.store.resources import get_resource
from fhir_common import fhir_json

SELF_PAY_ID = "self-pay"  # the contained Coverage of a claim the patient pays
SELF_PAY_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-selfpay",
                             "code": "pay", "display": "Pay"}]}
VISIT_DRAFTS = text("SELECT author, title FROM note_draft WHERE encounter_id = :visit "
                    "ORDER BY created_at, id")
VISIT_NOTES = text(
    "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
    "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
    "AND c.type = 'DocumentReference' AND instr(r.json, :needle) > 0")
IN_PROGRESS = "This visit is still in progress; it is coded once it is finished."
UNSIGNED_STATUS = ("preliminary",)  # DocumentReference.docStatus of a note not yet final


def coverage(conn: Connection, patient_id: str) -> dict | None:
    """The Coverage a claim bills: the card the registration form shows (the patient's
    own, active), else any active Coverage of the patient; None: self-pay."""
    ids = [row[0] for row in conn.exec_driver_sql(COVERAGE_COMPARTMENT, (patient_id,))]
    stored = [c for c in (get_resource(conn, "Coverage", cid) for cid in ids) if c]
    return shown_coverage(stored) or next(
        (c for c in stored if c.get("status") == "active"), None)


def self_pay(patient_id: str) -> dict:
    """The contained Coverage of a self-pay claim. FHIR R4 requires Claim.insurance, so
    self-pay is said the FHIR way (coverage-selfpay "pay", the patient as payor) inside the
    claim, never as a Coverage in the chart, where the registration form would show it as
    an insurance card."""
    patient = {"reference": f"Patient/{patient_id}"}
    return {"resourceType": "Coverage", "id": SELF_PAY_ID, "status": "active",
            "type": SELF_PAY_TYPE, "beneficiary": patient, "payor": [patient]}


def is_self_pay(claim: dict) -> bool:
    focal = next((i for i in claim.get("insurance", []) if i.get("focal")), None)
    return focal is None or focal.get("coverage", {}).get("reference") == f"#{SELF_PAY_ID}"


def payer_sentence(claim: dict, conn: Connection) -> str:
    """Who the claim bills, in one sentence."""
    if is_self_pay(claim):
        return ("Self-pay: the patient has no insurance on file, so the claim bills the "
                "patient.")
    reference = next(i for i in claim["insurance"] if i.get("focal"))["coverage"]["reference"]
    card = get_resource(conn, "Coverage", reference.partition("/")[2]) or {}
    payer = next((p.get("display") for p in card.get("payor", []) if p.get("display")),
                 "an insurer not named")
    member = f", member {card['subscriberId']}" if card.get("subscriberId") else ""
    return f"Billed to {payer}{member} ({reference})."


def blocks(conn: Connection, claim: dict | None, visit: dict, patient_id: str) -> list[str]:
    """Why the visit is not ready to bill, one sentence each; [] when it is."""
    found = [IN_PROGRESS] if visit.get("status") == "in-progress" else []
    if claim is None:
        found.append("The visit is not coded yet.")
    found.extend(_unsigned_notes(conn, visit["id"], patient_id))
    if claim is None:
        return found
    if not claim.get("diagnosis"):
        found.append("The claim has no diagnosis: add at least one ICD-10-CM code (the first "
                     "is the primary).")
    if not claim.get("item"):
        found.append("The claim has no procedure or service line: add at least one.")
    numbers = {d.get("sequence") for d in claim.get("diagnosis", [])}
    for item in claim.get("item", []):
        code = item["productOrService"]["coding"][0]["code"]
        pointers = item.get("diagnosisSequence", [])
        if not pointers:
            found.append(f"Line {item['sequence']} ({code}) points at no diagnosis: give it "
                         "one, such as 1 for the primary.")
        elif missing := [str(p) for p in pointers if p not in numbers]:
            found.append(f"Line {item['sequence']} ({code}) points at diagnosis "
                         f"{', '.join(missing)}, which the claim does not have.")
    if not _names_provider(claim.get("provider") or {}):
        found.append("The claim names no rendering provider: name the physician who saw the "
                     "patient.")
    return found


def _names_provider(provider: dict) -> bool:
    """A rendering provider is a Hearth physician (as coding names one) or a Practitioner
    record (as a claim synced from elsewhere may); a name alone identifies nobody."""
    return (provider.get("identifier") or {}).get("system") == HEARTH_USER or str(
        provider.get("reference", "")).startswith("Practitioner/")


def _unsigned_notes(conn: Connection, visit_id: str, patient_id: str) -> list[str]:
    found = []
    for author, title in conn.execute(VISIT_DRAFTS, {"visit": visit_id}):
        user = find_user(conn, author)
        found.append(f"The note '{title}' by {user.full_name if user else author} is not "
                     "signed yet: it must be signed before the visit is billed.")
    reference = f"Encounter/{visit_id}"
    for (body,) in conn.execute(VISIT_NOTES, {"patient": patient_id, "needle": reference}):
        note = fhir_json.loads(body)
        names_visit = any(e.get("reference") == reference
                          for e in (note.get("context") or {}).get("encounter", []))
        if names_visit and note.get("docStatus") in UNSIGNED_STATUS \
                and note.get("status") == "current":
            title = (note.get("type") or {}).get("text") or note.get("description") or "note"
            found.append(f"The note '{title}' is preliminary, not signed: it must be signed "
                         "before the visit is billed.")
    return found
