"""Importing FHIR files: everything good arrives once, everything bad is named and skipped."""

from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.clinical.imports.fhir_input import MAX_RESOURCE_BYTES
from app.errors import PermissionDenied, UsageError

SYNTHEA = Path(__file__).parents[2] / "data" / "synthea"
GOOD = {"resourceType": "Patient", "id": "good-1", "name": [{"family": "Okafor"}]}


def bundle(*resources, kind="collection") -> bytes:
    return orjson.dumps({"resourceType": "Bundle", "type": kind,
                         "entry": [{"resource": r} for r in resources]})


def run(admin, tmp_path, name, content: bytes):
    (tmp_path / name).write_bytes(content)
    return admin.importer.run(admin.session, [tmp_path / name])


def count(ws, sql):
    with ws.store.read() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_synthea_bundles_import_with_references_resolved(admin):
    report = admin.importer.run(admin.session, [SYNTHEA])
    assert report.skipped == 0 and report.warnings == []
    assert report.imported == count(admin, "SELECT count(*) FROM resource") == 363
    assert count(admin, "SELECT count(*) FROM resource WHERE json LIKE '%urn:uuid:%'") == 0
    assert count(admin, "SELECT count(*) FROM patient_search") == 2


def test_reimport_changes_nothing(admin):
    admin.importer.run(admin.session, [SYNTHEA])
    queued = count(admin, "SELECT count(*) FROM local_change")
    report = admin.importer.run(admin.session, [SYNTHEA])
    assert (report.imported, report.unchanged) == (0, 367)
    assert count(admin, "SELECT count(*) FROM local_change") == queued


def test_each_import_is_queued_and_audited_per_patient(admin):
    admin.importer.run(admin.session, [SYNTHEA])
    assert count(admin, "SELECT count(*) FROM local_change") == 363
    assert count(admin, "SELECT count(DISTINCT patient) FROM audit "
                        "WHERE entity LIKE 'Import/%' AND patient IS NOT NULL") == 2


@pytest.mark.parametrize("name, content, reason", [
    ("broken.json", b'{"resourceType": "Bundle", "entry": [', "not valid JSON"),
    ("empty.json", b"", "empty file"),
    ("blank.json", b"   \n", "empty file"),
    ("binary.json", bytes(range(256)) * 4, "binary file"),
    ("history.json", bundle(GOOD, kind="history"), "history Bundle is not imported"),
    ("list.json", b"[1, 2, 3]", "not a FHIR resource"),
])
def test_unreadable_files_are_named(admin, tmp_path, name, content, reason):
    report = run(admin, tmp_path, name, content)
    assert report.imported == 0 and report.skipped == 1
    assert reason in report.errors[0].reason and report.errors[0].file.endswith(name)


@pytest.mark.parametrize("bad, reason", [
    ({"resourceType": "Patient", "birthDate": "1980-13-45"}, "not a valid date"),
    ({"resourceType": "Bogus", "id": "x"}, "unknown resourceType 'Bogus'"),
    ({"resourceType": "Observation", "id": "o"}, "required element missing"),
    ({"name": "no type"}, "no resourceType"),
    ({"resourceType": "Patient", "id": "bad id!"}, "not a valid FHIR id"),
    # shapes the chart index and the inbox cannot read: refused by validation all the same
    ({"resourceType": "Observation", "id": "o", "status": "final", "code": {"text": "Hb"},
      "subject": 5}, "Observation.subject: expected an object, found a number"),
    ({"resourceType": "DiagnosticReport", "id": "d", "status": "final", "code": {"text": "FBC"},
      "result": "Observation/o"}, "DiagnosticReport.result: expected an array, found a string"),
])
def test_a_bad_entry_is_skipped_by_index_and_the_rest_imports(admin, tmp_path, bad, reason):
    report = run(admin, tmp_path, "mixed.json", bundle(GOOD, bad))
    assert report.imported == 1 and report.skipped == 1
    assert (report.errors[0].entry, reason in report.errors[0].reason) == (1, True)


MARK = "1970-01-01T00:00:00.123456789Z"


@pytest.mark.parametrize("bad, reason", [
    ({**GOOD, "id": "m", "name": [{"text": MARK}]}, "own lastUpdated marker"),
    ({**GOOD, "id": "m", "name": [{"text": MARK}], "gender": 5},
     "Patient.gender: expected a string, found a number"),
])
def test_a_record_holding_the_imports_own_marker_is_refused(admin, tmp_path, monkeypatch, bad,
                                                            reason):
    monkeypatch.setattr("app.clinical.imports.importer.marker", lambda: MARK)
    report = run(admin, tmp_path, "marked.json", bundle(GOOD, bad))
    assert (report.imported, report.skipped) == (1, 1)
    assert reason in report.errors[0].reason


def test_dangling_reference_is_kept_and_warned(admin, tmp_path):
    observation = {"resourceType": "Observation", "id": "o1", "status": "final",
                   "code": {"text": "Weight"}, "subject": {"reference": "urn:uuid:nowhere"}}
    report = run(admin, tmp_path, "dangling.json", bundle(GOOD, observation))
    assert report.imported == 2
    assert "urn:uuid:nowhere not found" in report.warnings[0].reason


def test_an_export_line_with_a_urn_among_type_id_references_has_only_the_urn_rewritten(
        admin, tmp_path):
    run(admin, tmp_path, "patient.json", orjson.dumps(GOOD))
    weight = {"resourceType": "Observation", "id": "w1", "status": "final",
              "code": {"text": "Weight"}, "subject": {"reference": "Patient/good-1"}}
    lines = [weight, {**weight, "id": "w2", "subject": {"reference": "urn:uuid:good-1"}}]
    report = run(admin, tmp_path, "export.ndjson",
                 b"".join(orjson.dumps(line) + b"\n" for line in lines))
    assert (report.imported, report.warnings) == (2, [])
    assert count(admin, "SELECT count(*) FROM resource WHERE type = 'Observation' AND "
                        "json_extract(json, '$.subject.reference') = 'Patient/good-1'") == 2


def test_ndjson_bad_line_is_named_by_line_number(admin, tmp_path):
    lines = orjson.dumps(GOOD) + b"\n{oops\n" + orjson.dumps({**GOOD, "id": "good-2"}) + b"\n"
    report = run(admin, tmp_path, "export.ndjson", lines)
    assert (report.imported, report.skipped, report.errors[0].entry) == (2, 1, 2)


def huge(pid: str) -> dict:
    div = "<div>" + "x" * (MAX_RESOURCE_BYTES + 100_000) + "</div>"
    return {**GOOD, "id": pid, "text": {"status": "generated", "div": div}}


def test_huge_resource_is_refused_in_ndjson(admin, tmp_path):
    content = orjson.dumps(huge("big")) + b"\n" + orjson.dumps(GOOD) + b"\n"
    report = run(admin, tmp_path, "big.ndjson", content)
    assert report.imported == 1 and "larger than 16 MB" in report.errors[0].reason


@pytest.mark.slow
def test_large_bundle_streams_and_refuses_its_huge_entries(admin, tmp_path):
    content = bundle(huge("big-1"), GOOD, huge("big-2"), {**GOOD, "id": "good-2"})
    assert len(content) > 32 * 1024 * 1024  # read entry by entry, not whole
    report = run(admin, tmp_path, "large.json", content)
    assert report.imported == 2
    assert [e.entry for e in report.errors] == [0, 2]


def test_missing_path_imports_nothing(admin, tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        admin.importer.run(admin.session, [SYNTHEA, tmp_path / "nope.json"])
    assert count(admin, "SELECT count(*) FROM resource") == 0


def test_only_admins_import(admin, env, store_dir):
    admin.users.add(admin.session, "nina", "Nina Nurse", "nurse", "nurse pass 1")
    nurse = open_workstation(env, store_dir, "nina", "nurse pass 1")
    with pytest.raises(PermissionDenied, match="may not import"):
        nurse.importer.run(nurse.session, [SYNTHEA])
