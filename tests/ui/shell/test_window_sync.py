"""The window's background sync, built from the IT policy as `hearth sync` builds it: it signs
in with the client credentials an admin saved, sends what was recorded, reads the store only
on its own thread, and lets go of its connections when the session ends."""

import threading
from dataclasses import replace

import httpx
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import Engine, event

from app.security.policy import SyncPolicy
from app.ui.shell.window import WorkstationWindow
from sync.auth import ClientCredentials
from sync.credentials import SyncCredentials
from tests.sync.conftest import (  # noqa: F401 (a fixture)
    free_port,
    fresh_fhir_server,
    start_fhir_server,
)
from tests.sync.stations import PASSWORD, patient, workstation
from tests.sync.test_auth import SECRET, server_auth


@pytest.fixture
def secured_server(tmp_path):
    """A server that only answers clients signed in with the ward PC's secret."""
    with start_fhir_server(tmp_path / "secured", extra_yaml=server_auth()) as server:
        yield server


def window_for(qtbot, env, root, server: str, **sync) -> WorkstationWindow:
    """Pat (a physician) signed in at a window whose IT policy names `server`, once the
    first sync has been tried."""
    policy = replace(env.effective_policy(), sync=SyncPolicy(
        server=server, interval_seconds=3600, **sync))
    window = WorkstationWindow(replace(env, policy=policy), root)
    qtbot.addWidget(window)
    window.login.submitted.emit("pat", PASSWORD)
    qtbot.waitUntil(lambda: window.online.text() not in ("", "Not synced yet"), timeout=30000)
    return window


def signed_out(window: WorkstationWindow) -> None:
    window.switch_user()
    window.background.wait_until_idle()


def test_background_sync_signs_in_with_the_saved_secret_and_sends_what_was_recorded(
        qtbot, env, tmp_path, secured_server):
    root = tmp_path / "ward"
    workstation(env, root).close()
    token_url = secured_server.base_url.removesuffix("fhir/") + "auth/token"
    SyncCredentials(env.keyring_backend()).save_secret(
        secured_server.base_url, "ward-pc", SECRET, token_url)
    window = window_for(qtbot, env, root, secured_server.base_url, client_id="ward-pc")
    ann = window.ws.patients.register(window.ws.session, patient("Okafor"))
    qtbot.mouseClick(window.workspace.sync.sync_button, Qt.MouseButton.LeftButton)
    as_ward_pc = ClientCredentials(token_url, "ward-pc", SECRET, "system/*.read")
    with httpx.Client(auth=as_ward_pc) as server:
        qtbot.waitUntil(lambda: server.get(
            f"{secured_server.base_url}Patient/{ann['id']}").status_code == 200, timeout=30000)
    signed_out(window)


def test_without_the_clients_secret_the_status_bar_says_how_an_admin_saves_it(
        qtbot, env, tmp_path, secured_server):
    root = tmp_path / "ward"
    workstation(env, root).close()
    window = window_for(qtbot, env, root, secured_server.base_url, client_id="ward-pc")
    assert window.statusBar().currentMessage().startswith(
        "No sync credentials: This computer's keyring holds no sync credentials for client "
        "'ward-pc'")
    signed_out(window)


def test_signing_out_stops_sync_and_closes_its_connections(qtbot, env, tmp_path,
                                                            fresh_fhir_server):
    root = tmp_path / "ward"
    workstation(env, root).close()
    window = window_for(qtbot, env, root, fresh_fhir_server.base_url)
    client = window.sync_worker.connect().transport.client
    signed_out(window)
    assert client.is_closed


def test_signing_in_reads_no_sync_counts_on_the_ui_thread(qtbot, env, tmp_path,
                                                           fresh_fhir_server):
    """The outbox and the conflicts are counted on the sync thread, so a long outbox after
    a week offline never holds up the window that just signed in."""
    root = tmp_path / "ward"
    workstation(env, root).close()
    counted_on_ui_thread = []

    def note(conn, cursor, statement, *args) -> None:
        if threading.current_thread() is threading.main_thread() and (
                "local_change" in statement or "FROM outbox" in statement
                or "FROM conflict" in statement):
            counted_on_ui_thread.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        window = window_for(qtbot, env, root, fresh_fhir_server.base_url)
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    signed_out(window)
    assert counted_on_ui_thread == []


def test_a_record_saved_between_cycles_is_counted_as_waiting_at_once(qtbot, env, tmp_path):
    """Offline (nothing listens at the server's address): the save is counted without
    waiting for the next cycle, in the status bar and on the Sync tab."""
    root = tmp_path / "ward"
    workstation(env, root).close()
    window = window_for(qtbot, env, root, f"http://127.0.0.1:{free_port()}/fhir/")
    assert window.pending.text() == "0 changes waiting to sync"
    window.ws.patients.register(window.ws.session, patient("Okafor"))
    qtbot.waitUntil(lambda: window.pending.text() == "1 change waiting to sync")
    assert window.workspace.sync.pending.text() == "1"
    signed_out(window)
