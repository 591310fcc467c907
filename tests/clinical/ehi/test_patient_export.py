"""One patient's EHI export: the whole chart and what it leans on, nobody else's records,
the patient's audit trail, and the export itself audited as a disclosure."""

import pytest

from app.bootstrap import open_workstation
from app.clinical.ehi.export import AUDIT_TRAIL, PatientExport
from app.clinical.fhir.validation import validation_errors
from app.errors import NotFound, PermissionDenied
from fhir_common import fhir_json
from fhir_common.compartment import patient_of
from tests.clinical.ehi.ehi_ward import CHAUNCEY, LIZ, build
from tests.conftest import password_of


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("ehi-export") / "store"
    return build(root), root


@pytest.fixture(scope="module")
def exported(clinic, tmp_path_factory):
    env, root = clinic
    doc = open_workstation(env, root, "doc", password_of("doc"))
    out = tmp_path_factory.mktemp("ehi-out") / "chauncey.json"
    try:
        done = PatientExport(doc.store).export(doc.session, CHAUNCEY, out)
    finally:
        doc.close()
    return done, out.read_bytes()


def resources(body: bytes) -> list[dict]:
    return [e["resource"] for e in fhir_json.loads(body)["entry"]]


def test_the_bundle_is_an_r4_collection_saying_what_it_holds(exported):
    done, body = exported
    bundle = fhir_json.loads(body)
    problems = validation_errors("Bundle", body)  # only the server's element kept as sent
    assert len(problems) == 1 and problems[0].endswith(".futureElement: unknown element")
    assert bundle["type"] == "collection"
    scope = bundle["meta"]["extension"][0]["valueMarkdown"]
    assert "Not included: unsigned note drafts" in scope
    assert done.patient == "Johnston, Chauncey" and done.records > 90


def test_the_chart_its_provenance_and_shared_records_come_but_no_other_patient(exported):
    _, body = exported
    found = resources(body)
    kinds = {r["resourceType"] for r in found}
    assert {"Patient", "Encounter", "Observation", "Provenance", "Practitioner",
            "Organization", "DocumentReference", "ServiceRequest"} <= kinds
    assert not [r for r in found if patient_of(r) not in (None, CHAUNCEY)]
    assert LIZ.encode() not in body  # nor her Provenance


def test_a_signed_note_and_the_server_record_come_exactly_as_stored(clinic, exported):
    _, body = exported
    found = {(r["resourceType"], r["id"]): r for r in resources(body)}
    note = next(r for r in found.values() if r["resourceType"] == "DocumentReference"
                and r.get("docStatus") == "final" and "authenticator" in r)
    assert note["authenticator"]["display"] == "Dr Lee"
    potassium = fhir_json.dumps(found[("Observation", "server-potassium")])
    assert b'"value":1.50' in potassium and b'"futureElement"' in potassium


def test_the_patients_audit_trail_comes_as_tagged_audit_events(exported):
    _, body = exported
    trail = [r for r in resources(body) if AUDIT_TRAIL in r.get("meta", {}).get("tag", [])]
    assert exported[0].audit_entries == len(trail)
    assert {r["resourceType"] for r in trail} == {"AuditEvent"}
    said = [e["entity"][0].get("description") for e in trail]
    assert "signed: Progress note" in said
    assert "order signed: CMP (comprehensive metabolic panel)" in said


def test_the_export_is_audited_as_a_disclosure_naming_the_file(clinic, exported):
    env, root = clinic
    done, _ = exported
    nina = open_workstation(env, root, "nina", password_of("nina"))
    try:
        with nina.store.read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT user, action, detail FROM audit WHERE patient = ? AND action = "
                "'export'", (CHAUNCEY,)).all()
    finally:
        nina.close()
    assert rows == [("doc", "export", f"disclosure: EHI export (FHIR Bundle) to {done.path}: "
                                      f"{done.records} records, {done.audit_entries} audit "
                                      "trail entries")]


def test_a_nurse_may_export_but_the_desk_and_the_admin_may_not(clinic, tmp_path):
    env, root = clinic
    for user, password in (("desk", password_of("desk")), ("admin", "correct horse battery")):
        ws = open_workstation(env, root, user, password)
        try:
            with pytest.raises(PermissionDenied, match="may not read the clinical chart"):
                PatientExport(ws.store).export(ws.session, CHAUNCEY, tmp_path / "x.json")
        finally:
            ws.close()
    nina = open_workstation(env, root, "nina", password_of("nina"))
    try:
        assert PatientExport(nina.store).export(nina.session, CHAUNCEY,
                                                tmp_path / "n.json").records > 90
    finally:
        nina.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.json"]


def test_an_unknown_patient_is_a_failed_export_and_leaves_no_file(clinic, tmp_path):
    env, root = clinic
    doc = open_workstation(env, root, "doc", password_of("doc"))
    try:
        with pytest.raises(NotFound, match="There is no patient nobody; nothing was exported"):
            PatientExport(doc.store).export(doc.session, "nobody", tmp_path / "x.json")
        with doc.store.read() as conn:
            outcome = conn.exec_driver_sql("SELECT outcome FROM audit WHERE patient = "
                                           "'nobody'").scalar_one()
    finally:
        doc.close()
    assert outcome == "failure" and list(tmp_path.iterdir()) == []
