"""The status bar and the Sync tab show the last sync at the same local time (the status
bar used to show UTC while the Sync tab showed local time)."""

from datetime import UTC, datetime, timedelta

from app.ui.shell.window import WorkstationWindow
from app.ui.sync.view import SyncView
from sync.worker import SyncStatus


def test_the_status_bar_and_the_sync_tab_show_the_same_local_time(
        qtbot, auckland, clinic, ws, background):
    synced = datetime.now(UTC) - timedelta(minutes=5)
    status = SyncStatus(True, 0, 0, synced.isoformat(timespec="seconds"), None)
    window = WorkstationWindow(clinic.env, clinic.root)
    qtbot.addWidget(window)
    window.sync_status.emit(status)
    tab = SyncView(ws, background)
    qtbot.addWidget(tab)
    tab.show_status(status)
    assert window.last_sync.text() == f"Last sync {tab.last_success.text()}"
    assert tab.last_success.text().startswith(f"{synced.astimezone():%H:%M}")
    qtbot.waitUntil(lambda: not background.busy)
