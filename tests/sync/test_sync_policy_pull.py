"""A pull that cannot be hijacked (issue 11, items 1 and 2): a signed note is never rewritten
by a server, cursors belong to the server they came from, page links stay on it, and a stamp
from the future never becomes the position every later pull starts from. Real SEKMET
servers; only the rewritten page (a rogue's answer) is scripted at the httpx transport."""

import base64
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

from app.errors import InvalidRecord
from app.store.sync_side import StoreSyncSide
from sync.capabilities import fetch_capabilities
from sync.engine import SyncEngine
from sync.errors import ServerUnreachable
from sync.servers import cursor_key
from sync.transport import RetryPolicy, Transport
from tests.sync.conftest import start_fhir_server
from tests.sync.faults import Fault, FaultyTransport, history_page, refused
from tests.sync.recorder import recording_server
from tests.sync.stations import PASSWORD, patient, sync

FUTURE = "2999-01-01T00:00:00.000Z"


def engine(ws, server, wire: httpx.BaseTransport | None = None, page_size=500) -> SyncEngine:
    """The engine ws.sync_engine builds, its HTTP through `wire`, failing at once."""
    transport = Transport(server.base_url, transport=wire or httpx.HTTPTransport(),
                          policy=RetryPolicy(attempts=1), sleep=lambda _: None)
    return SyncEngine(StoreSyncSide(ws.store, ws.session.user, str(ws.session.role)),
                      transport, page_size=page_size)


def run(ws, server, wire=None, page_size=500):
    cycle = engine(ws, server, wire, page_size)
    try:
        return cycle.run_once()
    finally:
        cycle.transport.close()


class Recording(httpx.BaseTransport):
    """Forwards every request to the real network and keeps its URL."""

    def __init__(self):
        self.inner, self.urls = httpx.HTTPTransport(), []

    def handle_request(self, request):
        self.urls.append(str(request.url))
        return self.inner.handle_request(request)


def rewritten_page(change):
    """A history page as the server sent it, passed through `change(page)` first."""
    def act(request, forward):
        response = forward(request)
        page = orjson.loads(response.read())
        change(page)
        return httpx.Response(200, content=orjson.dumps(page), headers={
            "Content-Type": "application/fhir+json", "Date": response.headers["Date"]})
    return act


def signed_note(ws, patient_id: str, words: str):
    draft = ws.notes.start_draft(ws.session, patient_id, "soap")
    ws.notes.save_draft(ws.session, draft.id, f"Subjective:\n{words}")
    return ws.notes.sign(ws.session, draft.id, PASSWORD)


def test_a_server_that_rewrites_a_signed_note_gets_a_conflict_and_the_note_is_kept(
        a, fresh_fhir_server):
    ann = a.patients.register(a.session, patient("Okafor"))
    note = signed_note(a, ann["id"], "Penicillin allergy: hives.")
    sync(a, fresh_fhir_server)
    url = f"{fresh_fhir_server.base_url}DocumentReference/{note.id}"
    forged = httpx.get(url).json()
    forged["content"][0]["attachment"]["data"] = base64.b64encode(
        b"Subjective:\nNo known allergies.").decode()
    httpx.put(url, json=forged).raise_for_status()

    report = sync(a, fresh_fhir_server)
    assert report.pulled.conflicts == 1
    assert a.notes.read(a.session, ann["id"], note.id).text == (
        "Subjective:\nPenicillin allergy: hives.")
    [conflict] = a.conflicts.list(a.session)
    assert conflict.reason.startswith("the server's version would change a signed note")
    with a.store.read() as conn:
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM audit WHERE outcome = 'refused' AND entity = ?",
            (f"DocumentReference/{note.id}",)).scalar_one() == 1

    with pytest.raises(InvalidRecord, match=f"Conflict {conflict.id} was not resolved: "
                       "keeping remote would change a signed note. This note"):
        a.conflicts.resolve(a.session, conflict.id, "remote")
    with pytest.raises(InvalidRecord, match="keeping merged would change a signed note"):
        a.conflicts.resolve(a.session, conflict.id, "merged", {**forged, "description": "x"})
    a.conflicts.resolve(a.session, conflict.id, "local")
    sync(a, fresh_fhir_server)
    on_server = httpx.get(url).json()["content"][0]["attachment"]["data"]
    assert base64.b64decode(on_server) == b"Subjective:\nPenicillin allergy: hives."


def test_a_signed_note_retracted_here_is_not_merged_with_a_server_rewrite(
        a, fresh_fhir_server):
    ann = a.patients.register(a.session, patient("Okafor"))
    note = signed_note(a, ann["id"], "Penicillin allergy: hives.")
    sync(a, fresh_fhir_server)
    url = f"{fresh_fhir_server.base_url}DocumentReference/{note.id}"
    forged = httpx.get(url).json()
    forged["content"][0]["attachment"]["data"] = base64.b64encode(b"No allergies.").decode()
    httpx.put(url, json=forged).raise_for_status()
    a.notes.mark_entered_in_error(a.session, note.id, "wrong patient")

    report = sync(a, fresh_fhir_server)
    assert report.pushed.conflicts + report.pushed.merged == 1
    assert a.notes.read(a.session, ann["id"], note.id).text == (
        "Subjective:\nPenicillin allergy: hives.")
    [conflict] = a.conflicts.list(a.session)
    assert conflict.reason.startswith("the server's version would change a signed note")


def test_a_next_link_to_another_server_is_not_followed(a, b, fresh_fhir_server):
    ids = [a.patients.register(a.session, patient(name))["id"]
           for name in ("Okafor", "Mensah", "Diallo")]
    sync(a, fresh_fhir_server)

    def to_rogue(page):
        for link in page.get("link", []):
            if link["relation"] == "next":
                link["url"] = rogue + urlsplit(link["url"]).path + "?" + urlsplit(
                    link["url"]).query

    with recording_server() as (rogue, asked):
        wire = FaultyTransport(httpx.HTTPTransport(),
                               [Fault(history_page, rewritten_page(to_rogue))])
        report = run(b, fresh_fhir_server, wire, page_size=2)
    assert asked == []
    assert report.incomplete == [
        "The server's link to the next page of changes in the server's history points to "
        f"another server ({rogue}); Hearth does not follow it, so the rest are asked for "
        "again at the next sync."]
    assert run(b, fresh_fhir_server, page_size=2).incomplete == []
    assert [b.patients.get(b.session, i)["id"] for i in ids] == ids


def test_a_pull_interrupted_on_one_server_never_resumes_on_another(
        a, b, fresh_fhir_server, tmp_path):
    for name in ("Okafor", "Mensah", "Diallo"):
        a.patients.register(a.session, patient(name))
    sync(a, fresh_fhir_server)
    second_page = Fault(lambda r: history_page(r) and b"_offset=" in r.url.query, refused,
                        times=None)
    with pytest.raises(ServerUnreachable):
        run(b, fresh_fhir_server, FaultyTransport(httpx.HTTPTransport(), [second_page]),
            page_size=2)
    assert second_page.hits == 1  # stopped after the first page, its next link saved

    with start_fhir_server(tmp_path / "clinic") as clinic:
        wire = Recording()
        report = run(b, clinic, wire)
    assert report.incomplete == []
    assert all(url.startswith(clinic.base_url) for url in wire.urls), wire.urls


def test_a_stamp_from_the_future_never_becomes_the_pull_position(a, b, fresh_fhir_server):
    a.patients.register(a.session, patient("Okafor"))
    sync(a, fresh_fhir_server)

    def from_the_future(page):
        page["entry"][0]["resource"]["meta"]["lastUpdated"] = FUTURE

    wire = FaultyTransport(httpx.HTTPTransport(),
                           [Fault(history_page, rewritten_page(from_the_future))])
    report = run(b, fresh_fhir_server, wire)
    [said] = report.incomplete
    assert said.startswith("The server stamped changes in the server's history as late as "
                           "2998-12-31T23:59:55.000Z, but its clock said ")
    assert said.endswith("Hearth did not move its pull position there, so they are read "
                         "again at the next sync. Ask the server's administrator to check "
                         "its clock.")

    mensah = a.patients.register(a.session, patient("Mensah"))
    sync(a, fresh_fhir_server)
    run(b, fresh_fhir_server)
    assert b.patients.get(b.session, mensah["id"])["name"][0]["family"] == "Mensah"


def test_a_saved_position_in_the_future_is_discarded_and_the_server_read_again(
        a, b, fresh_fhir_server):
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, fresh_fhir_server)
    transport = Transport(fresh_fhir_server.base_url)
    server_id = fetch_capabilities(transport).server_id
    transport.close()
    with b.store.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sync_state (scope, cursor, updated_at) VALUES (?, ?, ?)",
            (cursor_key(fresh_fhir_server.base_url, server_id, "history"),
             orjson.dumps({"since": FUTURE, "checked": True}).decode(), FUTURE))
    report = run(b, fresh_fhir_server)
    assert report.notices == [
        "The saved pull position for changes in the server's history was in the future "
        f"({FUTURE}); it was discarded and they are read again in full."]
    assert b.patients.get(b.session, ann["id"])["name"][0]["family"] == "Okafor"
