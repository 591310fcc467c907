"""A new record whose upload reached the server but whose answer never came back.

FHIR R4 has no create-only PUT: sending the create again would overwrite whatever a
colleague changed on the server meanwhile, with no conflict shown. Each test loses the
answer to the push Bundle at the transport (the server stores the patient; the workstation
never learns it), lets a colleague act on the server, then syncs again, against SEKMET and
against Medplum.
"""

import httpx
import pytest

from app.store.sync_side import StoreSyncSide
from fhir_common import fhir_json
from sync.engine import SyncEngine
from sync.errors import ServerUnreachable
from sync.transport import RetryPolicy, Transport
from tests.sync.faults import Fault, FaultyTransport, answer_lost, push_bundle
from tests.sync.stations import patient, sync

LEEDS = [{"city": "Leeds"}]


@pytest.fixture
def lost_create(a, any_fhir_server):
    """A patient registered on A whose create reached the server, the answer lost; its id."""
    pid = a.patients.register(a.session, patient("Okafor"))["id"]
    transport = Transport(any_fhir_server.base_url, policy=RetryPolicy(attempts=1),
                          sleep=lambda seconds: None,
                          transport=FaultyTransport(httpx.HTTPTransport(),
                                                    [Fault(push_bundle, answer_lost)]))
    engine = SyncEngine(StoreSyncSide(a.store, a.session.user, str(a.session.role)), transport)
    with pytest.raises(ServerUnreachable):
        engine.run_once()
    transport.close()
    assert server_copy(any_fhir_server, pid)["id"] == pid
    return pid


def server_copy(server, pid: str) -> dict:
    return httpx.get(f"{server.base_url}Patient/{pid}").json()


def colleague_edits(server, pid: str, **fields) -> None:
    current = server_copy(server, pid)
    answer = httpx.put(f"{server.base_url}Patient/{pid}",
                       content=fhir_json.dumps({**current, **fields}),
                       headers={"Content-Type": "application/fhir+json",
                                "If-Match": f'W/"{current["meta"]["versionId"]}"'})
    assert answer.status_code == 200, answer.text


def test_the_create_is_not_sent_again_when_the_server_already_has_it(a, any_fhir_server,
                                                                     lost_create):
    version = server_copy(any_fhir_server, lost_create)["meta"]["versionId"]
    sync(a, any_fhir_server)
    assert server_copy(any_fhir_server, lost_create)["meta"]["versionId"] == version
    assert a.patients.get(a.session, lost_create)["meta"]["versionId"] == version
    assert a.conflicts.list(a.session) == []


def test_a_colleagues_edit_made_since_is_kept_and_reaches_this_workstation(
        a, any_fhir_server, lost_create):
    colleague_edits(any_fhir_server, lost_create, address=LEEDS)
    sync(a, any_fhir_server)
    assert server_copy(any_fhir_server, lost_create)["address"] == LEEDS
    assert a.patients.get(a.session, lost_create)["address"] == LEEDS
    assert a.conflicts.list(a.session) == []


def test_the_same_field_changed_on_both_sides_is_a_conflict_not_an_overwrite(
        a, any_fhir_server, lost_create):
    colleague_edits(any_fhir_server, lost_create, birthDate="1981-01-01")
    a.patients.update(a.session, {**a.patients.get(a.session, lost_create),
                                  "birthDate": "1979-12-31"})
    sync(a, any_fhir_server)
    assert server_copy(any_fhir_server, lost_create)["birthDate"] == "1981-01-01"
    [conflict] = a.conflicts.list(a.session)
    assert conflict.reason == "changed here and on the server: birthDate"


def test_an_edit_made_here_since_is_sent_with_the_colleagues_edit(a, any_fhir_server,
                                                                  lost_create):
    colleague_edits(any_fhir_server, lost_create, address=LEEDS)
    a.patients.update(a.session, {**a.patients.get(a.session, lost_create), "gender": "female"})
    sync(a, any_fhir_server)
    on_server = server_copy(any_fhir_server, lost_create)
    assert (on_server["address"], on_server["gender"]) == (LEEDS, "female")
    assert a.conflicts.list(a.session) == []


def test_a_record_deleted_on_the_server_since_is_a_conflict_not_brought_back(
        a, any_fhir_server, lost_create):
    if not any_fhir_server.history:
        pytest.skip("Medplum's router answers 404 for a deleted record, as for one never sent")
    assert httpx.delete(f"{any_fhir_server.base_url}Patient/{lost_create}").status_code < 300
    sync(a, any_fhir_server)
    assert httpx.get(f"{any_fhir_server.base_url}Patient/{lost_create}").status_code in (404, 410)
    [conflict] = a.conflicts.list(a.session)
    assert conflict.reason == "deleted on the server while it was edited here"
    a.conflicts.resolve(a.session, conflict.id, "local")
    sync(a, any_fhir_server)  # a person chose to keep it: now it goes back
    assert server_copy(any_fhir_server, lost_create)["id"] == lost_create
    assert [c.id for c in a.conflicts.list(a.session)] == []
