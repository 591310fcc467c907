"""The sync engine against a real FHIR server, beyond what two workstations show.

A refused record set aside, an edit made mid-upload, each way of resolving a conflict,
delete against edit, the pull cursor, one clinic's scope, a server without history, the
background worker and a large outbox. Each test has an empty server of its own, so what
reaches the server can be counted; wire-level tricks wrap the real HTTP transport.
"""

import queue
import re
import socket
import time
import uuid

import httpx
import orjson
import pytest

from app.bootstrap import SyncSettings, open_workstation
from app.errors import InvalidRecord, PermissionDenied
from app.store.resources import put_resource
from app.store.sync_side import StoreSyncSide
from sync.engine import SyncEngine
from sync.push import Pusher
from sync.transport import Transport
from sync.worker import SyncWorker
from tests.sync.stations import PASSWORD, patient, sync, workstation

ADMIN_PASSWORD = "admin pass 12"  # what stations.workstation gives each store's admin


def stored_unchecked(ws, resource: dict) -> dict:
    """A record as an older Hearth or a lax import may have left it in a store: written as
    it is, past the checks the services make today (the server still refuses it)."""
    resource = {**resource, "id": resource.get("id") or str(uuid.uuid4())}
    with ws.store.write() as conn:
        put_resource(conn, resource, ws.session.user, "2026-01-01T00:00:00+00:00")
    return resource


def on_server(server, reference: str) -> dict | None:
    response = httpx.get(server.base_url + reference)
    return response.json() if response.status_code == 200 else None


def outbox(ws) -> list[tuple]:
    """(resource id, held_by) of each outbox row, oldest first."""
    with ws.store.read() as conn:
        return conn.exec_driver_sql("SELECT id, held_by FROM outbox ORDER BY seq").all()


def audit_details(ws) -> list[str]:
    with ws.store.read() as conn:
        return conn.exec_driver_sql("SELECT detail FROM audit ORDER BY seq").scalars().all()


def engine_for(ws, base_url: str, **transport_options) -> SyncEngine:
    """The engine ws.sync_engine builds, with transport options of the test's choosing."""
    return SyncEngine(StoreSyncSide(ws.store, ws.session.user, str(ws.session.role)),
                      Transport(base_url, **transport_options))


def sync_through(ws, server, wire: httpx.BaseTransport):
    """One cycle whose HTTP goes through `wire` (which forwards to the real server)."""
    engine = engine_for(ws, server.base_url, transport=wire)
    try:
        return engine.run_once()
    finally:
        engine.transport.close()


def birth_date_clash(a, b, server):
    """The same patient's birth date corrected differently on A and B; B's conflict."""
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, server)
    sync(b, server)
    a.patients.update(a.session, {**a.patients.get(a.session, ann["id"]),
                                  "birthDate": "1980-03-15"})
    b.patients.update(b.session, {**b.patients.get(b.session, ann["id"]),
                                  "birthDate": "1981-03-14"})
    sync(a, server)
    sync(b, server)
    [conflict] = b.conflicts.list(b.session)
    return conflict


# -- a record the server refuses (fhircore #2775) ---------------------------------------


def test_a_record_the_server_refuses_is_set_aside_and_the_rest_still_goes(
        a, fresh_fhir_server):
    """One bad record must not block a clinic's whole upload, nor be retried for ever."""
    good = [a.patients.register(a.session, patient(name)) for name in ("Okafor", "Mensah")]
    bad = stored_unchecked(a, patient("Bello", birthDate="someday"))
    report = sync(a, fresh_fhir_server)
    assert report.pushed.sent == 2
    assert all(on_server(fresh_fhir_server, f"Patient/{p['id']}") for p in good)
    assert on_server(fresh_fhir_server, f"Patient/{bad['id']}") is None
    [conflict] = a.conflicts.list(a.session)
    assert (conflict.kind, conflict.resource_id) == ("rejected", bad["id"])
    assert "Date value string does not match" in conflict.reason  # the server's own words
    assert [held for _, held in outbox(a)] == [conflict.id]
    assert sync(a, fresh_fhir_server).pushed.round_trips == 0  # not sent again

    a.conflicts.resolve(a.session, conflict.id, "merged",
                        merged={**conflict.local, "birthDate": "1980-03-14"})
    sync(a, fresh_fhir_server)
    assert on_server(fresh_fhir_server, f"Patient/{bad['id']}")["birthDate"] == "1980-03-14"
    assert outbox(a) == [] and a.conflicts.list(a.session) == []


def test_keeping_the_servers_version_of_a_refused_edit_restores_it_locally(
        a, fresh_fhir_server):
    """A refused edit of a record the server holds can be dropped: the server's stands."""
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, fresh_fhir_server)
    stored_unchecked(a, {**ann, "birthDate": "someday"})
    sync(a, fresh_fhir_server)
    [conflict] = a.conflicts.list(a.session)
    a.conflicts.resolve(a.session, conflict.id, "remote")
    assert a.patients.get(a.session, ann["id"])["birthDate"] == "1980-03-14"
    assert outbox(a) == []
    assert sync(a, fresh_fhir_server).pushed.round_trips == 0


def test_keeping_the_local_version_of_a_refused_record_sends_it_once_more(
        a, fresh_fhir_server):
    """"Keep local" is a deliberate retry (the server may since accept it), not a no-op."""
    bad = stored_unchecked(a, patient("Bello", birthDate="someday"))
    sync(a, fresh_fhir_server)
    [conflict] = a.conflicts.list(a.session)
    a.conflicts.resolve(a.session, conflict.id, "local")
    report = sync(a, fresh_fhir_server)
    assert report.pushed.set_aside and report.pushed.set_aside[0].startswith(
        f"Patient/{bad['id']}: ")
    assert [c.kind for c in a.conflicts.list(a.session)] == ["rejected"]


# -- an edit made while the upload is on the wire (Android FHIR SDK #2432) ---------------


class EditDuringUpload(httpx.HTTPTransport):
    """Runs `edit` (a person typing, on another connection) while the first Bundle is sent."""

    def __init__(self, edit):
        super().__init__()
        self._edit = edit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and self._edit is not None:
            edit, self._edit = self._edit, None
            edit()
        return super().handle_request(request)


def test_an_edit_made_during_the_upload_is_not_lost(a, fresh_fhir_server):
    """The server's answer confirms only what was sent: the edit typed meanwhile is neither
    overwritten by that answer nor dropped from the outbox, and goes in a second Bundle."""
    ann = a.patients.register(a.session, patient("Okafor"))
    report = sync_through(a, fresh_fhir_server, EditDuringUpload(
        lambda: a.patients.update(a.session, {**ann, "gender": "female"})))
    assert a.patients.get(a.session, ann["id"])["gender"] == "female"
    on_record = on_server(fresh_fhir_server, f"Patient/{ann['id']}")
    assert (on_record["gender"], on_record["meta"]["versionId"]) == ("female", "2")
    assert (report.pushed.sent, report.pushed.round_trips) == (2, 2)
    assert outbox(a) == []


# -- resolving conflicts ----------------------------------------------------------------


def test_keeping_the_servers_version_replaces_the_local_edit_and_says_so(
        a, b, fresh_fhir_server):
    """The local edit is given up on purpose, so it leaves the outbox and the audit trail
    records whose choice that was."""
    conflict = birth_date_clash(a, b, fresh_fhir_server)
    b.conflicts.resolve(b.session, conflict.id, "remote")
    assert b.patients.get(b.session, conflict.resource_id)["birthDate"] == "1980-03-15"
    assert outbox(b) == []
    assert f"sync conflict {conflict.id} resolved: kept remote" in audit_details(b)
    assert sync(b, fresh_fhir_server).pushed.round_trips == 0


def test_a_merged_version_written_by_a_person_reaches_the_other_workstation(
        a, b, fresh_fhir_server):
    """A person's own version wins over both sides, and a decision is taken only once."""
    conflict = birth_date_clash(a, b, fresh_fhir_server)
    merged = {"resourceType": "Patient", "id": conflict.resource_id,  # as in a file: no meta
              "name": [{"family": "Okafor", "given": ["Ann"]}], "birthDate": "1980-06-01"}
    b.conflicts.resolve(b.session, conflict.id, "merged", merged=merged)
    sync(b, fresh_fhir_server)
    sync(a, fresh_fhir_server)
    assert a.patients.get(a.session, conflict.resource_id)["birthDate"] == "1980-06-01"
    with pytest.raises(InvalidRecord, match=f"Conflict {conflict.id} was already resolved "
                                            "by pat .* \\(kept merged\\)"):
        b.conflicts.resolve(b.session, conflict.id, "local")


def test_front_desk_may_resolve_a_patient_conflict_and_billing_may_not(
        env, tmp_path, a, fresh_fhir_server):
    """Whoever may edit a registration may settle it; billing only reads demographics."""
    desk = workstation(env, tmp_path / "desk", name="fran", role="front-desk")
    admin = open_workstation(env, tmp_path / "desk", "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, "bill", "Bill", "billing", PASSWORD)
    admin.store.close()
    billing = open_workstation(env, tmp_path / "desk", "bill", PASSWORD)
    try:
        conflict = birth_date_clash(a, desk, fresh_fhir_server)
        assert billing.conflicts.list(billing.session) == []
        with pytest.raises(PermissionDenied):
            billing.conflicts.resolve(billing.session, conflict.id, "remote")
        assert desk.conflicts.resolve(desk.session, conflict.id, "local").resolved_by == "fran"
    finally:
        billing.store.close()
        desk.store.close()


# -- delete against edit ----------------------------------------------------------------


def test_an_edit_of_a_patient_deleted_elsewhere_is_kept_and_can_be_restored(
        a, b, fresh_fhir_server):
    """Nothing typed is lost: B's edit waits as a conflict and "local" brings it back."""
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    a.patients.delete(a.session, ann["id"], "thought to be a duplicate")
    sync(a, fresh_fhir_server)
    b.patients.update(b.session, {**b.patients.get(b.session, ann["id"]),
                                  "telecom": [{"system": "phone", "value": "555-0101"}]})
    assert sync(b, fresh_fhir_server).pushed.conflicts == 1
    [conflict] = b.conflicts.list(b.session)
    assert conflict.kind == "deleted"
    assert b.patients.get(b.session, ann["id"])["telecom"][0]["value"] == "555-0101"

    b.conflicts.resolve(b.session, conflict.id, "local")
    sync(b, fresh_fhir_server)
    assert on_server(fresh_fhir_server, f"Patient/{ann['id']}")["telecom"][0]["value"] == \
        "555-0101"
    sync(a, fresh_fhir_server)
    assert a.patients.get(a.session, ann["id"])["telecom"][0]["value"] == "555-0101"


# -- pulling ----------------------------------------------------------------------------


def test_the_pull_cursor_is_a_utc_instant_and_nothing_is_applied_twice(
        a, b, fresh_fhir_server):
    """Servers compare `_since` as text, so the cursor is UTC with milliseconds; the overlap
    window brings versions again, which must not be stored (or audited) twice."""
    a.patients.register(a.session, patient("Okafor"))
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    with b.store.read() as conn:
        [(scope, cursor)] = conn.exec_driver_sql("SELECT scope, cursor FROM sync_state").all()
    assert scope.startswith(f"server={fresh_fhir_server.base_url};") and scope.endswith(
        "|history")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
                        orjson.loads(cursor)["since"])
    received = [d for d in audit_details(b) if (d or "").startswith("received from the server")]
    assert len(received) == 1
    sync(b, fresh_fhir_server)  # within the overlap window: the same version comes again
    assert [d for d in audit_details(b) if (d or "").startswith("received from the server")
            ] == received


def cursor_since(ws) -> str:
    with ws.store.read() as conn:
        return orjson.loads(conn.exec_driver_sql("SELECT cursor FROM sync_state").scalar_one(
        ))["since"]


def test_an_idle_workstation_keeps_up_with_the_server_clock(a, fresh_fhir_server):
    """The audit events each cycle uploads, and a quiet server, must not make every later
    cycle read the same stretch of history again (it would grow without end)."""
    a.patients.register(a.session, patient("Okafor"))
    sync(a, fresh_fhir_server)
    sync(a, fresh_fhir_server)
    first = cursor_since(a)
    time.sleep(2.1)  # the server's Date header counts whole seconds, and may lag one
    assert sync(a, fresh_fhir_server).pulled.received == 0
    assert cursor_since(a) > first


def test_a_clinic_pulls_only_its_own_patients_and_their_observations(a, fresh_fhir_server):
    """A clinic's computer holds its own patients' charts, not the whole region's."""
    for clinic in ("clinic-a", "clinic-b"):
        resources = [
            {"resourceType": "Organization", "id": clinic, "name": clinic.title()},
            {**patient(clinic.title()), "id": f"pt-{clinic}",
             "managingOrganization": {"reference": f"Organization/{clinic}"}},
            {"resourceType": "Observation", "id": f"obs-{clinic}", "status": "final",
             "code": {"text": "Body weight"}, "subject": {"reference": f"Patient/pt-{clinic}"},
             "valueQuantity": {"value": 70, "unit": "kg"}}]
        for resource in resources:
            httpx.put(f"{fresh_fhir_server.base_url}{resource['resourceType']}/"
                      f"{resource['id']}", json=resource).raise_for_status()
    engine = a.sync_engine(SyncSettings(fresh_fhir_server.base_url,
                                        organization="Organization/clinic-a"))
    try:
        engine.run_once()
    finally:
        engine.transport.close()
    with a.store.read() as conn:
        held = set(conn.exec_driver_sql(
            "SELECT type, id FROM resource WHERE deleted = 0 AND type IN "
            "('Patient', 'Observation')").all())
    assert held == {("Patient", "pt-clinic-a"), ("Observation", "obs-clinic-a")}


class WithoutHistory(httpx.HTTPTransport):
    """The real server, but its CapabilityStatement offers no `_history`; paths are kept."""

    def __init__(self):
        super().__init__()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        response = super().handle_request(request)
        if not request.url.path.endswith("/metadata"):
            return response
        statement = orjson.loads(response.read())
        for rest in statement["rest"]:
            rest["interaction"] = _without(rest.get("interaction", []), "history-system")
            for kind in rest.get("resource", []):
                kind["interaction"] = _without(kind.get("interaction", []), "history-type")
        return httpx.Response(200, headers={"Content-Type": "application/fhir+json"},
                              content=orjson.dumps(statement))


def _without(interactions: list[dict], code: str) -> list[dict]:
    return [i for i in interactions if i.get("code") != code]


def test_a_server_without_history_is_pulled_by_last_updated_search(a, b, fresh_fhir_server):
    """History is optional in FHIR; without it, new and changed records still arrive."""
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, fresh_fhir_server)
    wire = WithoutHistory()
    sync_through(b, fresh_fhir_server, wire)
    assert b.patients.get(b.session, ann["id"])["name"][0]["family"] == "Okafor"
    a.patients.update(a.session, {**a.patients.get(a.session, ann["id"]), "gender": "female"})
    sync(a, fresh_fhir_server)
    sync_through(b, fresh_fhir_server, wire)
    assert b.patients.get(b.session, ann["id"])["gender"] == "female"
    assert not any("_history" in path for path in wire.paths)


# -- the background worker --------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_worker_reports_an_unreachable_server_as_offline_in_a_sentence(a):
    """The status bar says offline, how much waits, and why, in words; nothing is raised."""
    a.patients.register(a.session, patient("Okafor"))
    port = closed_port()
    engine = engine_for(a, f"http://127.0.0.1:{port}/fhir/",
                        sleep=lambda seconds: None)  # the retries, without their waits
    try:
        status = SyncWorker(engine, interval_seconds=60).run_once()
    finally:
        engine.transport.close()
    assert (status.online, status.pending, status.last_success) == (False, 1, None)
    assert f"127.0.0.1:{port}" in status.last_error and "Local work is kept" in status.last_error
    assert status.last_error[0].isupper() and status.last_error.endswith(".")


def test_the_worker_syncs_in_the_background_when_asked(a, fresh_fhir_server):
    """The UI's "Sync now" wakes the background worker, which reports back when done."""
    statuses = queue.Queue()
    engine = a.sync_engine(SyncSettings(fresh_fhir_server.base_url))
    worker = SyncWorker(engine, interval_seconds=3600, on_status=statuses.put)
    worker.start()
    try:
        assert statuses.get(timeout=30).online is True  # the first cycle runs at once
        ann = a.patients.register(a.session, patient("Okafor"))
        worker.sync_now()
        status = statuses.get(timeout=30)
    finally:
        worker.stop()
        engine.transport.close()
    assert (status.online, status.pending, status.last_error) == (True, 0, None)
    assert on_server(fresh_fhir_server, f"Patient/{ann['id']}") is not None


# -- volume -----------------------------------------------------------------------------


def test_a_large_outbox_goes_in_bundles_of_a_hundred(a, fresh_fhir_server):
    """A day's registrations after a week offline go in a few requests, not hundreds."""
    for n in range(250):
        a.patients.register(a.session, patient(f"Family{n}"))
    report = sync(a, fresh_fhir_server)
    assert (report.pushed.sent, report.pushed.round_trips) == (250, 3)
    assert httpx.get(f"{fresh_fhir_server.base_url}Patient?_count=1").json()["total"] == 250
    assert outbox(a) == []


def test_the_servers_answers_to_a_bundle_are_stored_in_one_write(
        a, fresh_fhir_server, monkeypatch):
    """One write transaction per accepted record made the client the limit of a push."""
    for n in range(40):
        a.patients.register(a.session, patient(f"Family{n}"))
    engine = engine_for(a, fresh_fhir_server.base_url)
    caps = engine.capabilities()
    writes = []
    write = a.store.write
    monkeypatch.setattr(a.store, "write", lambda: writes.append(1) or write())
    try:
        report = Pusher(engine.local, engine.transport, caps).push()
    finally:
        engine.transport.close()
    # One write notes the creates as sent before the Bundle leaves, one stores the answers.
    assert (report.sent, len(writes), outbox(a)) == (40, 2, [])
