"""Pulling from a server without system `_history` (history is optional in FHIR).

Every type the server lists arrives, not only the usual clinical ones; pages a server leaves
unlinked are still read; and what cannot be seen (deletes, a type whose changes cannot be
found, records a server would not send) is said in words and never reported as success,
while the cursor stays before anything not yet received.

The servers are Medplum's in-memory router, which keeps no history, and SEKMET with its
history hidden from its CapabilityStatement at the transport; the faults a server would show
on its own (no `next` link, fewer records than its `total`) are made there too, in front of
the real SEKMET.
"""

import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from app.store.sync_side import StoreSyncSide
from fhir_common import fhir_json
from sync.capabilities import fetch_capabilities
from sync.engine import SyncEngine, SyncReport
from sync.pull import Puller
from sync.servers import cursor_key
from sync.transport import Transport
from sync.worker import SyncWorker
from tests.sync.conftest import FhirServer, start_fhir_server, start_medplum_server
from tests.sync.faults import Fault, FaultyTransport, Forward

OVERLAP_S = 5  # the pull cursor's overlap window (sync.pull.Puller)
DELETES_UNSEEN = ("This server keeps no history, so Hearth cannot see records deleted on it: "
                  "they stay on this workstation until deleted here.")


class Rewritten(httpx.HTTPTransport):
    """The real server, with its CapabilityStatement changed by `rewrite` on the way."""

    def __init__(self, rewrite: Callable[[dict], None]):
        super().__init__()
        self._rewrite = rewrite

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if not request.url.path.endswith("/metadata"):
            return response
        statement = fhir_json.loads(response.read())
        self._rewrite(statement)
        return httpx.Response(200, headers={"Content-Type": "application/fhir+json"},
                              content=fhir_json.dumps(statement))


def no_history(statement: dict) -> None:
    for rest in statement["rest"]:
        rest["interaction"] = _without(rest.get("interaction", []), "history-system")
        for kind in rest.get("resource", []):
            kind["interaction"] = _without(kind.get("interaction", []), "history-type")


def _without(items: list[dict], code: str) -> list[dict]:
    return [i for i in items if i.get("code") != code]


def search_page(request: httpx.Request) -> bool:
    """A page of the pull's `_lastUpdated` search of one type."""
    return request.method == "GET" and request.url.params.get("_sort") == "_lastUpdated"


def without_next_link(request: httpx.Request, forward: Forward) -> httpx.Response:
    """The page as the server sent it, less its `next` link (some servers send none)."""
    page = fhir_json.loads(forward(request).read())
    page["link"] = [link for link in page.get("link", []) if link["relation"] != "next"]
    return httpx.Response(200, headers={"Content-Type": "application/fhir+json"},
                          content=fhir_json.dumps(page))


def first_page_only(request: httpx.Request, forward: Forward) -> httpx.Response:
    """A server that sends one page, says how many there are, and no more (`_offset` gets
    an empty page): the rest cannot be had this cycle."""
    response = without_next_link(request, forward)
    if request.url.params.get("_offset", "0") == "0":
        return response
    page = fhir_json.loads(response.content)
    page.pop("entry", None)
    return httpx.Response(200, headers={"Content-Type": "application/fhir+json"},
                          content=fhir_json.dumps(page))


def hidden_history(*faults: Fault) -> httpx.BaseTransport:
    return FaultyTransport(Rewritten(no_history), list(faults))


@pytest.fixture(params=["medplum", "sekmet-without-history"])
def historyless(request, tmp_path) -> Iterator[tuple[FhirServer, Callable]]:
    """A server whose CapabilityStatement offers no history, and the wire to reach it."""
    if request.param == "medplum":
        with start_medplum_server(tmp_path / "medplum") as server:
            yield server, httpx.HTTPTransport
    else:
        with start_fhir_server(tmp_path / "sekmet") as server:
            yield server, hidden_history


def cycle(ws, server: FhirServer, wire: httpx.BaseTransport, page_size: int = 500
          ) -> SyncReport:
    engine = SyncEngine(StoreSyncSide(ws.store, ws.session.user, str(ws.session.role)),
                        Transport(server.base_url, transport=wire), page_size=page_size)
    try:
        return engine.run_once()
    finally:
        engine.transport.close()


def put(server: FhirServer, *resources: dict) -> None:
    """Records that reached the server from elsewhere, in one transaction."""
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
        for r in resources]}
    httpx.post(server.base_url, content=fhir_json.dumps(bundle),
               headers={"Content-Type": "application/fhir+json"}).raise_for_status()


def patients(count: int) -> list[dict]:
    return [{"resourceType": "Patient", "id": f"pt-{n:03d}",
             "name": [{"family": f"Family{n}", "given": ["Ann"]}]} for n in range(count)]


def saved_cursor(ws, server: FhirServer, feed: str, cursor: str) -> None:
    """The server's pull cursor of `feed` as an earlier cycle (or an older Hearth) left it."""
    transport = Transport(server.base_url)
    scope = cursor_key(server.base_url, fetch_capabilities(transport).server_id, feed)
    transport.close()
    with ws.store.write() as conn:
        conn.exec_driver_sql("INSERT INTO sync_state (scope, cursor, updated_at) "
                             "VALUES (?, ?, '2026-01-01T00:00:00Z')", (scope, cursor))


def held(ws, kind: str) -> list[str]:
    with ws.store.read() as conn:
        return conn.exec_driver_sql("SELECT id FROM resource WHERE type = ? AND deleted = 0 "
                                    "ORDER BY id", (kind,)).scalars().all()


def test_every_type_the_server_lists_arrives_and_unseen_deletes_are_said(b, historyless):
    """Specimens, medications and orders are records too, not only the usual 17 types."""
    server, wire = historyless
    put(server, {"resourceType": "Specimen", "id": "sp-1", "note": [{"text": "venous"}]},
        {"resourceType": "Medication", "id": "med-1", "code": {"text": "Amoxicillin 500 mg"}},
        {"resourceType": "Organization", "id": "org-1", "name": "Riverside Clinic"})
    status = SyncWorker(SyncEngine(
        StoreSyncSide(b.store, b.session.user, str(b.session.role)),
        Transport(server.base_url, transport=wire())), interval_seconds=60).run_once()
    assert [held(b, kind) for kind in ("Specimen", "Medication", "Organization")] == [
        ["sp-1"], ["med-1"], ["org-1"]]
    assert (status.last_error, status.notices) == (None, (DELETES_UNSEEN,))


def test_pages_a_server_leaves_unlinked_are_read_by_offset(b, fresh_fhir_server):
    put(fresh_fhir_server, *patients(25))
    unlinked = Fault(search_page, without_next_link, times=None)
    report = cycle(b, fresh_fhir_server, hidden_history(unlinked), page_size=10)
    assert len(held(b, "Patient")) == 25
    assert report.incomplete == [] and unlinked.hits >= 3


def test_fewer_records_than_the_total_are_said_and_asked_for_again(b, fresh_fhir_server):
    """The cursor stays before what did not arrive, however old it is."""
    put(fresh_fhir_server, *patients(25))
    time.sleep(OVERLAP_S + 0.5)  # the records are older than the overlap window
    report = cycle(b, fresh_fhir_server,
                   hidden_history(Fault(search_page, first_page_only, times=None)),
                   page_size=10)
    assert len(held(b, "Patient")) == 10
    assert report.incomplete == [
        "Of the 25 changed Patient records the server listed, it sent only 10 and no way to "
        "reach the rest; they are asked for again at the next sync."]
    assert cycle(b, fresh_fhir_server, hidden_history(), page_size=10).incomplete == []
    assert len(held(b, "Patient")) == 25


def test_a_type_whose_changes_cannot_be_found_is_named_not_skipped(b, fresh_fhir_server):
    put(fresh_fhir_server, {"resourceType": "Specimen", "id": "sp-1"})

    def no_last_updated_for_specimens(statement: dict) -> None:
        no_history(statement)
        [specimen] = [r for r in statement["rest"][0]["resource"] if r["type"] == "Specimen"]
        specimen["searchParam"] = [p for p in specimen.get("searchParam", [])
                                   if p["name"] != "_lastUpdated"]

    report = cycle(b, fresh_fhir_server, Rewritten(no_last_updated_for_specimens))
    assert report.incomplete == [
        "The server offers no way to see which Specimen records changed (no history and no "
        "_lastUpdated search), so none of them were pulled."]


def test_a_server_that_lists_no_types_is_asked_for_every_type_hearth_stores(
        b, fresh_fhir_server):
    """SEKMET holds care teams without listing them; types it does not know answer 404."""
    put(fresh_fhir_server, {"resourceType": "CareTeam", "id": "team-1", "name": "Diabetes"},
        *patients(2))

    def no_types(statement: dict) -> None:
        no_history(statement)
        statement["rest"][0]["resource"] = []

    transport = Transport(fresh_fhir_server.base_url, transport=Rewritten(no_types))
    try:  # the pull alone: audit upload needs the server to list AuditEvent
        report = Puller(StoreSyncSide(b.store, b.session.user, str(b.session.role)),
                        transport, fetch_capabilities(transport)).pull()
    finally:
        transport.close()
    assert (held(b, "CareTeam"), len(held(b, "Patient"))) == (["team-1"], 2)
    assert (report.gaps, report.notices) == ([], [DELETES_UNSEEN])


def test_a_saved_page_link_the_server_no_longer_knows_starts_the_pass_again(
        b, fresh_fhir_server):
    """A pull cut short keeps its next page's link in the cursor; servers expire them."""
    put(fresh_fhir_server, *patients(5))
    saved_cursor(b, fresh_fhir_server, "search:Patient",
                 '{"since": null, "next": "Patient?_getpages=expired", "checked": true}')
    expired = Fault(lambda request: "_getpages" in request.url.params,
                    lambda request, forward: httpx.Response(410), times=None)
    report = cycle(b, fresh_fhir_server, hidden_history(expired))
    assert (len(held(b, "Patient")), report.incomplete, expired.hits) == (5, [], 1)


def test_a_search_cursor_an_older_hearth_left_is_not_trusted(b, fresh_fhir_server):
    """Older pulls moved the cursor past records they never received; those arrive now."""
    put(fresh_fhir_server, *patients(3))
    saved_cursor(b, fresh_fhir_server, "search:Patient", '{"since": "2999-01-01T00:00:00.000Z"}')
    cycle(b, fresh_fhir_server, hidden_history())
    assert len(held(b, "Patient")) == 3
