"""The Inbox tab: notes awaiting the signed-in physician's cosignature, opened in the chart.

Real widgets offscreen over a store of this module's own, so the notes asked of Dr Lee here
are in no other test's inbox.
"""

import pytest
from PySide6.QtCore import Qt

from app.bootstrap import open_workstation
from app.ui.chart.table import ITEM_ROLE
from app.ui.chart.view import ChartView
from app.ui.inbox.view import EMPTY
from app.ui.shell.workspace import Workspace
from tests.conftest import new_store, password_of
from tests.sync.stations import patient
from tests.ui.conftest import USERS

WAIT = 10000


@pytest.fixture(scope="module")
def practice(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("inbox") / "store"
    env, _ = new_store(root, USERS)
    return env, root


@pytest.fixture
def sign_in(practice):
    opened = []

    def open_as(user):
        ws = open_workstation(*practice, user, password_of(user))
        opened.append(ws)
        return ws

    yield open_as
    for ws in opened:
        ws.store.close()


def workspace_of(qtbot, ws, background) -> Workspace:
    workspace = Workspace(ws, background)
    qtbot.addWidget(workspace)
    workspace.resize(1000, 600)
    workspace.show()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)  # its tabs have read the store
    return workspace


def tab_titles(workspace: Workspace) -> list[str]:
    return [workspace.tabText(i) for i in range(workspace.fixed_tabs)]


def test_a_note_asked_of_the_physician_waits_in_the_inbox_until_cosigned(
        qtbot, sign_in, background):
    nurse = sign_in("nina")
    patient_id = nurse.patients.register(nurse.session, patient("Okafor"))["id"]
    draft = nurse.notes.start_draft(nurse.session, patient_id, "progress")
    nurse.notes.save_draft(nurse.session, draft.id, "Wound clean, redressed.")
    note = nurse.notes.sign(nurse.session, draft.id, password_of("nina"), cosigner="drlee")

    ws = sign_in("drlee")
    workspace = workspace_of(qtbot, ws, background)
    inbox = workspace.inbox
    assert workspace.indexOf(inbox) == 2
    qtbot.waitUntil(lambda: workspace.tabText(2) == "Inbox (1)", timeout=WAIT)
    assert tab_titles(workspace) == ["Today", "Patients", "Inbox (1)", "Calendar", "Reports",
                                     "Sync"]
    [waiting] = inbox.model.rows()
    assert waiting.id == note.id and waiting.signed_by == "Nina Nurse"
    shown = [inbox.model.index(0, c).data() for c in range(inbox.model.columnCount())]
    assert "Okafor" in shown[0] and shown[1] == "Progress note" and shown[2] == "Nina Nurse"
    assert "1 note awaits" in inbox.message.text()

    workspace.setCurrentWidget(inbox)
    row = inbox.table.visualRect(inbox.table.model().index(0, 1)).center()
    qtbot.mouseClick(inbox.table.viewport(), Qt.MouseButton.LeftButton, pos=row)
    qtbot.mouseDClick(inbox.table.viewport(), Qt.MouseButton.LeftButton, pos=row)
    qtbot.waitUntil(lambda: isinstance(workspace.currentWidget(), ChartView), timeout=WAIT)
    chart = workspace.currentWidget()
    assert chart.patient_id == patient_id
    qtbot.waitUntil(lambda: "notes" in chart.tabs
                    and chart.sections.currentWidget() is chart.tabs["notes"], timeout=WAIT)
    notes_tab = chart.tabs["notes"]
    qtbot.waitUntil(lambda: notes_tab.records.table.currentIndex().isValid(), timeout=WAIT)
    assert notes_tab.records.table.currentIndex().data(ITEM_ROLE).id == note.id
    qtbot.waitUntil(lambda: notes_tab.cosign.isEnabled(), timeout=WAIT)  # ready to cosign

    ws.notes.cosign(ws.session, note.id, password_of("drlee"))
    qtbot.mouseClick(inbox.refresh, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.tabText(2) == "Inbox", timeout=WAIT)
    assert inbox.model.rowCount() == 0 and inbox.message.text() == EMPTY
    assert not inbox.table.isVisibleTo(inbox) and not inbox.open_button.isEnabled()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)  # the chart hears it too


def test_enter_on_a_row_opens_the_chart_and_showing_the_tab_reads_the_inbox_again(
        qtbot, sign_in, background):
    ws = sign_in("drlee")
    workspace = workspace_of(qtbot, ws, background)
    inbox = workspace.inbox
    workspace.setCurrentWidget(inbox)
    qtbot.waitUntil(lambda: inbox.message.text() == EMPTY, timeout=WAIT)

    nurse = sign_in("nina")
    patient_id = nurse.patients.register(nurse.session, patient("Mensah"))["id"]
    draft = nurse.notes.start_draft(nurse.session, patient_id, "soap")
    nurse.notes.save_draft(nurse.session, draft.id, "S: dizzy on standing.")
    nurse.notes.sign(nurse.session, draft.id, password_of("nina"), cosigner="drlee")
    workspace.setCurrentWidget(workspace.today)
    workspace.setCurrentWidget(inbox)  # shown again: read again
    qtbot.waitUntil(lambda: workspace.tabText(2) == "Inbox (1)", timeout=WAIT)
    inbox.table.setFocus()
    qtbot.keyClick(inbox.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: workspace.open_charts() == [patient_id], timeout=WAIT)
    qtbot.keyClick(inbox, Qt.Key.Key_F5)  # Refresh: the note still waits
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert workspace.tabText(2) == "Inbox (1)"


def test_a_nurse_is_told_who_cosigns_and_the_front_desk_has_no_inbox(
        qtbot, sign_in, background):
    nurse = workspace_of(qtbot, sign_in("nina"), background)
    assert tab_titles(nurse) == ["Today", "Patients", "Inbox", "Calendar", "Sync"]
    assert nurse.inbox.message.text().startswith("Only physicians cosign notes.")
    assert not nurse.inbox.table.isVisibleTo(nurse.inbox)
    assert not nurse.inbox.refresh.isVisibleTo(nurse.inbox)
    desk = workspace_of(qtbot, sign_in("frank"), background)
    assert desk.inbox is None
    assert tab_titles(desk) == ["Today", "Patients", "Calendar", "Sync"]


def test_a_note_opened_from_the_inbox_is_selected_in_a_chart_already_open(
        qtbot, sign_in, background):
    nurse = sign_in("nina")
    patient_id = nurse.patients.register(nurse.session, patient("Baptiste"))["id"]
    signed = []
    for words, cosigner in (("S: cough.", "drlee"), ("S: follow-up.", None)):
        draft = nurse.notes.start_draft(nurse.session, patient_id, "soap")
        nurse.notes.save_draft(nurse.session, draft.id, words)
        signed.append(nurse.notes.sign(nurse.session, draft.id, password_of("nina"),
                                       cosigner=cosigner))
    asked = signed[0]
    ws = sign_in("drlee")
    workspace = workspace_of(qtbot, ws, background)
    chart = workspace.open_chart(patient_id)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT)
    notes = chart.records("notes")
    chart.show_section("notes")
    qtbot.waitUntil(lambda: notes.model.rowCount() == 2, timeout=WAIT)
    chart.show_section("problems")

    inbox = workspace.inbox
    workspace.setCurrentWidget(inbox)
    qtbot.waitUntil(lambda: asked.id in [n.id for n in inbox.model.rows()], timeout=WAIT)
    row = [n.id for n in inbox.model.rows()].index(asked.id)
    cell = inbox.table.visualRect(inbox.table.model().index(row, 1)).center()
    qtbot.mouseClick(inbox.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseClick(inbox.open_button, Qt.MouseButton.LeftButton)
    assert workspace.currentWidget() is chart
    assert chart.sections.currentWidget() is chart.tabs["notes"]
    assert notes.table.currentIndex().data(ITEM_ROLE).id == asked.id
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_cosigning_in_the_chart_updates_the_inbox_count_and_the_note_shown_at_once(
        qtbot, sign_in, background):
    nurse = sign_in("nina")
    patient_id = nurse.patients.register(nurse.session, patient("Adeyemi"))["id"]
    draft = nurse.notes.start_draft(nurse.session, patient_id, "progress")
    nurse.notes.save_draft(nurse.session, draft.id, "Dressing changed; wound healing.")
    note = nurse.notes.sign(nurse.session, draft.id, password_of("nina"), cosigner="drlee")
    ws = sign_in("drlee")
    workspace = workspace_of(qtbot, ws, background)
    inbox = workspace.inbox
    qtbot.waitUntil(lambda: note.id in [n.id for n in inbox.model.rows()], timeout=WAIT)
    waiting_before = inbox.model.rowCount()
    assert workspace.tabText(2) == f"Inbox ({waiting_before})"
    workspace.setCurrentWidget(inbox)
    row = [n.id for n in inbox.model.rows()].index(note.id)
    cell = inbox.table.visualRect(inbox.table.model().index(row, 1)).center()
    qtbot.mouseClick(inbox.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseClick(inbox.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(workspace.currentWidget(), ChartView), timeout=WAIT)
    chart = workspace.currentWidget()
    qtbot.waitUntil(lambda: "notes" in chart.tabs, timeout=WAIT)
    notes_tab = chart.tabs["notes"]
    qtbot.waitUntil(lambda: notes_tab.cosign.isEnabled(), timeout=WAIT)
    assert "awaiting your cosignature" in notes_tab.signature.text()

    qtbot.mouseClick(notes_tab.cosign, Qt.MouseButton.LeftButton)
    dialog = notes_tab.cosign_dialog
    dialog.password.setText(password_of("drlee"))
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)

    left = "Inbox" if waiting_before == 1 else f"Inbox ({waiting_before - 1})"
    qtbot.waitUntil(lambda: workspace.tabText(2) == left, timeout=WAIT)  # no Refresh pressed
    assert note.id not in [n.id for n in inbox.model.rows()]
    qtbot.waitUntil(lambda: "cosigned by Dr Lee" in notes_tab.signature.text(), timeout=WAIT)
    assert not notes_tab.cosign.isEnabled()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
