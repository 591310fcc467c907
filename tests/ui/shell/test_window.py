"""The workstation window as a clinician meets it: sign in, walk away, come back, hand over.

Real widgets offscreen (pytest-qt) over the real clinic store of tests/ui/conftest.py.
"""

import time
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)

from app.security.policy import SyncPolicy
from app.ui.operations import Op
from app.ui.shell.window import WorkstationWindow
from tests.conftest import password_of
from tests.sync.conftest import fresh_fhir_server  # noqa: F401 (a fixture)
from tests.sync.stations import PASSWORD, workstation


@pytest.fixture
def window(qtbot, clinic):
    win = WorkstationWindow(clinic.env, clinic.root)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def sign_in(qtbot, window, user="drlee", password=None):
    window.login.user.setText(user)
    window.login.password.setText(password or password_of(user))
    qtbot.mouseClick(window.login.sign_in, Qt.MouseButton.LeftButton)


def signed_in(qtbot, window, user="drlee"):
    sign_in(qtbot, window, user)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)
    return window.workspace


def open_chart(qtbot, workspace, patient_id):
    chart = workspace.open_chart(patient_id)
    qtbot.waitUntil(lambda: workspace.tabText(workspace.indexOf(chart)) != "Opening chart…",
                    timeout=10000)
    return chart


def shown_texts(root: QWidget) -> list[str]:
    """Every piece of text the window could show: labels, fields, buttons, tabs, tables."""
    texts = [root.windowTitle()]
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QLabel | QLineEdit | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            texts += [str(model.index(r, c).data()) for r in range(model.rowCount())
                      for c in range(model.columnCount())]
    return texts


def test_a_wrong_password_is_refused_by_name_and_the_right_one_opens_the_workspace(
        qtbot, window):
    sign_in(qtbot, window, password="not it")
    qtbot.waitUntil(lambda: "Wrong password" in window.login.message.text(), timeout=10000)
    assert window.workspace is None
    workspace = signed_in(qtbot, window)
    assert [workspace.tabText(i).split(" (")[0] for i in range(workspace.fixed_tabs)] == [
        "Today", "Patients", "Inbox", "Calendar", "Reports", "Sync"]  # Inbox may carry a count
    assert window.who.text() == "Dr Lee (physician)"


def test_walking_away_locks_and_no_patient_name_stays_on_screen(qtbot, window, clinic):
    workspace = signed_in(qtbot, window)
    for patient_id in clinic.patient_ids.values():
        open_chart(qtbot, workspace, patient_id)
    families = list(clinic.patient_ids)
    assert any(family in text for text in shown_texts(window) for family in families)
    window.idle.timer.setInterval(100)
    window.idle.start()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.lock_screen, timeout=5000)
    qtbot.waitUntil(lambda: not any(family in text for text in shown_texts(window)
                                    for family in families), timeout=5000)
    assert "Dr Lee (drlee) is signed in" in window.lock_screen.who.text()


def test_moving_the_mouse_or_typing_in_any_window_keeps_it_unlocked(qtbot, window, clinic):
    workspace = signed_in(qtbot, window)
    chart = open_chart(qtbot, workspace, next(iter(clinic.patient_ids.values())))
    printing = chart.open_print()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is printing.windowHandle())
    window.idle.timer.setInterval(400)
    window.idle.start()
    for step in range(6):  # 900 ms of activity, more than twice the idle time
        qtbot.wait(150)
        if step % 2:
            QTest.keyClick(printing.windowHandle(), Qt.Key.Key_Shift)
        else:
            QTest.mouseMove(window.windowHandle(), QPoint(200 + step, 200))
    assert window.pages.currentWidget() is not window.lock_screen
    printing.close()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.lock_screen, timeout=5000)


def test_unlocking_as_the_same_user_brings_back_the_same_charts(qtbot, window, clinic):
    workspace = signed_in(qtbot, window)
    patient_id = next(iter(clinic.patient_ids.values()))
    open_chart(qtbot, workspace, patient_id)
    window.lock()
    window.lock_screen.password.setText("wrong one")
    qtbot.mouseClick(window.lock_screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Wrong password" in window.lock_screen.message.text(), timeout=10000)
    window.lock_screen.password.setText(password_of("drlee"))
    qtbot.mouseClick(window.lock_screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)
    assert window.workspace.open_charts() == [patient_id]
    qtbot.waitUntil(lambda: not window.background.busy, timeout=10000)  # the chart is read


def test_unlocking_brings_back_patient_details_tabs_too(qtbot, window, clinic):
    workspace = signed_in(qtbot, window)
    first, second = list(clinic.patient_ids.values())[:2]
    workspace.open_demographics(first)
    open_chart(qtbot, workspace, second)
    qtbot.waitUntil(lambda: not window.background.busy, timeout=10000)
    window.lock()
    window.lock_screen.password.setText(password_of("drlee"))
    qtbot.mouseClick(window.lock_screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)
    assert window.workspace.patient_tabs() == (("details", first), ("chart", second))
    qtbot.waitUntil(lambda: not window.background.busy, timeout=10000)


def test_switching_user_starts_the_next_session_clean(qtbot, window, clinic):
    workspace = signed_in(qtbot, window)
    open_chart(qtbot, workspace, next(iter(clinic.patient_ids.values())))
    window.lock()
    qtbot.mouseClick(window.lock_screen.switch, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.login and window.login.user.text() == ""
    workspace = signed_in(qtbot, window, "nina")
    assert workspace.open_charts() == []
    assert window.who.text() == "Nina Nurse (nurse)"


def test_keyboard_search_lock_and_close_chart(qtbot, window, clinic):
    workspace = signed_in(qtbot, window)
    open_chart(qtbot, workspace, next(iter(clinic.patient_ids.values())))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts go to the active window
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert workspace.open_charts() == []
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert workspace.currentWidget() is workspace.patients
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.lock_screen


def test_a_slow_store_operation_never_freezes_the_window(qtbot, window):
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    finished = []
    Op(window, window.background, lambda: time.sleep(1.0)).success(finished.append).run()
    qtbot.waitUntil(lambda: len(finished) == 1, timeout=5000)
    timer.stop()
    assert len(ticks) >= 25  # the UI thread kept handling events all the while
    assert max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) < 0.5


def test_every_control_has_a_name_a_screen_reader_can_say(qtbot, window, clinic):
    workspace = signed_in(qtbot, window)
    open_chart(qtbot, workspace, next(iter(clinic.patient_ids.values())))
    unnamed = [type(w).__name__ for w in window.findChildren(QWidget)
               if isinstance(w, QAbstractButton | QLineEdit | QComboBox | QAbstractItemView)
               and not isinstance(w, QHeaderView)  # read out as part of its table
               and w.isVisibleTo(window) and not (w.accessibleName() or getattr(
                   w, "text", lambda: "")())]
    assert unnamed == []


def test_with_a_sync_server_in_the_policy_sync_runs_in_the_background(
        qtbot, env, tmp_path, fresh_fhir_server):
    root = tmp_path / "ward"
    workstation(env, root).close()
    preset = replace(env.effective_policy(), sync=SyncPolicy(
        server=fresh_fhir_server.base_url, interval_seconds=60))
    win = WorkstationWindow(replace(env, policy=preset), root)
    qtbot.addWidget(win)
    win.login.user.setText("pat")
    win.login.password.setText(PASSWORD)
    qtbot.mouseClick(win.login.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.online.text() == "Online", timeout=20000)
    assert win.pending.text() == "0 changes waiting to sync"
    assert win.last_sync.text().startswith("Last sync ")
    win.close()
