"""Signing in with a second factor in the real window (pytest-qt, offscreen): enrolment right
after the password for a role that requires it, the code screen, and unlock within a shift."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import text

from app.bootstrap import Environment
from app.security.mfa import SecondFactor
from app.security.mfa_policy import MfaPolicy
from app.ui.shell.window import WorkstationWindow
from tests.conftest import TEST_POLICY, password_of

MFA_POLICY = replace(TEST_POLICY, mfa=MfaPolicy(required_roles=("physician",)))


@pytest.fixture
def mfa_env(clinic) -> Environment:
    return Environment(keyring_backend=clinic.env.keyring_backend, policy=MFA_POLICY)


@pytest.fixture
def window(qtbot, clinic, mfa_env):
    win = WorkstationWindow(mfa_env, clinic.root)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def type_password(qtbot, window, user: str) -> None:
    window.login.user.setText(user)
    window.login.password.setText(password_of(user))
    window.login.sign_in.click()


def enrol_beforehand(clinic, user: str = "drlee") -> str:
    """Enrolled two minutes ago (so its code's step is spent); the stored secret."""
    ws = clinic.sign_in(user)
    factor = SecondFactor(ws.store, MFA_POLICY)
    enrolment = factor.begin(ws.session)
    before = datetime.now(UTC) - timedelta(minutes=2)
    factor.confirm(ws.session, enrolment, pyotp.TOTP(enrolment.secret).at(before), before)
    with ws.store.read() as conn:
        stored = json.loads(conn.execute(text(
            "SELECT value FROM store_meta WHERE key = :k"),
            {"k": f"second_factor:{user}"}).scalar_one())
    ws.store.close()
    return stored["secret"]


def test_a_physician_not_enrolled_enrols_after_the_password_then_the_workstation_opens(
        qtbot, window):
    type_password(qtbot, window, "drlee")
    qtbot.waitUntil(lambda: window.second_factor.enrol_dialog is not None and
                    window.second_factor.enrol_dialog.confirm_button.isEnabled(), timeout=10000)
    dialog = window.second_factor.enrol_dialog
    assert window.workspace is None  # nothing opens before the code
    assert not dialog.qr.pixmap().isNull()
    dialog.code.setText("123")
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: "Type the 6 digits" in dialog.message.text(), timeout=10000)

    dialog.code.setText(pyotp.TOTP(dialog.enrolment.secret).now())
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10000)
    assert all(code in dialog.recovery.text() for code in dialog.enrolment.recovery_codes)
    dialog.done_button.click()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)


def test_an_enrolled_physician_signs_in_with_the_code_from_the_stored_secret(
        qtbot, window, clinic):
    secret = enrol_beforehand(clinic)
    type_password(qtbot, window, "drlee")
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.second_factor.screen,
                    timeout=10000)
    screen = window.second_factor.screen
    screen.password.setText("000000")
    screen.continue_button.click()
    qtbot.waitUntil(lambda: "does not match" in screen.message.text(), timeout=10000)
    assert "30 seconds either side" in screen.message.text() and window.workspace is None

    screen.password.setText(pyotp.TOTP(secret).now())
    screen.continue_button.click()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)


def test_a_nurse_whose_role_is_not_required_signs_in_as_before(qtbot, window):
    type_password(qtbot, window, "nina")
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)


def test_cancelling_the_code_signs_out_and_says_so(qtbot, window, clinic):
    enrol_beforehand(clinic)
    type_password(qtbot, window, "drlee")
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.second_factor.screen,
                    timeout=10000)
    window.second_factor.screen.cancel.click()

    assert window.pages.currentWidget() is window.login
    assert window.login.message.text() == "Signed out: no code was given."


def test_unlock_within_the_shift_takes_the_password_alone(qtbot, window, clinic):
    secret = enrol_beforehand(clinic)
    type_password(qtbot, window, "drlee")
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.second_factor.screen,
                    timeout=10000)
    window.second_factor.screen.password.setText(pyotp.TOTP(secret).now())
    window.second_factor.screen.continue_button.click()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)

    window.lock()
    window.lock_screen.password.setText(password_of("drlee"))
    window.lock_screen.unlock_button.click()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)
