"""One sync cycle sends the whole outbox, however many rounds it takes (it used to stop after
50 Bundles, 5,000 changes, and report success), and says so when something is left queued."""

import httpx

from app.store.sync_side import StoreSyncSide
from fhir_common import fhir_json
from sync.engine import SyncEngine
from sync.transport import Transport
from sync.worker import SyncWorker
from tests.sync.faults import Fault, FaultyTransport, Forward, push_bundle
from tests.sync.stations import patient

LEFT_QUEUED = ("Changed records are still waiting to be sent: the server did not take them "
               "this cycle. They stay queued and go at the next sync.")


def one_cycle(ws, server, batch_size: int = 100, wire: httpx.BaseTransport | None = None):
    engine = SyncEngine(StoreSyncSide(ws.store, ws.session.user, str(ws.session.role)),
                        Transport(server.base_url, transport=wire), batch_size=batch_size)
    try:
        return SyncWorker(engine, interval_seconds=60).run_once()
    finally:
        engine.transport.close()


def every_entry_failed(request: httpx.Request, forward: Forward) -> httpx.Response:
    """A transaction answered, entry by entry, with a server failure (nothing stored)."""
    entries = fhir_json.loads(request.content)["entry"]
    return httpx.Response(200, headers={"Content-Type": "application/fhir+json"},
                          content=fhir_json.dumps({
                              "resourceType": "Bundle", "type": "transaction-response",
                              "entry": [{"response": {"status": "500 Internal Server Error"}}
                                        for _ in entries]}))


def test_one_cycle_sends_more_than_fifty_bundles(a, fresh_fhir_server):
    """Bundles of one, so 60 changes need 60 rounds: all go in the one cycle."""
    for n in range(60):
        a.patients.register(a.session, patient(f"Family{n}"))
    status = one_cycle(a, fresh_fhir_server, batch_size=1)
    assert (status.pending, status.last_error) == (0, None)
    assert httpx.get(f"{fresh_fhir_server.base_url}Patient?_count=1").json()["total"] == 60


def test_changes_the_server_did_not_take_are_said_to_be_waiting(a, fresh_fhir_server):
    a.patients.register(a.session, patient("Okafor"))
    failing = FaultyTransport(httpx.HTTPTransport(),
                              [Fault(push_bundle, every_entry_failed, times=None)])
    status = one_cycle(a, fresh_fhir_server, wire=failing)
    assert (status.pending, status.last_error, status.last_success) == (1, LEFT_QUEUED, None)
    assert one_cycle(a, fresh_fhir_server).pending == 0
