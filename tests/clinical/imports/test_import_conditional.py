"""Conditional creates, updates and references at import, matched as a FHIR server would:
against the store and the file's own entries. One match is used; none creates (a reference
is kept and listed as unresolved); several refuse the entry with a sentence."""

import orjson
import pytest
from sqlalchemy import text

from app.store.resources import store_server_versions

MRN = "http://hospital.example/mrn"


def patient(mrn: str, pid: str | None = None, **more) -> dict:
    found = {"resourceType": "Patient", "identifier": [{"system": MRN, "value": mrn}],
             "name": [{"family": "Okafor"}], **more}
    return {**found, "id": pid} if pid else found


def observation(subject: str, oid: str = "obs-1") -> dict:
    return {"resourceType": "Observation", "id": oid, "status": "final",
            "code": {"text": "Weight"}, "subject": {"reference": subject}}


def entry(resource: dict, full_url: str | None = None, **request) -> dict:
    found = {"resource": resource, **({"fullUrl": full_url} if full_url else {})}
    if request:
        found["request"] = {"method": "POST", "url": resource["resourceType"], **request}
    return found


def run(ws, tmp_path, *entries, name="transaction.json"):
    path = tmp_path / name
    path.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "transaction",
                                   "entry": list(entries)}))
    return ws.importer.run(ws.session, [path])


def stored(ws, kind: str) -> dict[str, dict]:
    with ws.store.read() as conn:
        rows = conn.execute(text("SELECT id, json FROM resource WHERE type = :t AND deleted = 0"),
                            {"t": kind})
        return {rid: orjson.loads(body) for rid, body in rows}


def subject_of(ws, oid: str = "obs-1") -> str:
    return stored(ws, "Observation")[oid]["subject"]["reference"]


def test_if_none_exist_uses_the_stored_patient_and_references_follow(admin, tmp_path):
    run(admin, tmp_path, entry(patient("MRN-42", "p-42")), name="first.json")
    report = run(admin, tmp_path,
                 entry(patient("MRN-42"), "urn:uuid:new", ifNoneExist=f"identifier={MRN}|MRN-42"),
                 entry(observation("urn:uuid:new"), "urn:uuid:o"))
    assert list(stored(admin, "Patient")) == ["p-42"]
    assert subject_of(admin) == "Patient/p-42"
    assert any("already here as Patient/p-42" in w.reason for w in report.warnings)


def test_if_none_exist_matches_an_earlier_entry_of_the_same_bundle(admin, tmp_path):
    run(admin, tmp_path,
        entry(patient("MRN-7"), "urn:uuid:aaaa"),
        entry(patient("MRN-7"), "urn:uuid:bbbb", ifNoneExist="identifier=MRN-7"),  # any system
        entry(observation("urn:uuid:bbbb"), "urn:uuid:o"))
    assert list(stored(admin, "Patient")) == ["aaaa"]
    assert subject_of(admin) == "Patient/aaaa"


def test_if_none_exist_without_a_match_creates(admin, tmp_path):
    report = run(admin, tmp_path, entry(patient("MRN-9"), "urn:uuid:cccc",
                                        ifNoneExist=f"Patient?identifier={MRN}|MRN-9"))
    assert (report.imported, list(stored(admin, "Patient"))) == (1, ["cccc"])


def test_conditional_update_changes_the_matched_record(admin, tmp_path):
    with admin.store.write() as conn:  # a patient this workstation has from the server
        store_server_versions(conn, [(patient("MRN-42", "p-42"), "3", "2024-01-01T00:00:00Z")])
    phone = [{"system": "phone", "value": "555-0100"}]
    report = run(admin, tmp_path,
                 entry(patient("MRN-42", telecom=phone), "urn:uuid:x", method="PUT",
                       url=f"Patient?identifier={MRN}|MRN-42"),
                 entry(observation("urn:uuid:x"), "urn:uuid:o"))
    assert report.imported == 2
    assert {pid: p.get("telecom") for pid, p in stored(admin, "Patient").items()} == {
        "p-42": phone}
    assert subject_of(admin) == "Patient/p-42"


def test_conditional_update_without_a_match_creates(admin, tmp_path):
    run(admin, tmp_path, entry(patient("MRN-5"), "urn:uuid:dddd", method="PUT",
                               url="Patient?identifier=MRN-5"))
    assert list(stored(admin, "Patient")) == ["dddd"]


@pytest.mark.parametrize("request_", [
    {"ifNoneExist": "identifier=MRN-1"},
    {"method": "PUT", "url": "Patient?identifier=MRN-1"},
])
def test_several_matches_refuse_the_entry_and_the_rest_imports(admin, tmp_path, request_):
    run(admin, tmp_path, entry(patient("MRN-1", "twin-a")), entry(patient("MRN-1", "twin-b")),
        name="twins.json")
    report = run(admin, tmp_path, entry(patient("MRN-1"), "urn:uuid:eeee", **request_),
                 entry(observation("urn:uuid:eeee"), "urn:uuid:o"))
    assert (report.imported, report.skipped) == (1, 1)
    assert report.errors[0].entry == 0
    assert "Patient?identifier=MRN-1: 2 records match" in report.errors[0].reason
    assert sorted(stored(admin, "Patient")) == ["twin-a", "twin-b"]
    assert [u.reason for u in report.unresolved] == [  # points at no patient, and says so
        "reference urn:uuid:eeee not found; kept as written"]


@pytest.mark.parametrize("request_", [
    {"ifNoneExist": "name=peter"},
    {"method": "PUT", "url": "Patient?identifier:of-type=MR|42"},
    {"method": "PUT", "url": "Patient?identifier=a,b"},
])
def test_an_unsupported_criterion_is_refused_never_ignored(admin, tmp_path, request_):
    report = run(admin, tmp_path, entry(patient("MRN-3"), "urn:uuid:ffff", **request_))
    assert (report.imported, report.skipped) == (0, 1)
    assert "supported: identifier" in report.errors[0].reason
    assert stored(admin, "Patient") == {}


def test_conditional_reference_resolves_against_the_store_and_the_bundle(admin, tmp_path):
    run(admin, tmp_path, entry(patient("MRN-42", "p-42")), name="first.json")
    report = run(admin, tmp_path,
                 entry(patient("MRN-8", "p-8")),
                 entry(observation(f"Patient?identifier={MRN}|MRN-42", "obs-store")),
                 entry(observation("Patient?identifier=MRN-8", "obs-bundle")))
    assert (report.imported, report.skipped) == (3, 0)
    assert subject_of(admin, "obs-store") == "Patient/p-42"
    assert subject_of(admin, "obs-bundle") == "Patient/p-8"


def test_conditional_reference_without_a_match_is_kept_warned_and_listed(admin, tmp_path):
    report = run(admin, tmp_path, entry(observation("Patient?identifier=MRN-404")))
    assert (report.imported, report.skipped) == (1, 0)
    assert subject_of(admin) == "Patient?identifier=MRN-404"
    assert [u.reason for u in report.unresolved] == [
        "reference Patient?identifier=MRN-404 matches no record; kept as written"]
    assert report.warnings[0].reason == report.unresolved[0].reason


def test_conditional_reference_with_several_matches_is_refused(admin, tmp_path):
    run(admin, tmp_path, entry(patient("MRN-1", "twin-a")), entry(patient("MRN-1", "twin-b")),
        name="twins.json")
    report = run(admin, tmp_path, entry(observation("Patient?identifier=MRN-1")))
    assert (report.imported, report.skipped) == (0, 1)
    assert report.errors[0].reason == ("reference Patient?identifier=MRN-1: 2 records match "
                                       "(Patient/twin-a, Patient/twin-b); not imported")
