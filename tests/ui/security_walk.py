"""What the security walkthrough (test_security_walkthrough.py) does on the screens, one step
a helper: sign in and out as a person does (lock, Switch user), add a user in the Admin
tab, set up the authenticator from the key the enrolment shows, break the glass from the
Patients tab, review in the Admin tab's Emergency access and Audit trail sections."""

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyotp
from PySide6.QtCore import Qt

from app.security.mfa_policy import MfaPolicy
from app.ui.chart.view import ChartView
from app.ui.shell.window import WorkstationWindow
from tests.conftest import TEST_POLICY

WAIT = 10000
CLICK = Qt.MouseButton.LeftButton
# Physicians sign in with an authenticator; nurses, admins and auditors with a password.
MFA_POLICY = replace(TEST_POLICY, mfa=MfaPolicy(required_roles=("physician",)))


def opened_window(qtbot, env, root) -> WorkstationWindow:
    window = WorkstationWindow(env, root)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def type_password(qtbot, window: WorkstationWindow, user: str, password: str) -> None:
    """The sign-in screen filled in and Sign in clicked."""
    window.login.user.setText(user)
    window.login.password.setText(password)
    qtbot.mouseClick(window.login.sign_in, CLICK)


def sign_in(qtbot, window: WorkstationWindow, user: str, password: str) -> None:
    type_password(qtbot, window, user, password)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=WAIT)


def sign_out(qtbot, window: WorkstationWindow, background) -> None:
    """Lock (Ctrl+L's action: offscreen, a window is never active to hear the shortcut),
    then Switch user on the lock screen ends the session."""
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    window.lock()
    assert window.pages.currentWidget() is window.lock_screen
    qtbot.mouseClick(window.lock_screen.switch, CLICK)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.login and
                    not background.busy, timeout=WAIT)


def admin_section(qtbot, window: WorkstationWindow, title: str):
    workspace = window.workspace
    workspace.setCurrentWidget(workspace.admin)
    return workspace.admin.section(title)


def add_user(qtbot, window: WorkstationWindow, background, name: str, full_name: str,
             role: str, password: str) -> str:
    """Admin tab, Users, Add user…: the form filled and saved; the new row's status."""
    section = admin_section(qtbot, window, "Users")
    qtbot.waitUntil(lambda: bool(section.users), timeout=WAIT)
    dialog = section.add_user()
    dialog.name.setText(name)
    dialog.full_name.setText(full_name)
    dialog.role.setCurrentText(role)
    dialog.password.setText(password)
    dialog.again.setText(password)
    qtbot.mouseClick(dialog.save, CLICK)
    qtbot.waitUntil(lambda: name in [u.name for u in section.users], timeout=WAIT)
    section.choose(name)
    return section.table.model().index(section.table.currentIndex().row(), 4).data()


def enrol(qtbot, window: WorkstationWindow) -> str:
    """The enrolment dialog after the password: the key it shows read off the screen, the
    app's code typed and confirmed, the recovery codes kept. The key (pyotp's secret)."""
    qtbot.waitUntil(lambda: window.second_factor.enrol_dialog is not None and
                    window.second_factor.enrol_dialog.confirm_button.isEnabled(), timeout=WAIT)
    dialog = window.second_factor.enrol_dialog
    assert window.workspace is None and not dialog.qr.pixmap().isNull()
    secret = re.sub(r"\s", "", dialog.key.text().removeprefix("Or type this key:"))
    dialog.code.setText(pyotp.TOTP(secret).now())
    qtbot.mouseClick(dialog.confirm_button, CLICK)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=WAIT)
    assert len(dialog.recovery.text().split()) == 10
    qtbot.mouseClick(dialog.done_button, CLICK)
    return secret


def choose_password(qtbot, window: WorkstationWindow, new: str) -> None:
    """The screen asking for her own password, after one an admin set."""
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.new_password, timeout=WAIT)
    window.new_password.password.setText(new)
    window.new_password.again.setText(new)
    qtbot.mouseClick(window.new_password.save, CLICK)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=WAIT)


def next_code(secret: str) -> str:
    """The code the phone shows in the next 30-second step: the enrolment spent this step's,
    and one step ahead is within the tolerance (app.security.mfa)."""
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))


def give_code(qtbot, window: WorkstationWindow, code: str) -> None:
    screen = window.second_factor.screen
    qtbot.waitUntil(lambda: window.pages.currentWidget() is screen, timeout=WAIT)
    assert window.workspace is None
    screen.password.setText(code)
    qtbot.mouseClick(screen.continue_button, CLICK)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=WAIT)


def open_from_search(qtbot, window: WorkstationWindow, typed: str) -> ChartView:
    """Patients tab: the name typed and Enter: the chart tab it opens."""
    workspace = window.workspace
    workspace.focus_search()
    qtbot.keyClicks(workspace.patients.field, typed)
    qtbot.waitUntil(lambda: workspace.patients.model.rowCount() == 1, timeout=WAIT)
    qtbot.keyClick(workspace.patients.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(workspace.currentWidget(), ChartView), timeout=WAIT)
    return workspace.currentWidget()


def break_glass(qtbot, chart: ChartView, reason: str, words: str, password: str) -> str:
    """The dialog the restricted chart offers, filled and saved: the chart's tab title."""
    qtbot.waitUntil(lambda: chart.break_glass is not None and chart.break_glass.isVisible(),
                    timeout=WAIT)
    dialog = chart.break_glass
    assert not chart.sections.isVisible()
    dialog.reason.setCurrentText(reason)
    dialog.words.setPlainText(words)
    dialog.password.setText(password)
    with qtbot.waitSignal(chart.titled, timeout=WAIT) as titled:
        qtbot.mouseClick(dialog.save, CLICK)
    assert chart.sections.isVisible()
    return titled.args[0]


def rows_of(section) -> list[list[str]]:
    """A section's table as the auditor reads it, row by row."""
    model = section.table.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def review(qtbot, window: WorkstationWindow, note: str) -> tuple[list[str], str]:
    """Admin tab, Emergency access: the row awaiting review, then marked reviewed with
    `note`; (the row as it was, the sentence after)."""
    section = admin_section(qtbot, window, "Emergency access")
    qtbot.waitUntil(lambda: section.model.rowCount() == 1, timeout=WAIT)
    [row] = rows_of(section)
    section.note.setPlainText(note)
    qtbot.mouseClick(section.reviewed, CLICK)
    qtbot.waitUntil(lambda: section.model.rowCount() == 0, timeout=WAIT)
    return row, section.status.text()


def trail_for(qtbot, window: WorkstationWindow, background, patient: str):
    """Admin tab, Audit trail: the patient's name typed and Enter: the section."""
    section = admin_section(qtbot, window, "Audit trail")
    qtbot.waitUntil(lambda: section.page is not None, timeout=WAIT)
    qtbot.keyClicks(section.patient, patient)
    qtbot.keyClick(section.patient, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not background.busy and
                    "Reading" not in section.counted.text(), timeout=WAIT)
    return section
