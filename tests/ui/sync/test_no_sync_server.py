"""A workstation without a sync server says so once, with what is on this computer only and
how IT turns sync on, instead of every chart row saying "pending sync"; with a server, rows
still say it until the server confirms."""

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from app.security.policy import SyncPolicy
from app.store.sync_side import StoreSyncSide
from app.ui.shell.window import WorkstationWindow
from tests.conftest import password_of
from tests.sync.stations import patient
from tests.ui.chart.test_chart_view import WAIT
from tests.ui.chart.test_chart_view import open_chart as chart_of

NO_SERVER = "This workstation does not sync (no sync server in the IT policy)"


@pytest.fixture
def window(qtbot, clinic):
    win = WorkstationWindow(clinic.env, clinic.root)
    qtbot.addWidget(win)
    win.show()
    win.login.user.setText("drlee")
    win.login.password.setText(password_of("drlee"))
    qtbot.mouseClick(win.login.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.workspace is not None, timeout=WAIT)
    yield win
    win.close()


def waiting_as_the_cli_counts(ws) -> int:
    """What `hearth sync` reports waiting: the outbox, one record however often changed."""
    return StoreSyncSide(ws.store, ws.session.user, str(ws.session.role)).pending_count()


def statuses(chart, section: str) -> list[str]:
    chart.show_section(section)
    model = chart.records(section).model
    column = next(n for n, c in enumerate(model.columns) if c.field == "status")
    return [model.index(row, column).data() or "" for row in range(model.rowCount())]


def test_without_a_server_the_window_says_once_what_is_on_this_computer_only(
        qtbot, window, clinic):
    waiting = waiting_as_the_cli_counts(window.ws)
    assert waiting > 100  # the imported history is all in the outbox
    qtbot.waitUntil(lambda: window.online.text() == (
        f"{NO_SERVER}: {waiting:,} records are on this computer only."), timeout=WAIT)
    sync = window.workspace.sync
    assert sync.connection.text() == f"{NO_SERVER}."
    assert sync.local_only.text().startswith(f"{waiting:,} records are waiting to be sent: ")
    assert f"Patient {len(clinic.patient_ids)}" in sync.local_only.text()
    assert "sync.server" in sync.turn_on.text() and not sync.turn_on.isHidden()
    assert not sync.sync_button.isEnabled()

    chart = window.workspace.open_chart(next(iter(clinic.patient_ids.values())))
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT)
    for section in ("encounters", "problems"):
        qtbot.waitUntil(lambda s=section: bool(statuses(chart, s)), timeout=WAIT)
        assert not any("pending sync" in status for status in statuses(chart, section))

    window.ws.patients.register(window.ws.session, patient("Okafor"))  # one more, only here
    qtbot.waitUntil(lambda: window.online.text() == (
        f"{NO_SERVER}: {waiting + 1:,} records are on this computer only."), timeout=WAIT)
    qtbot.waitUntil(lambda: not window.background.busy, timeout=WAIT)


def test_with_a_server_each_row_still_says_pending_sync(qtbot, ws, background, clinic):
    ws.policy = replace(ws.policy, sync=SyncPolicy(server="https://fhir.clinic.example/fhir/"))
    chart = chart_of(qtbot, ws, background, next(iter(clinic.patient_ids.values())))
    qtbot.waitUntil(lambda: bool(statuses(chart, "encounters")), timeout=WAIT)
    assert all(status.endswith("pending sync") for status in statuses(chart, "encounters"))
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
