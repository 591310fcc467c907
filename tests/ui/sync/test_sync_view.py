"""The Sync tab: status from the worker, and a real conflict between two workstations resolved
from the table and the conflict dialog."""

from PySide6.QtCore import Qt

from app.bootstrap import SyncSettings
from app.clinical.sync.conflicts import Conflict
from app.ui.sync.conflict_dialog import ConflictDialog
from app.ui.sync.view import SyncView
from sync.worker import SyncStatus, SyncWorker
from tests.sync.conftest import a, b, fresh_fhir_server, start_medplum_server  # noqa: F401
from tests.sync.stations import patient, sync


def edit(ws, patient_id: str, **fields) -> None:
    ws.patients.update(ws.session, {**ws.patients.get(ws.session, patient_id), **fields})


def birth_date_conflict(a, b, server) -> str:
    """Okafor's birth date corrected differently on A and on B; B holds the conflict."""
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, server)
    sync(b, server)
    edit(a, ann["id"], birthDate="1980-03-15")
    edit(b, ann["id"], birthDate="1981-03-14")
    sync(a, server)
    sync(b, server)
    return ann["id"]


def sync_view(qtbot, ws, background) -> SyncView:
    view = SyncView(ws, background)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: not background.busy, timeout=10000)  # it has read the store
    return view


def conflict(local: dict | None, remote: dict | None, base: dict | None,
             conflict_id: int = 1, kind: str = "edit") -> Conflict:
    return Conflict(conflict_id, "Patient", "p1", kind, "test", local, remote, base, "2",
                    "2025-03-01T10:00:00+00:00", None, None, None)


def test_a_conflict_from_two_workstations_is_resolved_by_keeping_mine(
        qtbot, a, b, fresh_fhir_server, background):
    okafor = birth_date_conflict(a, b, fresh_fhir_server)
    view = sync_view(qtbot, b, background)
    qtbot.waitUntil(lambda: view.conflicts_model.rowCount() == 1)
    cells = [view.table.model().index(0, c).data() for c in range(4)]
    assert cells[:3] == ["Okafor, Ann", f"Patient/{okafor}", "Edit conflict"]
    assert cells[3] == "Changed here and on the server: birthDate"

    qtbot.mouseClick(view.resolve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    [field] = view.dialog.diff_model.rows()
    assert (field.path, field.mine, field.server, field.base, field.conflicting) == (
        "birthDate", "1981-03-14", "1980-03-15", "1980-03-14", True)

    qtbot.mouseClick(view.dialog.keep_mine, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.conflicts_model.rowCount() == 0)
    assert b.conflicts.list(b.session) == []
    assert view.message.text().startswith("Kept this workstation's version")
    sync(b, fresh_fhir_server)
    sync(a, fresh_fhir_server)
    assert a.patients.get(a.session, okafor)["birthDate"] == "1981-03-14"


def test_the_dialog_shows_an_edit_made_while_the_conflict_is_open_and_keeps_it(
        qtbot, a, b, fresh_fhir_server, background):
    """B records the sex after the conflict was found: the dialog shows it as kept either
    way, and keeping the server's birth date keeps it."""
    okafor = birth_date_conflict(a, b, fresh_fhir_server)
    edit(b, okafor, gender="female")
    view = sync_view(qtbot, b, background)
    qtbot.waitUntil(lambda: view.conflicts_model.rowCount() == 1)
    qtbot.mouseClick(view.resolve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    assert [(d.path, d.mine, d.change) for d in view.dialog.diff_model.rows()] == [
        ("birthDate", "1981-03-14", "Both changed: choose"),
        ("gender", "female", "Changed here: kept either way")]

    qtbot.mouseClick(view.dialog.keep_server, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.conflicts_model.rowCount() == 0)
    sync(b, fresh_fhir_server)
    sync(a, fresh_fhir_server)
    record = a.patients.get(a.session, okafor)
    assert (record["birthDate"], record.get("gender")) == ("1980-03-15", "female")


def test_an_offline_status_shows_offline_and_the_problem(qtbot, ws, background):
    view = sync_view(qtbot, ws, background)
    assert view.connection.text() == (
        "This workstation does not sync (no sync server in the IT policy).")
    view.show_status(SyncStatus(False, 3, 0, None,
                                "Cannot reach the sync server: check the network."))
    assert view.connection.text() == "Offline"
    assert view.pending.text() == "3"
    assert view.last_error.isVisible()
    assert view.last_error.text() == "Cannot reach the sync server: check the network."
    qtbot.waitUntil(lambda: view.conflicts_summary.text() == "No conflicts are waiting for you.")
    qtbot.waitUntil(lambda: not background.busy)  # the first read and show_status's both


def test_sync_now_asks_the_worker(qtbot, ws, background):
    view = sync_view(qtbot, ws, background)
    view.show_status(SyncStatus(True, 0, 0, "2025-03-01T10:00:00+00:00", None))
    with qtbot.waitSignal(view.sync_now):
        qtbot.mouseClick(view.sync_button, Qt.MouseButton.LeftButton)
    assert not view.last_error.isVisible()
    qtbot.waitUntil(lambda: not background.busy)  # show_status reads the conflicts again


def test_a_merged_version_that_is_not_json_is_refused_in_the_dialog(qtbot, ws, background):
    base = patient("Okafor", id="p1")
    dialog = ConflictDialog(ws, background, conflict(
        {**base, "birthDate": "1981-03-14"}, {**base, "birthDate": "1980-03-15"}, base))
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.edit_merged, Qt.MouseButton.LeftButton)
    dialog.editor.setPlainText('{"resourceType": "Patient",')
    qtbot.mouseClick(dialog.save_merged, Qt.MouseButton.LeftButton)
    assert dialog.message.text().startswith("The merged version is not valid JSON")


def test_a_refused_resolution_is_shown_as_a_sentence(qtbot, ws, background):
    base = patient("Okafor", id="p1")
    dialog = ConflictDialog(ws, background, conflict(base, {**base, "gender": "female"}, base,
                                                     conflict_id=999))
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.keep_server, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "There is no sync conflict 999." in dialog.message.text())
    assert dialog.keep_server.isEnabled()


def test_a_server_without_history_says_in_the_tab_that_deletes_cannot_be_seen(
        qtbot, a, tmp_path, background):
    """Medplum's in-memory router keeps no history: a delete there never reaches Hearth."""
    with start_medplum_server(tmp_path / "medplum") as server:
        engine = a.sync_engine(SyncSettings(server.base_url))
        try:
            status = SyncWorker(engine, interval_seconds=60).run_once()
        finally:
            engine.transport.close()
    view = sync_view(qtbot, a, background)
    view.show_status(status)
    assert view.server_limits.isVisible() and not view.last_error.isVisible()
    assert view.server_limits.text() == (
        "This server keeps no history, so Hearth cannot see records deleted on it: they stay "
        "on this workstation until deleted here.")
    qtbot.waitUntil(lambda: not background.busy)  # show_status reads the conflicts again
