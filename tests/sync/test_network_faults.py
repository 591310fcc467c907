"""A flaky network between a real store and a real FHIR server: nothing lost, nothing doubled.

Each fault is injected by `tests.sync.faults.FaultyTransport` on the named request; every
other request reaches a fresh SEKMET server. The fault points tested:

- every request, connection refused: the worker reports offline, the edit stays queued and
  goes out once the network is back;
- the CapabilityStatement read (/metadata): a 500;
- the push transaction Bundle: a timeout, a 500, a 429 with Retry-After, and the answer
  lost after the server committed (on every try for a new patient, so the cycle ends
  offline; once for an update sent with If-Match, whose retry gets 412);
- the audit trail batch Bundle: the answer lost after the server committed (the server then
  holds each row's event once, and one checkpoint of the chain, which is no row's event);
- the pull's `_history` page: a 200 that is not JSON, and JSON that is not a Bundle; and
  the third page of a paged pull refused on every try (the next cycle resumes there).
"""

import httpx
import orjson
import pytest

from app.errors import NotFound
from app.store.sync_side import StoreSyncSide
from sync.audit_checkpoint import CHECKPOINT_SYSTEM
from sync.audit_events import TAG_SYSTEM, audit_event_id
from sync.engine import SyncEngine
from sync.errors import ServerUnreachable
from sync.transport import RetryPolicy, Transport
from sync.worker import SyncWorker
from tests.sync.faults import (
    Fault,
    FaultyTransport,
    answer_lost,
    answer_with,
    audit_batch,
    every_request,
    history_page,
    metadata,
    push_bundle,
    refused,
    server_error,
    timed_out,
    too_many_requests,
)
from tests.sync.stations import patient, sync

MRN = {"system": "urn:oid:2.16.840.1.113883.19.5", "value": "MRN-4711"}


@pytest.fixture
def ws(a):
    return a


@pytest.fixture
def server(fresh_fhir_server):
    return fresh_fhir_server


@pytest.fixture
def connect(ws, server):
    """connect(faults) -> (engine for `ws` behind those faults, the sleeps it asked for).
    The list is used as given: emptying it brings the network back."""
    opened = []

    def make(faults: list[Fault], page_size: int = 500) -> tuple[SyncEngine, list[float]]:
        sleeps = []
        transport = Transport(server.base_url, policy=RetryPolicy(attempts=3),
                              sleep=sleeps.append,
                              transport=FaultyTransport(httpx.HTTPTransport(), faults))
        opened.append(transport)
        local = StoreSyncSide(ws.store, ws.session.user, str(ws.session.role))
        return SyncEngine(local, transport, page_size=page_size), sleeps
    yield make
    for transport in opened:
        transport.close()


def outbox(ws) -> list[tuple[str, str]]:
    with ws.store.read() as conn:
        return [tuple(row) for row in conn.exec_driver_sql("SELECT type, id FROM outbox")]


def local_version(ws, patient_id: str) -> str:
    with ws.store.read() as conn:
        return conn.exec_driver_sql(
            "SELECT version_id FROM resource WHERE type = 'Patient' AND id = ?",
            (patient_id,)).scalar_one()


def store_state(ws) -> tuple[list, list]:
    """The pull cursors and the versions held: what a pull would change."""
    with ws.store.read() as conn:
        return (conn.exec_driver_sql("SELECT scope, cursor FROM sync_state ORDER BY 1").all(),
                conn.exec_driver_sql("SELECT type, id, version_id FROM resource "
                                     "ORDER BY 1, 2").all())


def on_server(server, path: str, **params) -> httpx.Response:
    return httpx.get(server.base_url + path, params=params,
                     headers={"Accept": "application/fhir+json"})


def count_on_server(server, path: str, **params) -> int:
    return on_server(server, path, _summary="count", **params).json()["total"]


def patients_with_mrn(server) -> int:
    return count_on_server(server, "Patient", identifier=f"{MRN['system']}|{MRN['value']}")


def test_offline_keeps_the_patient_queued_and_sends_it_once_the_network_is_back(
        ws, connect, server):
    """A refused connection is the rural clinic's normal day: the status bar must say so in
    words, and the registration must wait in the outbox, not vanish."""
    ann = ws.patients.register(ws.session, patient("Okafor"))
    faults = [Fault(every_request, refused, times=None)]
    engine, _ = connect(faults)
    worker = SyncWorker(engine, interval_seconds=60)
    status = worker.run_once()
    assert (status.online, status.pending, status.last_success) == (False, 1, None)
    assert status.last_error.endswith(".") and "Local work is kept" in status.last_error
    assert outbox(ws) == [("Patient", ann["id"])]
    faults.clear()
    status = worker.run_once()
    assert (status.online, status.pending, status.last_error) == (True, 0, None)
    assert on_server(server, f"Patient/{ann['id']}").status_code == 200


@pytest.mark.parametrize("act", [timed_out, server_error], ids=["timeout", "500"])
def test_a_push_that_failed_in_transit_is_sent_again_and_stored_once(ws, connect, server, act):
    """A timeout or a 500 on the push is retried within the cycle; the patient reaches the
    server once, not zero times and not twice."""
    ws.patients.register(ws.session, patient("Okafor", identifier=[MRN]))
    fault = Fault(push_bundle, act)
    engine, sleeps = connect([fault])
    engine.run_once()
    assert (fault.hits, len(sleeps)) == (1, 1)
    assert outbox(ws) == []
    assert patients_with_mrn(server) == 1


def test_a_server_error_on_the_capability_read_is_retried_like_any_other(ws, connect, server):
    """/metadata is the first request after Hearth starts, often just as the server itself
    restarts: a 500 there is as transient as anywhere, and must not be reported as "not a
    FHIR server", which sends IT checking an address that is right."""
    ann = ws.patients.register(ws.session, patient("Okafor"))
    fault = Fault(metadata, server_error)
    engine, sleeps = connect([fault])
    status = SyncWorker(engine, interval_seconds=60).run_once()
    assert (fault.hits, len(sleeps), status.last_error, status.pending) == (1, 1, None, 0)
    assert on_server(server, f"Patient/{ann['id']}").status_code == 200


def test_a_busy_server_is_given_the_time_it_asks_for(ws, connect, server):
    """429 with Retry-After: 2 means wait 2 s, not the backoff's guess, then carry on."""
    ann = ws.patients.register(ws.session, patient("Okafor"))
    fault = Fault(push_bundle, too_many_requests("2"))
    engine, sleeps = connect([fault])
    engine.run_once()
    assert (fault.hits, sleeps) == (1, [2.0])
    assert outbox(ws) == []
    assert on_server(server, f"Patient/{ann['id']}").status_code == 200


def test_a_new_patient_whose_push_answers_were_all_lost_is_stored_once_and_edits_still_sync(
        ws, connect, server):
    """The server stored the patient on every try but no answer came, so the cycle ends as
    offline. The next sync must not make a second patient, and must record the server's
    version, or the next edit's If-Match would fail and stall as a conflict."""
    ann = ws.patients.register(ws.session, patient("Okafor", identifier=[MRN]))
    lost = Fault(push_bundle, answer_lost, times=3)
    engine, _ = connect([lost])
    with pytest.raises(ServerUnreachable, match="after 3 tries.*ReadError"):
        engine.run_once()
    assert patients_with_mrn(server) == 1
    engine.run_once()
    assert (outbox(ws), ws.conflicts.list(ws.session)) == ([], [])
    assert patients_with_mrn(server) == 1
    ws.patients.update(ws.session, {**ws.patients.get(ws.session, ann["id"]), "gender": "female"})
    engine.run_once()
    assert (outbox(ws), ws.conflicts.list(ws.session)) == ([], [])
    assert on_server(server, f"Patient/{ann['id']}").json()["gender"] == "female"


def test_an_update_whose_answer_was_lost_is_recognised_as_already_on_the_server(
        ws, connect, server):
    """The PUT with If-Match W/"1" made version 2, its answer was lost, and the retry gets
    412: the server holds exactly the local edit, so that is no conflict for a person."""
    ann = ws.patients.register(ws.session, patient("Okafor"))
    sync(ws, server)
    ws.patients.update(ws.session, {**ws.patients.get(ws.session, ann["id"]), "gender": "female"})
    lost = Fault(push_bundle, answer_lost)
    engine, _ = connect([lost])
    engine.run_once()
    remote = on_server(server, f"Patient/{ann['id']}").json()
    assert lost.hits == 1
    assert (outbox(ws), ws.conflicts.list(ws.session)) == ([], [])
    assert (remote["gender"], remote["meta"]["versionId"]) == ("female", "2")
    assert local_version(ws, ann["id"]) == "2"


def test_an_audit_upload_whose_answer_was_lost_stores_each_event_once(ws, connect, server):
    """An access that happened once must appear once in the central audit trail, even when
    the batch carrying it had to be sent twice."""
    ws.patients.register(ws.session, patient("Okafor"))
    lost = Fault(audit_batch, answer_lost)
    engine, _ = connect([lost])
    engine.run_once()
    with ws.store.read() as conn:
        rows = conn.exec_driver_sql("SELECT seq, uploaded FROM audit").all()
    assert lost.hits == 1
    assert {uploaded for _, uploaded in rows} == {1}
    checkpoints = count_on_server(server, "AuditEvent",
                                  _tag=f"{CHECKPOINT_SYSTEM}|{ws.store.store_id}")
    assert (count_on_server(server, "AuditEvent") - checkpoints, checkpoints) == (len(rows), 1)
    for seq, _ in rows:
        tag = f"{TAG_SYSTEM}|{audit_event_id(ws.store.store_id, seq)}"
        assert count_on_server(server, "AuditEvent", _tag=tag) == 1, seq


@pytest.mark.parametrize("content, complaint", [
    (b"<html><body>502 Bad Gateway</body></html>", "not JSON where a Bundle was expected"),
    (orjson.dumps({"resourceType": "OperationOutcome"}),
     "'OperationOutcome' where a Bundle was expected"),
], ids=["not-json", "not-a-bundle"])
def test_a_malformed_pull_answer_is_reported_and_changes_nothing(
        ws, connect, server, content, complaint):
    """A proxy's error page or a wrong resource in place of the history Bundle must be named
    in the status bar, and must not move the cursor past changes never received."""
    sync(ws, server)
    httpx.put(f"{server.base_url}Patient/from-elsewhere",
              json={**patient("Mensah"), "id": "from-elsewhere"}).raise_for_status()
    before = store_state(ws)
    fault = Fault(history_page, answer_with(content))
    engine, _ = connect([fault])
    status = SyncWorker(engine, interval_seconds=60).run_once()
    assert fault.hits == 1
    assert status.last_error.startswith("Unexpected answer from the server: ")
    assert complaint in status.last_error and "_history" in status.last_error
    assert store_state(ws) == before
    with pytest.raises(NotFound):
        ws.patients.get(ws.session, "from-elsewhere")


def test_a_pull_cut_off_mid_way_resumes_at_the_page_where_it_stopped(ws, connect, server):
    """A rural link drops during a long first pull: what arrived is kept, and the next cycle
    carries on from the saved next-page link instead of starting over."""
    ids = [f"resume-{n}" for n in range(5)]
    for pid in ids:
        httpx.put(f"{server.base_url}Patient/{pid}",
                  json={**patient(f"Fam{pid}"), "id": pid}).raise_for_status()
    third_page = Fault(lambda r: history_page(r) and "_offset=4" in str(r.url), refused,
                       times=3)
    engine, _ = connect([third_page], page_size=2)
    assert SyncWorker(engine, interval_seconds=60).run_once().online is False
    assert [pid for pid in ids if store_has(ws, pid)] == ids[1:]  # two pages, newest first
    asked = []
    engine, _ = connect([Fault(lambda r: history_page(r) and not asked.append(str(r.url)),
                               lambda request, forward: forward(request), times=None)],
                        page_size=2)
    assert SyncWorker(engine, interval_seconds=60).run_once().last_error is None
    assert "_offset=4" in asked[0]
    assert all(store_has(ws, pid) for pid in ids)


def store_has(ws, patient_id: str) -> bool:
    with ws.store.read() as conn:
        return conn.exec_driver_sql("SELECT 1 FROM resource WHERE id = ?",
                                    (patient_id,)).first() is not None
