"""All of ../shared/data/synthea imports, every chart matches its bundle, every patient is
found. Skipped where ../shared is absent (a user's fresh machine): tests/data holds a few
of the same bundles for the other tests."""

from pathlib import Path

import orjson
import pytest

from app.bootstrap import open_workstation
from app.clinical.patients.search import PatientSearch
from tests.fhir_counts import expected_sections

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "synthea"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/synthea absent")]


@pytest.fixture(scope="module")
def clinic(tmp_path_factory, keyring_session):
    from keyring.backends import SecretService

    from app.bootstrap import Environment, init_store
    from tests.conftest import ADMIN_PASSWORD, TEST_POLICY

    backend = SecretService.Keyring()
    env = Environment(keyring_backend=lambda: backend, policy=TEST_POLICY)
    root = tmp_path_factory.mktemp("clinic") / "store"
    init_store(env, root, "admin", "Ada Admin", ADMIN_PASSWORD)
    admin = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    report = admin.importer.run(admin.session, [SHARED])
    admin.users.add(admin.session, "drlee", "Dr Lee", "physician", "doctor pass 1")
    admin.close()
    doctor = open_workstation(env, root, "drlee", "doctor pass 1")
    yield report, doctor
    doctor.close()


def patients():
    for path in sorted(SHARED.glob("*.json")):
        for entry in orjson.loads(path.read_bytes())["entry"]:
            if entry["resource"]["resourceType"] == "Patient":
                yield entry["resource"]


def test_every_bundle_imports(clinic):
    report, _ = clinic
    assert report.skipped == 0 and report.warnings == []
    assert report.imported + report.unchanged == sum(
        len(orjson.loads(p.read_bytes())["entry"]) for p in SHARED.glob("*.json"))


def test_every_chart_counts_what_its_bundle_holds(clinic):
    _, doctor = clinic
    expected = expected_sections(sorted(SHARED.glob("*.json")))
    assert len(expected) == 100
    for patient_id, sections in expected.items():
        counts = doctor.chart.summary(doctor.session, patient_id).counts
        assert {s: n for s, n in counts.items() if n} == dict(sections), patient_id


def test_every_patient_is_found_by_family_prefix_mrn_and_birth_date(clinic):
    _, doctor = clinic
    finder = PatientSearch(doctor.store)
    for patient in patients():
        mrn = next(i["value"] for i in patient["identifier"]
                   if i.get("type", {}).get("coding", [{}])[0].get("code") == "MR")
        given = patient["name"][0]["given"][0]
        for text in (f"{patient['name'][0]['family'][:3]} {given}", mrn,
                     f"{patient['birthDate']} {given[:2]}"):
            hits = [h.patient_id for h in finder.search(doctor.session, text, limit=50)]
            assert patient["id"] in hits, text
