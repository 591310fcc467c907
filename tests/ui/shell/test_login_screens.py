"""The sign-in and lock screens read in full: no sentence cut off, no field squeezed by a
refusal, and the demo clinic says it is not protected. Real widgets offscreen (pytest-qt)."""

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel

from app.store.demo_secret import NOT_PROTECTED
from app.ui.shell.window import WorkstationWindow
from tests.conftest import password_of


@pytest.fixture
def window(qtbot, clinic):
    win = WorkstationWindow(clinic.env, clinic.root)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def shows_whole(label: QLabel) -> bool:
    """Whether the label's whole text fits in the space it was given (nothing clipped)."""
    flags = Qt.TextFlag.TextWordWrap if label.wordWrap() else 0
    needed = label.fontMetrics().boundingRect(QRect(0, 0, label.width(), 10**6), flags,
                                              label.text())
    return needed.width() <= label.width() and needed.height() <= label.height()


def locked_with_a_wrong_password(qtbot, window):
    window.login.user.setText("drlee")
    window.login.password.setText(password_of("drlee"))
    window.login.sign_in.click()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)
    window.lock()
    window.lock_screen.password.setText("not my password")
    window.lock_screen.unlock_button.click()
    qtbot.waitUntil(lambda: "Wrong password" in window.lock_screen.message.text(),
                    timeout=10000)
    qtbot.wait(50)  # the layout settles
    return window.lock_screen


def test_the_lock_screen_shows_its_whole_sentence(qtbot, window):
    screen = locked_with_a_wrong_password(qtbot, window)

    assert screen.who.text() == ("Dr Lee (drlee) is signed in. Enter the password to "
                                 "unlock, or switch user.")
    assert shows_whole(screen.who) and shows_whole(screen.message)


def test_a_long_name_wraps_instead_of_cutting_the_sentence_off(qtbot, window):
    window.lock_screen.show_for("Dr Alexandra Montgomery-Featherstonehaugh", "amontgomery")
    window.pages.setCurrentWidget(window.lock_screen)
    qtbot.wait(50)

    assert window.lock_screen.who.text().endswith("or switch user.")
    assert shows_whole(window.lock_screen.who)


def test_the_password_field_keeps_its_height_after_a_wrong_password(qtbot, window):
    screen = locked_with_a_wrong_password(qtbot, window)

    assert screen.password.height() >= screen.password.sizeHint().height()


def test_the_demo_clinic_without_a_keyring_says_so_in_the_title_and_on_sign_in(qtbot, clinic):
    window = WorkstationWindow(clinic.env, clinic.root, "Demo store. Sign in as: ...",
                               NOT_PROTECTED)
    qtbot.addWidget(window)
    window.show()
    qtbot.wait(50)

    assert window.windowTitle() == "Hearth — Demo clinic: synthetic data, not protected"
    assert window.login.notice.isVisible() and window.login.notice.text() == NOT_PROTECTED
    assert shows_whole(window.login.notice)
    window.close()
