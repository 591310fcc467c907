"""The problem list: ICD-10-CM coded, valid FHIR, resolved or in error with history kept,
and written only by clinicians. The fixtures here are shared by the allergy and medication
tests."""

from dataclasses import dataclass

import httpx
import orjson
import pytest
from sqlalchemy import text

from app.bootstrap import Workstation
from app.clinical.charting import icd10
from app.clinical.charting.problems import Problems
from app.clinical.fhir.validation import validation_errors
from app.clinical.visits.encounters import Encounters
from app.errors import InvalidRecord, PermissionDenied
from tests.conftest import sign_in
from tests.sync.conftest import a, b, fresh_fhir_server  # noqa: F401 (fixtures)
from tests.sync.stations import patient, sync

ANN = {"resourceType": "Patient", "name": [{"family": "Okafor", "given": ["Ann"]}],
       "birthDate": "1960-05-01"}


@dataclass(frozen=True)
class Ward:
    doctor: Workstation
    nurse: Workstation
    desk: Workstation
    billing: Workstation
    patient_id: str


@pytest.fixture
def ward(admin, env, store_dir) -> Ward:
    """One patient, and a physician, a nurse, a front-desk clerk and a biller signed in."""
    doctor = sign_in(admin, env, store_dir, "drlee", "physician")
    ann = doctor.patients.register(doctor.session, ANN)
    return Ward(doctor, sign_in(admin, env, store_dir, "nina", "nurse"),
                sign_in(admin, env, store_dir, "frank", "front-desk"),
                sign_in(admin, env, store_dir, "bill", "billing"), ann["id"])


def valid(resource: dict) -> bool:
    assert validation_errors(resource["resourceType"], orjson.dumps(resource)) == []
    return True


def status(resource: dict, field: str) -> str | None:
    return next((c["code"] for c in resource.get(field, {}).get("coding", [])), None)


def writes(ws: Workstation) -> tuple[int, int]:
    """Outbox entries and audit rows of writes that happened (not reads, logins or refusals)."""
    with ws.store.read() as conn:
        return (conn.execute(text("SELECT count(*) FROM local_change")).scalar_one(),
                conn.execute(text("SELECT count(*) FROM audit WHERE outcome = 'success' AND "
                                  "action IN ('create', 'update', 'delete')")).scalar_one())


def versions(ws: Workstation, record_id: str) -> list[dict]:
    with ws.store.read() as conn:
        return [orjson.loads(body) for body in conn.execute(text(
            "SELECT json FROM outbox WHERE id = :id ORDER BY seq"), {"id": record_id}
        ).scalars()]


def audit_details(ws: Workstation, record_id: str) -> list[str]:
    with ws.store.read() as conn:
        return conn.execute(text("SELECT detail FROM audit WHERE entity LIKE :e ORDER BY seq"),
                            {"e": f"%/{record_id}"}).scalars().all()


def active_titles(ws: Workstation, patient_id: str, field: str) -> list[str]:
    return [item.title for item in getattr(ws.chart.summary(ws.session, patient_id), field)]


def test_a_problem_is_a_coded_active_problem_list_condition(ward):
    before = writes(ward.doctor)
    problem = Problems(ward.doctor.store).add(ward.doctor.session, ward.patient_id, "i10",
                                              onset="2019-03", note="Home readings 150s/90s")
    assert valid(problem)
    assert problem["code"]["coding"] == [{"system": "http://hl7.org/fhir/sid/icd-10-cm",
                                          "code": "I10",
                                          "display": "Essential (primary) hypertension"}]
    assert problem["category"][0]["coding"][0]["code"] == "problem-list-item"
    assert (status(problem, "clinicalStatus"), status(problem, "verificationStatus")) == (
        "active", "confirmed")
    assert problem["onsetDateTime"] == "2019-03"
    assert problem["note"][0]["text"] == "Home readings 150s/90s"
    assert writes(ward.doctor) == (before[0] + 1, before[1] + 1)
    assert active_titles(ward.doctor, ward.patient_id, "active_problems") == [
        "Essential (primary) hypertension"]


def test_a_problem_added_during_a_visit_belongs_to_that_visit(ward):
    visit = Encounters(ward.doctor.store).start_visit(ward.doctor.session, ward.patient_id)
    problem = Problems(ward.doctor.store).add(ward.doctor.session, ward.patient_id, "R51.9")
    assert problem["encounter"] == {"reference": f"Encounter/{visit['id']}"}


def test_a_heading_or_unknown_code_is_refused_with_what_to_choose(ward):
    problems = Problems(ward.doctor.store)
    with pytest.raises(InvalidRecord, match=r"E11 \(Type 2 diabetes mellitus\) is a heading.*"
                                            r"E11\.9 \(Type 2 diabetes mellitus without"):
        problems.add(ward.doctor.session, ward.patient_id, "E11")
    with pytest.raises(InvalidRecord, match="not an ICD-10-CM code"):
        problems.add(ward.doctor.session, ward.patient_id, "hypertension")
    with pytest.raises(InvalidRecord, match="2031 is in the future"):
        problems.add(ward.doctor.session, ward.patient_id, "I10", onset="2031")
    with pytest.raises(InvalidRecord, match="'3/4/2019' is not a date"):
        problems.add(ward.doctor.session, ward.patient_id, "I10", onset="3/4/2019")


def test_resolving_keeps_the_problem_and_its_history(ward):
    problems = Problems(ward.nurse.store)
    added = problems.add(ward.nurse.session, ward.patient_id, "J18.9", onset="2024-01-02")
    resolved = problems.resolve(ward.nurse.session, added["id"], "Clear on chest X-ray",
                                abatement="2024-02-01")
    assert valid(resolved)
    assert status(resolved, "clinicalStatus") == "resolved"
    assert resolved["abatementDateTime"] == "2024-02-01"
    assert resolved["note"][-1]["text"] == "Resolved: Clear on chest X-ray"
    assert active_titles(ward.nurse, ward.patient_id, "active_problems") == []
    page = ward.nurse.chart.section(ward.nurse.session, ward.patient_id, "problems")
    assert [(i.title, i.status) for i in page.items] == [
        ("Pneumonia, unspecified organism", "resolved")]
    assert [status(v, "clinicalStatus") for v in versions(ward.nurse, added["id"])] == [
        "active", "resolved"]
    assert audit_details(ward.nurse, added["id"])[-1] == (
        "problem resolved as of 2024-02-01: Clear on chest X-ray")
    with pytest.raises(InvalidRecord, match="already resolved"):
        problems.resolve(ward.nurse.session, added["id"], "again")


def test_resolving_needs_a_reason_and_a_date_after_onset(ward):
    problems = Problems(ward.doctor.store)
    added = problems.add(ward.doctor.session, ward.patient_id, "J18.9", onset="2024-01-02")
    with pytest.raises(InvalidRecord, match="Say why the problem is resolved"):
        problems.resolve(ward.doctor.session, added["id"], "  ")
    with pytest.raises(InvalidRecord, match=r"cannot be resolved \(2023-12-30\) before its "
                                            r"onset \(2024-01-02\)"):
        problems.resolve(ward.doctor.session, added["id"], "better", abatement="2023-12-30")


def test_inactive_edited_and_entered_in_error_problems(ward):
    problems, session = Problems(ward.doctor.store), ward.doctor.session
    old = problems.add(ward.doctor.session, ward.patient_id, "M54.50")
    edited = problems.edit(session, old["id"], onset="2010", note="Worse when lifting")
    assert (edited["onsetDateTime"], edited["note"][-1]["text"]) == ("2010",
                                                                     "Worse when lifting")
    inactive = problems.inactivate(session, old["id"], "No complaints since 2015")
    assert valid(inactive) and status(inactive, "clinicalStatus") == "inactive"

    wrong = problems.add(session, ward.patient_id, "E11.9")
    in_error = problems.enter_in_error(session, wrong["id"], "Wrong patient")
    assert valid(in_error)
    assert status(in_error, "verificationStatus") == "entered-in-error"
    assert "clinicalStatus" not in in_error  # FHIR R4 con-5
    assert active_titles(ward.doctor, ward.patient_id, "active_problems") == []
    with pytest.raises(InvalidRecord, match="was entered in error and cannot be changed"):
        problems.edit(session, wrong["id"], note="after all")
    assert len(versions(ward.doctor, wrong["id"])) == 2


@pytest.mark.parametrize("who", ["desk", "billing"])
def test_front_desk_and_billing_may_not_touch_the_problem_list(ward, who):
    problem = Problems(ward.doctor.store).add(ward.doctor.session, ward.patient_id, "I10")
    ws = getattr(ward, who)
    problems, before = Problems(ws.store), writes(ws)
    for attempt in (
        lambda: problems.add(ws.session, ward.patient_id, "I10"),
        lambda: problems.edit(ws.session, problem["id"], note="hm"),
        lambda: problems.resolve(ws.session, problem["id"], "better"),
        lambda: problems.inactivate(ws.session, problem["id"], "old"),
        lambda: problems.enter_in_error(ws.session, problem["id"], "wrong"),
    ):
        with pytest.raises(PermissionDenied, match="may not edit the clinical chart"):
            attempt()
    assert writes(ws) == before


def test_a_problem_charted_on_one_workstation_reaches_another(a, b, fresh_fhir_server):
    ann = a.patients.register(a.session, patient("Okafor"))
    problem = Problems(a.store).add(a.session, ann["id"], "E11.9", onset="2015")
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    assert active_titles(b, ann["id"], "active_problems") == [
        "Type 2 diabetes mellitus without complications"]

    Problems(a.store).resolve(a.session, problem["id"], "Remission after weight loss")
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    assert active_titles(b, ann["id"], "active_problems") == []
    history = httpx.get(f"{fresh_fhir_server.base_url}Condition/{problem['id']}/_history").json()
    assert sorted(status(e["resource"], "clinicalStatus") for e in history["entry"]) == [
        "active", "resolved"]


@pytest.mark.parametrize(("typed", "first"), [
    ("hypertension", "I10"), ("type 2 diabetes", "E11.9"), ("high blood pressure", "I10"),
    ("e11.9", "E11.9"), ("E119", "E11.9"), ("asthma", "J45.909"), ("pneumonia", "J18.9"),
])
def test_icd10_search_puts_the_usual_code_first(typed, first):
    found = icd10.search(typed)
    assert found[0].code == first
    assert all(icd10.is_billable(hit.code) for hit in found)


def test_icd10_describes_codes_and_says_which_are_billable():
    assert icd10.describe("e11.9") == "Type 2 diabetes mellitus without complications"
    assert (icd10.is_billable("E11.9"), icd10.is_billable("E11"), icd10.describe("Q99.99")) == (
        True, False, None)
    assert icd10.search("high blood pressure")[0].matched == "high blood pressure"
