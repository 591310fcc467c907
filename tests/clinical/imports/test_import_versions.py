"""Which version of a record an import keeps: the newest within a file, never two servers'
records merged into one, and never an older file over what was edited here or is newer."""

import orjson
import pytest
from sqlalchemy import text

from app.clinical.imports.importer import Importer
from app.clinical.sync.conflict_diff import reason_text
from app.store.resources import store_server_versions
from tests.conftest import SYNTHEA, sign_in

CHAUNCEY = SYNTHEA / "Chauncey_Johnston_f4673866-81fb-411a-8486-0c27f2a5b480.json"
PATIENT_ID = "2a3d4d46-512f-480f-8eb9-5a11ef3b2176"
OSTEOARTHRITIS = "146bf71b-6abe-4bc3-b891-7986a6f014a2"


def patient(pid: str, family: str, version: str | None = None, updated: str | None = None):
    meta = {k: v for k, v in (("versionId", version), ("lastUpdated", updated)) if v}
    return {"resourceType": "Patient", "id": pid, "name": [{"family": family}],
            **({"meta": meta} if meta else {})}


def write(tmp_path, name: str, entries: list[dict]):
    path = tmp_path / name
    path.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                   "entry": entries}))
    return path


def stored(ws, kind: str, rid: str) -> dict | None:
    with ws.store.read() as conn:
        body = conn.execute(text("SELECT json FROM resource WHERE type = :t AND id = :i"),
                            {"t": kind, "i": rid}).scalar_one_or_none()
    return body and orjson.loads(body)


def outbox(ws, *ids: str) -> int:
    """Rows waiting for upload (of these records only, if given)."""
    where = f"WHERE id IN ({', '.join(repr(i) for i in ids)})" if ids else ""
    with ws.store.read() as conn:
        return conn.execute(text(f"SELECT count(*) FROM outbox {where}")).scalar_one()


@pytest.mark.parametrize("batch", [5000, 1], ids=["one batch", "a batch each"])
@pytest.mark.parametrize("first, second, kept", [
    (("Old", "1", None), ("New", "2", None), "New"),  # a later, newer version
    (("New", "2", None), ("Old", "1", None), "New"),  # a later, older one
    (("Old", None, "2024-01-01T00:00:00Z"), ("New", None, "2024-06-01T00:00:00+02:00"), "New"),
    (("New", None, "2024-06-01T00:00:00Z"), ("Old", None, "2024-01-01T00:00:00Z"), "New"),
    (("First", "1", None), ("Second", "1", None), "Second"),  # equal: the later entry
])
def test_the_newest_version_in_a_file_is_kept_and_the_report_says_so(admin, tmp_path, first,
                                                                     second, kept, batch):
    """The same whether the two entries fall in one batch or the first is written already."""
    path = write(tmp_path, "versions.json", [{"resource": patient("p1", *first)},
                                             {"resource": patient("p1", *second)}])
    report = Importer(admin.store, batch_size=batch).run(admin.session, [path])
    assert stored(admin, "Patient", "p1")["name"] == [{"family": kept}]
    assert report.skipped == 0
    assert [w.reason for w in report.warnings if "Patient/p1" in w.reason] == [
        f"Patient/p1 appears in entries 0 and 1; kept entry {0 if kept == first[0] else 1}, "
        f"the {'later' if first[1:] == second[1:] else 'newer'} version"]


@pytest.mark.parametrize("batch", [5000, 1], ids=["one batch", "a batch each"])
def test_a_newer_version_the_file_gets_wrong_leaves_the_valid_one(admin, tmp_path, batch):
    broken = {**patient("p1", "New", "2"), "birthDate": "last spring"}
    path = write(tmp_path, "versions.json", [{"resource": patient("p1", "Old", "1")},
                                             {"resource": broken}])
    report = Importer(admin.store, batch_size=batch).run(admin.session, [path])
    assert stored(admin, "Patient", "p1")["name"] == [{"family": "Old"}]
    assert (report.imported, report.skipped, report.warnings) == (1, 1, [])
    assert report.errors[0].entry == 1 and "birthDate" in report.errors[0].reason


def test_the_very_same_record_twice_in_a_file_is_simply_there(admin, tmp_path):
    path = write(tmp_path, "twice.json", [{"resource": patient("p1", "Same", "1")}] * 2)
    report = admin.importer.run(admin.session, [path])
    assert (report.imported, report.unchanged, report.warnings) == (1, 1, [])


def test_a_newer_version_after_the_older_was_written_still_wins(admin, tmp_path):
    """Entries are written in batches: the older version may already be in the store."""
    lines = [patient("p1", "Old", "1"), patient("p2", "Other", "1"), patient("p1", "New", "2"),
             patient("p2", "Older", "0"), patient("p3", "Third")]
    path = tmp_path / "export.ndjson"
    path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in lines))
    report = Importer(admin.store, batch_size=2).run(admin.session, [path])
    assert stored(admin, "Patient", "p1")["name"] == [{"family": "New"}]
    assert stored(admin, "Patient", "p2")["name"] == [{"family": "Other"}]
    assert (report.imported, report.kept) == (4, 1)  # p1 twice, p2 and p3; p2's older one
    assert [(w.entry, w.reason) for w in report.warnings] == [  # entries: lines
        (3, "Patient/p1 appears in entries 1 and 3; kept entry 3, the newer version"),
        (4, "Patient/p2 appears in entries 2 and 4; kept entry 2, the newer version")]


def test_two_servers_records_with_the_same_id_are_not_merged(admin, tmp_path):
    a, b = "http://a.example/fhir", "http://b.example/fhir"
    weight = {"resourceType": "Observation", "status": "final", "code": {"text": "Weight"}}
    path = write(tmp_path, "two-servers.json", [
        {"fullUrl": f"{a}/Patient/1", "resource": patient("1", "Adams")},
        {"fullUrl": f"{b}/Patient/1", "resource": patient("1", "Baker")},
        {"fullUrl": f"{b}/Observation/o1",
         "resource": {**weight, "id": "o1", "subject": {"reference": f"{b}/Patient/1"}}},
        {"fullUrl": f"{b}/Observation/o2",
         "resource": {**weight, "id": "o2", "subject": {"reference": "Patient/1"}}},
        {"fullUrl": f"{a}/Observation/o3",
         "resource": {**weight, "id": "o3", "subject": {"reference": "Patient/1"}}},
    ])
    report = admin.importer.run(admin.session, [path])
    assert (report.imported, report.skipped) == (5, 0)
    [note] = [w for w in report.warnings if "Baker" in w.reason or "b.example" in w.reason]
    baker_id = note.reason.split("imported as Patient/")[1].split(";")[0]
    assert note.entry == 1 and note.reason == (
        f"Patient/1 of {b} is not Patient/1 of {a}: imported as Patient/{baker_id}; "
        "references to it follow")
    assert stored(admin, "Patient", "1")["name"] == [{"family": "Adams"}]
    assert stored(admin, "Patient", baker_id)["name"] == [{"family": "Baker"}]
    subjects = {o: stored(admin, "Observation", o)["subject"]["reference"]
                for o in ("o1", "o2", "o3")}
    assert subjects == {"o1": f"Patient/{baker_id}", "o2": f"Patient/{baker_id}",
                        "o3": "Patient/1"}


def older_export(tmp_path, form: str):
    """Chauncey's bundle as another system would export it again: every resource as it was,
    as NDJSON or a collection Bundle (no POST requests to protect what is stored)."""
    entries = orjson.loads(CHAUNCEY.read_bytes())["entry"]
    if form == "ndjson":
        path = tmp_path / "older.ndjson"
        path.write_bytes(b"".join(orjson.dumps(e["resource"]) + b"\n" for e in entries))
        return path
    return write(tmp_path, "older.json", [{k: v for k, v in e.items() if k != "request"}
                                          for e in entries])


@pytest.fixture
def edited(admin, env, store_dir):
    """Synthea imported, then a nurse changed Chauncey's phone and resolved a problem."""
    admin.importer.run(admin.session, [SYNTHEA])
    nurse = sign_in(admin, env, store_dir, "nina", "nurse")
    chauncey = nurse.patients.get(nurse.session, PATIENT_ID)
    nurse.patients.update(nurse.session, {**chauncey, "telecom": [
        {"system": "phone", "value": "555-0199", "use": "mobile"}]})
    nurse.problems.resolve(nurse.session, OSTEOARTHRITIS, "Knee replaced")
    yield nurse
    nurse.store.close()


def edits_survive(ws) -> tuple[str, str]:
    phone = stored(ws, "Patient", PATIENT_ID)["telecom"][0]["value"]
    status = stored(ws, "Condition", OSTEOARTHRITIS)["clinicalStatus"]["coding"][0]["code"]
    return phone, status


@pytest.mark.parametrize("form", ["ndjson", "collection"])
def test_reimporting_an_older_export_keeps_the_edits_made_here(admin, edited, tmp_path, form):
    queued = outbox(admin, PATIENT_ID, OSTEOARTHRITIS)
    report = admin.importer.run(admin.session, [older_export(tmp_path, form)])
    assert edits_survive(admin) == ("555-0199", "resolved")
    # nothing queued that would revert them on the server
    assert outbox(admin, PATIENT_ID, OSTEOARTHRITIS) == queued
    assert (report.kept, report.conflicts, report.skipped) == (2, 0, 0)
    assert "2 older than the version kept" in report.summary()
    assert any(w.reason == f"Patient/{PATIENT_ID} was edited here since this version; "
               "kept the edited one" for w in report.warnings)


def test_a_different_version_of_a_record_edited_here_is_held_as_a_conflict(admin, edited,
                                                                           tmp_path):
    moved = {**orjson.loads(CHAUNCEY.read_bytes())["entry"][0]["resource"],
             "address": [{"city": "Springfield"}]}
    queued = outbox(admin)
    report = admin.importer.run(admin.session, [write(tmp_path, "moved.json",
                                                      [{"resource": moved}])])
    assert (report.imported, report.conflicts) == (0, 1)
    assert edits_survive(admin)[0] == "555-0199" and outbox(admin) == queued
    [conflict] = edited.conflicts.list(edited.session)
    assert (conflict.kind, conflict.reference) == ("edit", f"Patient/{PATIENT_ID}")
    assert conflict.local["telecom"][0]["value"] == "555-0199"
    assert conflict.remote["address"] == [{"city": "Springfield"}]
    assert "held as a conflict" in report.warnings[0].reason
    assert report.summary() == ("Imported 0 resources, 0 already there, 1 held as a conflict "
                                "with edits made here, 0 skipped.")


@pytest.mark.parametrize("keep", ["local", "remote"])
def test_a_conflict_with_an_imported_version_is_resolved_per_field_and_sent(
        admin, edited, tmp_path, keep):
    moved = {**orjson.loads(CHAUNCEY.read_bytes())["entry"][0]["resource"],
             "address": [{"city": "Springfield"}],
             "telecom": [{"system": "phone", "value": "555-0100"}]}
    admin.importer.run(admin.session, [write(tmp_path, "moved.json", [{"resource": moved}])])
    [conflict] = edited.conflicts.list(edited.session)
    assert reason_text(conflict).startswith("Changed here and in the imported file: telecom")

    edited.conflicts.resolve(edited.session, conflict.id, keep)

    record = stored(admin, "Patient", PATIENT_ID)
    phone = {"local": "555-0199", "remote": "555-0100"}[keep]
    assert (record["telecom"][0]["value"], record["address"]) == (
        phone, [{"city": "Springfield"}])  # the file's other change is kept either way
    with admin.store.read() as conn:  # queued for the server, held by nothing
        assert conn.execute(text("SELECT count(*) FROM outbox WHERE id = :id AND "
                                 "held_by IS NULL"), {"id": PATIENT_ID}).scalar_one() >= 1
    assert edited.conflicts.list(edited.session) == []


def test_an_older_version_never_replaces_a_newer_stored_one(admin, tmp_path):
    with admin.store.write() as conn:  # version 3 came from the server
        store_server_versions(conn, [(patient("p1", "Current", "3"), "3",
                                      "2024-03-01T00:00:00Z")])
    report = admin.importer.run(admin.session, [
        write(tmp_path, "old.json", [{"resource": patient("p1", "Stale", "2")}])])
    assert stored(admin, "Patient", "p1")["name"] == [{"family": "Current"}]
    assert (report.kept, outbox(admin)) == (1, 0)
    assert report.warnings[0].reason == ("Patient/p1: the stored version is newer "
                                         "(version 3 over 2); kept it")


def test_a_newer_version_replaces_a_stored_one_not_edited_here(admin, tmp_path):
    with admin.store.write() as conn:
        store_server_versions(conn, [(patient("p1", "Current", "3"), "3",
                                      "2024-03-01T00:00:00Z")])
    report = admin.importer.run(admin.session, [
        write(tmp_path, "new.json", [{"resource": patient("p1", "Newer", "4")}])])
    assert stored(admin, "Patient", "p1")["name"] == [{"family": "Newer"}]
    assert (report.imported, outbox(admin)) == (1, 1)
