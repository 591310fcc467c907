"""Writing notes in the chart: autosave as typed, on focus change and on every way the editor
can go away; signing with the password; the Notes tab's drafts, addendum and cosign.

Real widgets offscreen over a real store of this module's own (each test writes notes for a
patient of its own, so no test finds another's drafts).
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QTabWidget,
    QWidget,
)

from app.bootstrap import open_workstation
from app.clinical.notes.notes import Notes
from app.clinical.notes.templates import TEMPLATES, Template
from app.security.mfa import SecondFactor
from app.store.activity import NOTE_DRAFT, Activity
from app.ui.chart.notes.editor import NoteEditor
from app.ui.chart.notes.tab import NotesTab
from app.ui.chart.view import ChartView
from app.ui.operations import session as session_ops
from tests.conftest import new_store, password_of
from tests.sync.stations import patient
from tests.ui.conftest import USERS

WAIT = 10000


@pytest.fixture(scope="module")
def practice(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("practice") / "store"
    env, _ = new_store(root, {**USERS, "drhill": ("Dr Hill", "physician")})
    return env, root


@pytest.fixture
def sign_in(practice):
    """sign_in(user, autosave_seconds) -> workstation; all are closed after the test."""
    opened = []

    def open_as(user="drlee", autosave_seconds=5.0):
        ws = open_workstation(*practice, user, password_of(user))
        opened.append(ws)
        return replace(ws, policy=replace(ws.policy, note_autosave_seconds=autosave_seconds))

    yield open_as
    for ws in opened:
        ws.store.close()


@pytest.fixture
def ann(sign_in):
    ws = sign_in("nina")
    return ws.patients.register(ws.session, patient("Okafor"))["id"]


def draft_text(ws, draft_id) -> str | None:
    with ws.store.read() as conn:
        return conn.exec_driver_sql("SELECT text FROM note_draft WHERE id = ?",
                                    (draft_id,)).scalar_one_or_none()


def editor_for(qtbot, ws, background, patient_id) -> NoteEditor:
    notes = Notes(ws.store, ws.policy)
    editor = NoteEditor(ws, background, notes, notes.start_draft(ws.session, patient_id, "soap"))
    qtbot.addWidget(editor)
    editor.resize(700, 500)
    editor.show()
    return editor


def notes_tab(qtbot, ws, background, patient_id, closed_by_test=False) -> NotesTab:
    """The Notes tab of the patient's open chart, shown (the chart is closed after the test
    unless the test closes it itself)."""
    chart = ChartView(ws, background, patient_id)
    if not closed_by_test:
        qtbot.addWidget(chart)
    chart.resize(1200, 700)
    chart.show()
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT)
    return chart.show_section("notes")


def test_typing_is_saved_every_few_seconds_and_the_time_is_shown(qtbot, sign_in, background,
                                                                 ann):
    ws = sign_in(autosave_seconds=0.2)
    editor = editor_for(qtbot, ws, background, ann)
    qtbot.keyClicks(editor.text, "Cough for 3 days.")
    assert editor.text.toPlainText().startswith("Subjective:\nCough for 3 days.\n")
    qtbot.waitUntil(lambda: draft_text(ws, editor.draft.id) == editor.text.toPlainText(),
                    timeout=WAIT)
    qtbot.waitUntil(lambda: editor.status.text().startswith("Saved "), timeout=WAIT)


def test_an_open_note_keeps_an_update_from_being_staged(keyring_session, tmp_path, background):
    """A store of its own: other tests' editors, deleted whenever Python collects them,
    would mark this module's store busy."""
    env, _ = new_store(tmp_path / "store", {"drlee": USERS["drlee"]})
    ws = open_workstation(env, tmp_path / "store", "drlee", password_of("drlee"))
    notes = Notes(ws.store, ws.policy)
    ann = ws.patients.register(ws.session, patient("Okafor"))["id"]
    editor = NoteEditor(ws, background, notes, notes.start_draft(ws.session, ann, "soap"))
    activity = Activity(tmp_path / "store")
    assert activity.held(NOTE_DRAFT)
    editor.deleteLater()  # the chart tab closed
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not activity.held(NOTE_DRAFT)
    ws.store.close()


def test_leaving_the_text_saves_at_once(qtbot, sign_in, background, ann):
    ws = sign_in(autosave_seconds=600)
    editor = editor_for(qtbot, ws, background, ann)
    editor.activateWindow()
    editor.text.setFocus()
    qtbot.waitUntil(editor.text.hasFocus, timeout=WAIT)
    qtbot.keyClicks(editor.text, "Wheeze on the left.")
    editor.sign_button.setFocus()  # Tab from the text goes there
    qtbot.waitUntil(lambda: "Wheeze on the left." in (draft_text(ws, editor.draft.id) or ""),
                    timeout=WAIT)


class Window(QMainWindow):
    """Closes as WorkstationWindow does: sign-out queued, then the database thread drained."""

    def __init__(self, ws, background):
        super().__init__()
        self.ws, self.background = ws, background

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        session_ops.sign_out(self, self.background, self.ws).run()
        self.background.wait_until_idle()
        super().closeEvent(event)


@pytest.mark.parametrize("how", ["chart tab closed", "window closed"])
def test_no_way_of_closing_loses_what_was_typed(qtbot, sign_in, background, ann, how):
    ws = sign_in(autosave_seconds=600)  # no timer save: only closing can have saved it
    tab = notes_tab(qtbot, ws, background, ann, closed_by_test=how == "chart tab closed")
    tab.start_note("progress")
    qtbot.waitUntil(lambda: bool(tab.editors), timeout=WAIT)
    [editor] = tab.editors.values()
    window = Window(ws, background)
    qtbot.addWidget(window)
    charts = QTabWidget()
    charts.addTab(tab, "Okafor, Ann")
    window.setCentralWidget(charts)
    window.show()
    qtbot.keyClicks(editor.text, "Seen with her daughter.")
    if how == "chart tab closed":  # as Workspace closes a chart
        charts.removeTab(0)
        tab.deleteLater()
    else:
        window.close()
    background.wait_until_idle()
    again = sign_in()
    assert "Seen with her daughter." in draft_text(again, editor.draft.id)
    with again.store.read() as conn:  # saved before the sign-out, not after
        saved, signed_out = conn.exec_driver_sql(
            "SELECT saved_at, (SELECT min(at) FROM audit WHERE action = 'logout' AND "
            "at > created_at) FROM note_draft WHERE id = ?", (editor.draft.id,)).one()
    assert (signed_out is None) == (how == "chart tab closed")
    assert signed_out is None or saved < signed_out


def test_signing_asks_the_password_then_locks_the_note_and_lists_it(qtbot, sign_in,
                                                                    background, ann):
    ws = sign_in()
    tab = notes_tab(qtbot, ws, background, ann)
    tab.start_note("soap")
    qtbot.waitUntil(lambda: bool(tab.editors), timeout=WAIT)
    [editor] = tab.editors.values()
    assert [tab.drafts_model.index(0, c).data() for c in range(3)][1:] == [
        "SOAP note", "Draft — continue"]
    qtbot.keyClicks(editor.text, "Sore throat, no fever.")
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible(),
                    timeout=WAIT)
    dialog = editor.dialog
    qtbot.keyClicks(dialog.password, "not my password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not Dr Lee's password" in dialog.message.text(), timeout=WAIT)
    assert not editor.text.isReadOnly() and dialog.password.text() == ""
    qtbot.keyClicks(dialog.password, password_of("drlee"))
    with qtbot.waitSignal(editor.signed, timeout=WAIT):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert editor.text.isReadOnly() and not dialog.isVisible()
    assert editor.status.text().startswith("Signed by Dr Lee at ")
    assert not editor.sign_button.isVisible() and not tab.drafts.isVisible()
    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 1, timeout=WAIT)
    assert tab.records.model.item(0).title == "SOAP note"
    tab.records.table.selectRow(0)
    qtbot.waitUntil(lambda: tab.shown_note is not None, timeout=WAIT)
    assert "Sore throat, no fever." in tab.text.toPlainText()
    assert tab.signature.text().startswith("Signed by Dr Lee at ")


def test_addendum_is_offered_right_after_signing_without_clicking_the_row(
        qtbot, sign_in, background, ann):
    ws = sign_in()
    tab = notes_tab(qtbot, ws, background, ann)
    tab.start_note("progress")
    qtbot.waitUntil(lambda: bool(tab.editors), timeout=WAIT)
    [editor] = tab.editors.values()
    assert not tab.addendum.isEnabled()
    qtbot.keyClicks(editor.text, "Feels better; eating again.")
    editor.ask_to_sign()
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible(),
                    timeout=WAIT)
    qtbot.keyClicks(editor.dialog.password, password_of("drlee"))
    with qtbot.waitSignal(editor.signed, timeout=WAIT) as signed:
        qtbot.keyClick(editor.dialog.password, Qt.Key.Key_Return)
    assert tab.addendum.isEnabled()
    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 1, timeout=WAIT)
    assert tab.addendum.isEnabled()  # still, once the list is read again

    qtbot.mouseClick(tab.addendum, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(tab.editors), timeout=WAIT)
    [addendum] = tab.editors.values()
    assert addendum.draft.appends == signed.args[0].id
    assert addendum.title.text() == "Addendum to Progress note — draft"
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_new_note_lists_a_template_naming_an_unknown_field_greyed_and_says_why(
        qtbot, sign_in, background, ann, tmp_path, monkeypatch):
    (tmp_path / "soap.txt").write_text("Objective:\n{vital}\n", encoding="utf-8")
    monkeypatch.setitem(TEMPLATES, "soap", Template("soap", "SOAP note", "11506-3",
                                                    "Progress note", folder=tmp_path))
    tab = notes_tab(qtbot, sign_in(), background, ann)
    offered = {a.text(): a.isEnabled() for a in tab.templates.actions()}
    assert offered == {"SOAP note": False, "Progress note": True, "Procedure note": True}
    assert tab.action_message.isVisible()
    assert tab.action_message.text().startswith(
        "The note template soap.txt (SOAP note) names {vital}, which is not a field")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_reopening_the_chart_reopens_the_draft_as_it_was(qtbot, sign_in, background, ann):
    ws = sign_in()
    first = notes_tab(qtbot, ws, background, ann, closed_by_test=True)
    first.start_note("procedure")
    qtbot.waitUntil(lambda: bool(first.editors), timeout=WAIT)
    [editor] = first.editors.values()
    qtbot.keyClicks(editor.text, "Ingrown toenail, left hallux.")
    typed = editor.text.toPlainText()
    first.window().hide()  # the chart tab closes
    first.window().deleteLater()
    background.wait_until_idle()
    again = notes_tab(qtbot, ws, background, ann)
    qtbot.waitUntil(lambda: bool(again.editors), timeout=WAIT)
    [reopened] = again.editors.values()
    assert reopened.text.toPlainText() == typed
    assert again.pane.currentWidget() is reopened and again.drafts.isVisible()


def test_a_nurse_asks_for_cosignature_and_the_physician_cosigns_and_adds_an_addendum(
        qtbot, sign_in, background, ann):
    nurse = sign_in("nina")
    notes = Notes(nurse.store, nurse.policy)
    draft = notes.start_draft(nurse.session, ann, "progress")
    notes.save_draft(nurse.session, draft.id, "Wound clean, redressed.")
    notes.sign(nurse.session, draft.id, password_of("nina"), cosigner="drlee")
    nurse_tab = notes_tab(qtbot, nurse, background, ann)
    assert nurse_tab.new_note.isVisible() and not nurse_tab.cosign.isVisible()

    ws = sign_in("drlee")
    tab = notes_tab(qtbot, ws, background, ann)
    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 1, timeout=WAIT)
    tab.records.table.selectRow(0)
    qtbot.waitUntil(lambda: tab.cosign.isEnabled(), timeout=WAIT)
    assert "awaiting your cosignature" in tab.signature.text()
    before = tab.records
    qtbot.mouseClick(tab.cosign, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(tab.cosign_dialog.password, password_of("drlee"))
    qtbot.keyClick(tab.cosign_dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not tab.cosign_dialog.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: tab.records is not before and tab.records.model.rowCount() == 1,
                    timeout=WAIT)  # the chart hands the tab the list read again
    tab.records.table.selectRow(0)
    qtbot.waitUntil(lambda: "cosigned by Dr Lee" in tab.signature.text(), timeout=WAIT)
    assert not tab.cosign.isEnabled()

    qtbot.mouseClick(tab.addendum, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(tab.editors), timeout=WAIT)
    [editor] = tab.editors.values()
    assert editor.title.text() == "Addendum to Progress note — draft"
    qtbot.keyClicks(editor.text, "Reviewed: healing well.")
    editor.ask_to_sign()
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible(),
                    timeout=WAIT)
    qtbot.keyClicks(editor.dialog.password, password_of("drlee"))
    qtbot.keyClick(editor.dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 2, timeout=WAIT)
    original = next(row for row in range(2)
                    if tab.records.model.item(row).title == "Progress note")
    tab.records.table.selectRow(original)
    qtbot.waitUntil(lambda: "Reviewed: healing well." in tab.text.toPlainText(), timeout=WAIT)
    assert tab.text.toPlainText().startswith("Wound clean, redressed.\n\n——— Addendum signed "
                                             "by Dr Lee at ")


def test_every_control_of_the_notes_tab_has_a_name(qtbot, sign_in, background, ann):
    ws = sign_in()
    tab = notes_tab(qtbot, ws, background, ann)
    tab.start_note("soap")
    qtbot.waitUntil(lambda: bool(tab.editors), timeout=WAIT)
    [editor] = tab.editors.values()
    editor.ask_to_sign()
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible(),
                    timeout=WAIT)
    unnamed = [type(w).__name__ for root in (tab, editor.dialog)
               for w in root.findChildren(QWidget)
               if isinstance(w, QAbstractButton | QLineEdit | QComboBox | QAbstractItemView)
               and not isinstance(w, QHeaderView) and w.isVisibleTo(root)
               and not w.accessibleName()]
    assert unnamed == []
    assert editor.text.toPlainText() == editor.draft.text  # nothing typed while looking


def test_a_signed_note_marked_entered_in_error_stays_listed_and_unchanged(
        qtbot, sign_in, background, ann):
    ws = sign_in("drlee")
    notes = Notes(ws.store, ws.policy)
    draft = notes.start_draft(ws.session, ann, "progress")
    notes.save_draft(ws.session, draft.id, "Chest clear. Plan: review in a week.")
    notes.sign(ws.session, draft.id, password_of("drlee"))
    tab = notes_tab(qtbot, ws, background, ann)
    assert tab.in_error.isVisible() and not tab.in_error.isEnabled()
    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 1, timeout=WAIT)
    tab.records.table.selectRow(0)
    qtbot.waitUntil(lambda: tab.in_error.isEnabled(), timeout=WAIT)
    text = tab.text.toPlainText()
    assert text == "Chest clear. Plan: review in a week."

    qtbot.mouseClick(tab.in_error, Qt.MouseButton.LeftButton)
    dialog = tab.error_dialog
    assert dialog.isVisible() and dialog.heading.text() == (
        "Mark note entered in error: Progress note")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)  # no reason: refused
    qtbot.waitUntil(lambda: dialog.save.isEnabled() and dialog.message.isVisible(),
                    timeout=WAIT)
    assert dialog.message.text().startswith("Record not accepted: Say why the note")
    qtbot.keyClicks(dialog.reason, "Written in the wrong patient's chart")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert tab.signature.text().endswith(
        "ENTERED IN ERROR: Written in the wrong patient's chart")
    assert tab.signature.tone == "alert"
    assert tab.text.toPlainText() == text and not tab.in_error.isEnabled()

    listed = lambda: tab.records.model  # noqa: E731 (the chart hands the tab a new list)
    qtbot.waitUntil(lambda: listed().rowCount() == 1
                    and listed().item(0).status == "entered-in-error", timeout=WAIT)
    tab.records.table.selectRow(0)
    qtbot.waitUntil(lambda: tab.shown_note is not None, timeout=WAIT)
    assert tab.text.toPlainText() == text
    assert "ENTERED IN ERROR: Written in the wrong patient's chart" in tab.signature.text()
    assert not tab.in_error.isEnabled()
    assert notes.read(ws.session, ann, tab.shown_note.id).text == text


def test_a_two_factor_signature_asks_the_authenticator_code_beside_the_password(
        qtbot, sign_in, background, ann):
    ws = sign_in("drhill")
    two_factor = replace(ws.policy, mfa=replace(ws.policy.mfa, at_signing="code"))
    ws = replace(ws, policy=two_factor, notes=Notes(ws.store, two_factor, ws.changes))
    factor, earlier = SecondFactor(ws.store, ws.policy), datetime.now(UTC) - timedelta(minutes=5)
    enrolment = factor.begin(ws.session)
    factor.confirm(ws.session, enrolment, pyotp.TOTP(enrolment.secret).at(earlier), earlier)
    tab = notes_tab(qtbot, ws, background, ann)
    tab.start_note("soap")
    qtbot.waitUntil(lambda: bool(tab.editors), timeout=WAIT)
    [editor] = tab.editors.values()
    qtbot.keyClicks(editor.text, "Seen with two factors.")
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible(),
                    timeout=WAIT)
    dialog = editor.dialog
    assert dialog.code.isVisible()
    qtbot.keyClicks(dialog.password, password_of("drhill"))
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert "code from your authenticator app too" in dialog.message.text()
    qtbot.keyClicks(dialog.password, password_of("drhill"))
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # on to the code
    qtbot.keyClicks(dialog.code, pyotp.TOTP(enrolment.secret).now())
    with qtbot.waitSignal(editor.signed, timeout=WAIT):
        qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert editor.status.text().startswith("Signed by Dr Hill at ")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)  # the list read again
