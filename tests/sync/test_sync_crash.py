"""Crash safety of sync: a cycle killed with SIGKILL at any step is finished by the next one.

A real sync process (tests/sync/sync_process.py) runs against a real FHIR server and kills
itself at one point of one cycle; then an ordinary sync runs. What a user would notice is
checked: every edit made on the workstation is on the server, nothing waits in the outbox,
no conflict was invented, no patient was created twice, the deleted patient is gone, and
each audit row reached the server exactly once.

The cycle starts with: Ann renamed (an update sent with If-Match), Ben's gender changed
while a colleague added his phone on the server (412, read, three-way merge, sent again),
Cal deleted (the current version read first) and Dee newly registered (a create). It makes
8 HTTP requests and 5 commits (a Bundle's answers are confirmed together), and every one is
a fault point, killed both before and after:

    HTTP 1  GET metadata                    commit 1  replace_with_merge Ben
    HTTP 2  GET Cal (before deleting it)    commit 2  confirm Ann, Cal's delete and Dee
    HTTP 3  POST transaction (refused 412)  commit 3  confirm Ben, merged
    HTTP 4  POST batch (Ben 412, others ok) commit 4  apply_remote (the pulled page)
    HTTP 5  GET Ben (the colleague's edit)  commit 5  mark_audit_uploaded
    HTTP 6  POST transaction (merged Ben)
    HTTP 7  GET _history
    HTTP 8  POST batch of AuditEvents

"http-before:N" dies before request N leaves, "http-after:N" once its answer has arrived
(the server did the work, the workstation never learnt of it); "commit-before:N" and
"commit-after:N" die around the N-th committing LocalSide call. "none" runs the cycle
whole and checks that it still makes exactly those requests and commits, so the list above
stays complete when the engine changes.

Each kill point runs against both servers. Medplum's in-memory router keeps no history, so
there the pull reads one search page per type its CapabilityStatement lists instead of one
history page, a request and a commit each: the push's requests and commits are the same, and
the later kill points fall inside the pull.
"""

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import orjson
import pytest

from app.bootstrap import open_workstation
from sync.audit_events import TAG_SYSTEM, audit_event_id
from tests.sync.stations import PASSWORD, patient, sync, workstation

REPO = Path(__file__).resolve().parents[2]
MRN = "urn:test:mrn"
FHIR_JSON = "application/fhir+json"
HTTP_REQUESTS, COMMITS = 8, 5
KILL_POINTS = ["none"] + [f"{kind}-{when}:{n}"
                          for kind, count in (("http", HTTP_REQUESTS), ("commit", COMMITS))
                          for n in range(1, count + 1) for when in ("before", "after")]
PHONE = [{"system": "phone", "value": "555-0101"}]
# What each patient must look like on the server in the end, by MRN; None: deleted.
EXPECTED = {
    "MRN-1": {"name": [{"family": "Renamed", "given": ["Ann"]}]},
    "MRN-2": {"gender": "female", "telecom": PHONE},
    "MRN-3": None,
    "MRN-4": {"name": [{"family": "Dee", "given": ["Ann"]}]},
}


def register(ws, family: str, mrn: str) -> str:
    record = patient(family, identifier=[{"system": MRN, "value": mrn}])
    return ws.patients.register(ws.session, record)["id"]


def edit(ws, pid: str, **fields) -> None:
    ws.patients.update(ws.session, {**ws.patients.get(ws.session, pid), **fields})


def colleague_edits(server, pid: str, **fields) -> None:
    """An edit made on another workstation, as it reaches the server."""
    with httpx.Client(base_url=server.base_url, timeout=10) as fhir:
        current = fhir.get(f"Patient/{pid}").json()
        answer = fhir.put(f"Patient/{pid}", json={**current, **fields}, headers={
            "Content-Type": FHIR_JSON, "If-Match": f'W/"{current["meta"]["versionId"]}"'})
        assert answer.status_code == 200, answer.text


def edits_waiting_to_sync(env, root: Path, server) -> dict[str, str]:
    """A closed store whose outbox holds an update, a merge-to-be, a delete and a create;
    the patient id of each MRN."""
    ws = workstation(env, root)
    ids = {"MRN-1": register(ws, "Ann", "MRN-1"), "MRN-2": register(ws, "Ben", "MRN-2"),
           "MRN-3": register(ws, "Cal", "MRN-3")}
    sync(ws, server)
    edit(ws, ids["MRN-1"], **EXPECTED["MRN-1"])
    edit(ws, ids["MRN-2"], gender="female")
    colleague_edits(server, ids["MRN-2"], telecom=PHONE)
    ws.patients.delete(ws.session, ids["MRN-3"], "duplicate registration")
    ids["MRN-4"] = register(ws, "Dee", "MRN-4")
    ws.store.close()
    return ids


def run_sync_process(keyring_env: dict, root: Path, server, kill_point: str):
    return subprocess.run(
        [sys.executable, "-m", "tests.sync.sync_process", str(root), "pat", server.base_url,
         kill_point], cwd=REPO, env=keyring_env, capture_output=True, text=True, timeout=60)


def local_state(ws) -> tuple[int, int, dict[str, dict], list[tuple[int, int]]]:
    """Outbox rows, conflicts (none is resolved here, so any is new), live patients by id,
    and (seq, uploaded) of each audit row. Read from the tables: reading through Patients
    would add audit rows after the upload."""
    with ws.store.read() as conn:
        sql = conn.exec_driver_sql
        return (sql("SELECT count(*) FROM local_change").scalar_one(),
                sql("SELECT count(*) FROM conflict").scalar_one(),
                {pid: orjson.loads(body) for pid, body in sql(
                    "SELECT id, json FROM resource WHERE type = 'Patient' AND deleted = 0")},
                sql("SELECT seq, uploaded FROM audit ORDER BY seq").all())


def total(fhir: httpx.Client, path: str, **params) -> int:
    answer = fhir.get(path, params={**params, "_summary": "count"})
    assert answer.status_code == 200, answer.text
    return answer.json()["total"]


def pull_pages(server) -> int:
    """Pages one pull of these few records reads: the server's history in one, else one
    search page for each type its CapabilityStatement lists."""
    if server.history:
        return 1
    statement = httpx.get(f"{server.base_url}metadata", timeout=10).json()
    return len(statement["rest"][0]["resource"])


def content(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if k != "meta"}


@pytest.mark.slow
@pytest.mark.parametrize("kill_point", KILL_POINTS)
def test_a_sync_killed_at_any_step_is_finished_by_the_next_one(
        kill_point, env, keyring_session, tmp_path, any_fhir_server):
    root = tmp_path / "ws"
    ids = edits_waiting_to_sync(env, root, any_fhir_server)

    run = run_sync_process(keyring_session, root, any_fhir_server, kill_point)
    if kill_point == "none":
        assert run.returncode == 0, run.stderr
        counted = orjson.loads(run.stdout)
        more_pages = pull_pages(any_fhir_server) - 1
        assert (counted["http"], counted["commit"]) == (
            HTTP_REQUESTS + more_pages, COMMITS + more_pages), counted
    else:
        assert run.returncode == -signal.SIGKILL, (
            f"{kill_point} was never reached: {run.stdout}{run.stderr[-2000:]}")

    ws = open_workstation(env, root, "pat", PASSWORD)
    try:
        sync(ws, any_fhir_server)
        outbox, conflicts, patients, audit_rows = local_state(ws)
    finally:
        ws.store.close()
    assert (outbox, conflicts) == (0, 0)
    assert sorted(p["identifier"][0]["value"] for p in patients.values()) == [
        mrn for mrn, fields in EXPECTED.items() if fields]

    with httpx.Client(base_url=any_fhir_server.base_url, timeout=10) as fhir:
        for mrn, fields in EXPECTED.items():
            on_server = fhir.get(f"Patient/{ids[mrn]}")
            assert total(fhir, "Patient", identifier=f"{MRN}|{mrn}") == (1 if fields else 0)
            if fields is None:
                assert on_server.status_code in (404, 410), mrn
                continue
            assert on_server.status_code == 200, mrn
            assert content(on_server.json()) == content(patients[ids[mrn]]), mrn
            assert fields.items() <= on_server.json().items(), mrn

        assert all(uploaded for _, uploaded in audit_rows), audit_rows
        assert total(fhir, "AuditEvent") == len(audit_rows)
        for seq, _ in audit_rows:
            event_id = audit_event_id(ws.store.store_id, seq)
            assert total(fhir, "AuditEvent", _tag=f"{TAG_SYSTEM}|{event_id}") == 1, seq
