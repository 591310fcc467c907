"""Claims on a real store: a coded visit (a draft Claim, built here by hand as visit coding
writes it) priced from the fee schedule for the patient's payer, submitted draft -> active
by billing, refused with the ready-to-bill sentences, and answered by hand or by the
payer's ClaimResponse, which is stored too. Shared with the 837P tests."""

from dataclasses import dataclass
from decimal import Decimal

import httpx
import orjson
import pytest

from app.bootstrap import Workstation
from app.clinical.billing.claims import ClaimRefused, Claims
from app.clinical.billing.fees import CPT, HCPCS, Fee, FeeSchedule
from app.clinical.fhir.validation import validation_errors
from app.clinical.records import Records
from app.errors import PermissionDenied
from app.security.roles import Permission
from tests.conftest import sign_in
from tests.sync.conftest import b, fresh_fhir_server  # noqa: F401 (the fixtures)
from tests.sync.stations import sync

ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
SELF_PAY = "http://terminology.hl7.org/CodeSystem/coverage-selfpay"
DRLEE = {"type": "Practitioner", "identifier": {"system": "urn:hearth:user", "value": "drlee"},
         "display": "Drlee"}  # the rendering provider as coding names a Hearth physician
PROFESSIONAL = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                            "code": "professional"}]}


@dataclass(frozen=True)
class Office:
    doctor: Workstation
    biller: Workstation
    admin: Workstation
    patient_id: str
    coverage_id: str


@pytest.fixture
def office(admin, env, store_dir) -> Office:
    """A physician, a biller, the admin's fee schedule and an insured patient."""
    doctor = sign_in(admin, env, store_dir, "drlee", "physician")
    ann = doctor.patients.register(doctor.session, {
        "resourceType": "Patient", "name": [{"family": "Okafor", "given": ["Ann"]}],
        "birthDate": "1960-05-01", "gender": "female",
        "address": [{"line": ["12 High St"], "city": "Springfield", "state": "IL",
                     "postalCode": "62701"}]})
    coverage = {"resourceType": "Coverage", "id": "cov-ann", "status": "active",
                "subscriberId": "ACM123456", "beneficiary": {"reference": f"Patient/{ann['id']}"},
                "relationship": {"coding": [{"code": "self"}]},
                "payor": [{"display": "Acme Health"}]}
    save_as(doctor, coverage)
    FeeSchedule(admin.store, admin.changes).set_fees(admin.session, [
        Fee("99213", CPT, "Office visit", "default", Decimal("75.50")),
        Fee("99213", CPT, "Office visit", "Acme Health", Decimal("68.10")),
        Fee("J1100", HCPCS, "Dexamethasone 1 mg", "default", Decimal("2.35"))])
    return Office(doctor, sign_in(admin, env, store_dir, "bill", "billing"), admin,
                  ann["id"], coverage["id"])


def save_as(ws: Workstation, record: dict) -> None:
    """Write a record through the write path, as a physician coding a visit would."""
    with Records(ws.store, ws.changes).write(ws.session, Permission.CODE_VISITS) as work:
        work.save(record, "create")


def coded_visit(office: Office, encounter: str = "enc1", day: str = "2026-03-02",
                diagnoses=("E11.9", "I10"), lines=(("99213", CPT, 1, [1, 2]),
                                                   ("J1100", HCPCS, 4, [1])),
                insured: bool = True, status: str = "draft",
                provider: dict | None = None) -> dict:
    """The draft Claim visit coding writes for a visit (the roster's contract)."""
    claim = {
        "resourceType": "Claim", "id": f"claim-{encounter}", "status": status,
        "type": PROFESSIONAL, "use": "claim", "patient": {"reference":
                                                          f"Patient/{office.patient_id}"},
        "created": f"{day}T10:00:00Z", "provider": provider or DRLEE,
        "priority": {"coding": [{"code": "normal"}]},
        "diagnosis": [{"sequence": n, "diagnosisCodeableConcept": {"coding": [
            {"system": ICD10, "code": code}]}} for n, code in enumerate(diagnoses, 1)],
        "item": [{"sequence": n, "productOrService": {"coding": [{"system": system,
                                                                   "code": code}]},
                  **({"modifier": [{"coding": [{"code": "25"}]}]} if code == "99213" else {}),
                  "quantity": {"value": units},
                  **({"diagnosisSequence": pointers} if pointers else {}),
                  "servicedDate": day, "encounter": [{"reference": f"Encounter/{encounter}"}],
                  "locationCodeableConcept": {"coding": [{"system": POS, "code": "11"}]}}
                 for n, (code, system, units, pointers) in enumerate(lines, 1)]}
    if not diagnoses:
        del claim["diagnosis"]
    coverage = office.coverage_id if insured else self_pay(office)
    claim["insurance"] = [{"sequence": 1, "focal": True,
                           "coverage": {"reference": f"Coverage/{coverage}"}}]
    save_as(office.doctor, claim)
    return claim


def self_pay(office: Office) -> str:
    """A self-pay Coverage (R4 Claim requires one): payor the patient, type "pay"."""
    save_as(office.doctor, {
        "resourceType": "Coverage", "id": "cov-self", "status": "active",
        "type": {"coding": [{"system": SELF_PAY, "code": "pay"}]},
        "beneficiary": {"reference": f"Patient/{office.patient_id}"},
        "payor": [{"reference": f"Patient/{office.patient_id}"}]})
    return "cov-self"


def stored(ws: Workstation, kind: str, record_id: str) -> dict:
    with ws.store.read() as conn:
        return orjson.loads(conn.exec_driver_sql(
            "SELECT json FROM resource WHERE type = ? AND id = ?", (kind, record_id)
        ).scalar_one())


def test_billing_submits_a_coded_visit_priced_for_the_patients_payer(office):
    claim = coded_visit(office)

    Claims(office.biller.store).submit(office.biller.session, claim["id"])

    with office.biller.store.read() as conn:
        raw = conn.exec_driver_sql("SELECT json FROM resource WHERE id = 'claim-enc1'"
                                   ).scalar_one()
        queued = conn.exec_driver_sql("SELECT count(*) FROM outbox WHERE type = 'Claim'"
                                      ).scalar_one()
    saved = orjson.loads(raw)
    assert validation_errors("Claim", raw.encode()) == []
    assert saved["status"] == "active"
    visit, injection = saved["item"]
    assert (visit["unitPrice"]["value"], visit["net"]["value"]) == (68.1, 68.1)  # Acme's fee
    assert (injection["unitPrice"]["value"], injection["net"]["value"]) == (2.35, 9.4)
    assert '"total":{"value":77.50,"currency":"USD"}' in raw  # 68.10 + 4 x 2.35, digits kept
    assert queued == 2  # coded, then submitted: both go to the server
    row = Claims(office.biller.store).rows(office.biller.session)[0]
    assert (row.patient, row.visit_date, row.status, row.total) == (
        "Okafor, Ann", "2026-03-02", "submitted", Decimal("77.50"))


def test_a_self_pay_visit_is_priced_at_the_default_fee(office):
    claim = coded_visit(office, insured=False, lines=(("99213", CPT, 1, [1]),))
    priced = Claims(office.biller.store).submit(office.biller.session, claim["id"])
    assert str(priced["total"]["value"]) == "75.50"


@pytest.mark.parametrize(("diagnoses", "lines", "sentence"), [
    ((), (("99213", CPT, 1, []),), "Claim claim-enc1 is not ready to bill. The claim has no "
     "diagnosis: add at least one ICD-10-CM code (the first is the primary). Line 1 (99213) "
     "points at no diagnosis: give it one, such as 1 for the primary."),
    (("E11.9",), (("99213", CPT, 1, [1]), ("J1100", HCPCS, 1, [])),
     "Claim claim-enc1 is not ready to bill. Line 2 (J1100) points at no diagnosis: give it "
     "one, such as 1 for the primary."),
    (("E11.9",), (("99213", CPT, 1, [1]), ("G0008", HCPCS, 1, [1])),
     "Claim claim-enc1 is not ready to bill. Line 2 (G0008) has no fee in the fee schedule: "
     "add one in the Admin tab's fee schedule."),
])
def test_a_claim_not_ready_to_bill_is_refused_with_the_reason(office, diagnoses, lines,
                                                               sentence):
    claim = coded_visit(office, diagnoses=diagnoses, lines=lines)
    with pytest.raises(ClaimRefused) as refused:
        Claims(office.biller.store).submit(office.biller.session, claim["id"])
    assert str(refused.value) == sentence
    assert stored(office.biller, "Claim", claim["id"]) == claim  # unchanged, still a draft


def test_payment_and_denial_recorded_by_hand_are_kept_as_claim_responses(office):
    claims = Claims(office.biller.store)
    first, second = coded_visit(office, "enc1"), coded_visit(office, "enc2", "2026-03-03")
    claims.submit(office.biller.session, first["id"])
    claims.submit(office.biller.session, second["id"])

    paid = claims.record(office.biller.session, first["id"], "paid", amount=Decimal("70.00"))
    denied = claims.record(office.biller.session, second["id"], "denied",
                           reason="CO-16: missing information")

    assert (paid.status, str(paid.paid)) == ("paid", "70.00")
    assert (denied.status, denied.reason) == ("denied", "CO-16: missing information")
    statuses = {r.claim_id: (r.status, r.reason) for r in claims.rows(office.biller.session)}
    assert statuses == {"claim-enc1": ("paid", "Paid"),
                        "claim-enc2": ("denied", "CO-16: missing information")}
    with office.biller.store.read() as conn:
        answers = [orjson.loads(b) for (b,) in conn.exec_driver_sql(
            "SELECT json FROM resource WHERE type = 'ClaimResponse'")]
    assert all(validation_errors("ClaimResponse", orjson.dumps(a)) == [] for a in answers)
    assert len(answers) == 2


def test_a_payers_claim_response_is_imported_and_stored_as_it_came(office):
    claim = coded_visit(office)
    Claims(office.biller.store).submit(office.biller.session, claim["id"])
    answer = {"resourceType": "ClaimResponse", "id": "era-881", "status": "active",
              "type": PROFESSIONAL, "use": "claim",
              "patient": {"reference": f"Patient/{office.patient_id}"},
              "created": "2026-03-20T00:00:00Z", "insurer": {"display": "Acme Health"},
              "request": {"reference": "Claim/claim-enc1"}, "outcome": "partial",
              "disposition": "Partly paid: J1100 not covered",
              "payment": {"type": {"coding": [{"code": "partial"}]}, "date": "2026-03-20",
                          "amount": {"value": 68.10, "currency": "USD"}}}

    now = Claims(office.biller.store).import_response(office.biller.session, answer)

    assert (now.status, str(now.paid), now.reason) == ("partly paid", "68.10",
                                                       "Partly paid: J1100 not covered")
    assert stored(office.biller, "ClaimResponse", "era-881") == answer


def test_only_billing_submits_claims(office):
    claim = coded_visit(office)
    with pytest.raises(PermissionDenied, match="may not make, submit and record claims"):
        Claims(office.doctor.store).submit(office.doctor.session, claim["id"])
    assert stored(office.doctor, "Claim", claim["id"])["status"] == "draft"


def test_fees_claims_and_answers_reach_the_clinics_server(office, fresh_fhir_server, b):
    claims = Claims(office.biller.store, office.biller.changes)
    claims.submit(office.biller.session, coded_visit(office)["id"])
    claims.record(office.biller.session, "claim-enc1", "denied", reason="CO-16")

    sync(office.biller, fresh_fhir_server)

    base = fresh_fhir_server.base_url
    claim = httpx.get(f"{base}Claim/claim-enc1").json()
    assert (claim["status"], claim["total"]["value"]) == ("active", 77.5)
    assert httpx.get(f"{base}ChargeItemDefinition/fee-cpt-99213").status_code == 200
    answers = httpx.get(f"{base}ClaimResponse", params={"request": "Claim/claim-enc1"}).json()
    assert [e["resource"]["disposition"] for e in answers.get("entry", [])] == ["CO-16"]
    sync(b, fresh_fhir_server)  # another workstation of the clinic
    fees = FeeSchedule(b.store).fees(b.session)  # the server sent 75.50 back as 75.5
    assert [(f.code, f.payer, str(f.amount)) for f in fees][:2] == [
        ("99213", "default", "75.50"), ("99213", "Acme Health", "68.10")]
