"""Crash safety of sync: a cycle killed with SIGKILL at any step is finished by the next one.

A real sync process (tests/sync/sync_process.py) runs against a real FHIR server and kills
itself at one point of one cycle; then an ordinary sync runs. What a user would notice is
checked: every edit made on the workstation is on the server, nothing waits in the outbox,
no conflict was invented, no patient was created twice, the deleted patient is gone, each
audit row reached the server exactly once, and the server's newest checkpoint of the audit
chain is the local chain's head (so `audit verify --server` finds nothing wrong).

The cycle starts with: Ann renamed (an update sent with If-Match), Ben's gender changed
while a colleague added his phone on the server (412, read, three-way merge, sent again),
Cal deleted (the current version read first) and Dee newly registered (a create). It makes
10 HTTP requests and 7 commits (a Bundle's answers are confirmed together), and every one is
a fault point, killed both before and after:

    HTTP 1  GET metadata                    commit 1  note_creates_sent Dee (before sending)
    HTTP 2  GET Cal (before deleting it)    commit 2  replace_with_merge Ben
    HTTP 3  POST transaction (refused 412)  commit 3  confirm Ann, Cal's delete and Dee
    HTTP 4  POST batch (Ben 412, others ok) commit 4  confirm Ben, merged
    HTTP 5  GET Ben (the colleague's edit)  commit 5  apply_remote (the pulled page)
    HTTP 6  POST transaction (merged Ben)   commit 6  mark_audit_uploaded
    HTTP 7  GET _history                    commit 7  save_audit_checkpoint
    HTTP 8  GET AuditEvent (the server's newest checkpoint, compared with the chain)
    HTTP 9  POST batch of AuditEvents
    HTTP 10 POST batch of the chain's new checkpoint

"http-before:N" dies before request N leaves, "http-after:N" once its answer has arrived
(the server did the work, the workstation never learnt of it); "commit-before:N" and
"commit-after:N" die around the N-th committing LocalSide call. "none" runs the cycle
whole and checks that it still makes exactly those requests and commits, so the list above
stays complete when the engine changes.

Every kill point runs against SEKMET, and a spread of them (every audit step, and some of
the push and pull) against Medplum, to keep the run under ten minutes on two cores.
Medplum's in-memory router keeps no history, so there the pull reads one search page per
type its CapabilityStatement lists instead of one history page, a request and a commit each;
the kill points after the pull's first page are moved by those extra pages, so each names
the same step on both servers (the pull's later pages are not killed here;
test_network_faults cuts a paged pull off mid-way).
"""

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import orjson
import pytest

from app.bootstrap import open_workstation
from sync.audit_checkpoint import CHECKPOINT_SYSTEM, read_checkpoint
from sync.audit_events import TAG_SYSTEM, audit_event_id
from tests.sync.stations import PASSWORD, patient, sync, workstation

REPO = Path(__file__).resolve().parents[2]
MRN = "urn:test:mrn"
FHIR_JSON = "application/fhir+json"
HTTP_REQUESTS, COMMITS = 10, 7
FIRST_AFTER_PULL = {"http": 8, "commit": 6}  # the steps a longer pull moves later
KILL_POINTS = ["none"] + [f"{kind}-{when}:{n}"
                          for kind, count in (("http", HTTP_REQUESTS), ("commit", COMMITS))
                          for n in range(1, count + 1) for when in ("before", "after")]
ON_MEDPLUM = ["none", "http-after:3", "http-before:4", "http-after:4", "http-after:6",
              "http-before:7", "commit-after:1", "commit-after:2", "commit-after:3",
              "commit-after:4", "commit-before:5", "commit-after:5"] + [
    point for point in KILL_POINTS if point != "none"
    and int(point.split(":")[1]) >= FIRST_AFTER_PULL[point.split("-")[0]]]
CASES = [("sekmet", point) for point in KILL_POINTS] + [("medplum", p) for p in ON_MEDPLUM]
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


def on_this_server(kill_point: str, more_pages: int) -> str:
    """The kill point that names the same step when the pull reads `more_pages` more pages."""
    if kill_point == "none":
        return kill_point
    step, n = kill_point.split(":")
    moved = int(n) >= FIRST_AFTER_PULL[step.split("-")[0]]
    return f"{step}:{int(n) + more_pages if moved else n}"


def run_sync_process(keyring_env: dict, root: Path, server, kill_point: str):
    return subprocess.run(
        [sys.executable, "-m", "tests.sync.sync_process", str(root), "pat", server.base_url,
         kill_point], cwd=REPO, env=keyring_env, capture_output=True, text=True, timeout=60)


def local_state(ws) -> tuple[int, int, dict[str, dict], list[tuple[int, int, str]]]:
    """Outbox rows, conflicts (none is resolved here, so any is new), live patients by id,
    and (seq, uploaded, hash) of each audit row. Read from the tables: reading through
    Patients would add audit rows after the upload."""
    with ws.store.read() as conn:
        sql = conn.exec_driver_sql
        return (sql("SELECT count(*) FROM local_change").scalar_one(),
                sql("SELECT count(*) FROM conflict").scalar_one(),
                {pid: orjson.loads(body) for pid, body in sql(
                    "SELECT id, json FROM resource WHERE type = 'Patient' AND deleted = 0")},
                sql("SELECT seq, uploaded, hash FROM audit ORDER BY seq").all())


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


def server_checkpoints(fhir: httpx.Client, store_id: str) -> list[tuple[int, str]]:
    """(seq, head) of each checkpoint of this store's audit chain the server holds."""
    bundle = fhir.get("AuditEvent", params={"_tag": f"{CHECKPOINT_SYSTEM}|{store_id}",
                                            "_count": "100"}).json()
    return [(checkpoint.seq, checkpoint.head) for entry in bundle.get("entry", [])
            if (checkpoint := read_checkpoint(entry["resource"]))]


def content(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if k != "meta"}


@pytest.mark.slow
@pytest.mark.parametrize("any_fhir_server, kill_point", CASES, indirect=["any_fhir_server"])
def test_a_sync_killed_at_any_step_is_finished_by_the_next_one(
        kill_point, env, keyring_session, tmp_path, any_fhir_server):
    root = tmp_path / "ws"
    ids = edits_waiting_to_sync(env, root, any_fhir_server)
    more_pages = pull_pages(any_fhir_server) - 1

    run = run_sync_process(keyring_session, root, any_fhir_server,
                           on_this_server(kill_point, more_pages))
    if kill_point == "none":
        assert run.returncode == 0, run.stderr
        counted = orjson.loads(run.stdout)
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

        assert all(uploaded for _, uploaded, _ in audit_rows), audit_rows
        checkpoints = server_checkpoints(fhir, ws.store.store_id)
        assert total(fhir, "AuditEvent") - len(checkpoints) == len(audit_rows)
        for seq, _, _ in audit_rows:
            event_id = audit_event_id(ws.store.store_id, seq)
            assert total(fhir, "AuditEvent", _tag=f"{TAG_SYSTEM}|{event_id}") == 1, seq
    newest_seq, _, newest_hash = audit_rows[-1]
    assert max(checkpoints) == (newest_seq, newest_hash)
    assert len({seq for seq, _ in checkpoints}) == len(checkpoints), checkpoints
