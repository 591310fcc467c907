"""Screenshot scenes of the second factor, run by tests.ui.screenshots (which see): the demo
doctor, whose role the policy now requires to use an authenticator, enrols right after the
password (the QR code, then the recovery codes), then signs in again and mistypes the code.
On a copy of the demo store, so the other scenes sign in as before. Not a test: people look
at them."""

import shutil
from dataclasses import replace
from pathlib import Path

import pyotp

from app.cli.demo import DOCTOR
from app.security.mfa_policy import MfaPolicy
from app.ui.shell.window import WorkstationWindow
from tests.ui.screenshots import demo_user, save, wait_until


def second_factor(env, info, work: Path, folder: Path) -> None:
    root = work / "mfa-demo"
    shutil.copytree(info.root, root)  # the same store id, so the same device secret
    mfa_env = replace(env, policy=replace(env.policy, mfa=MfaPolicy(
        required_roles=("physician", "admin"))))
    doctor = demo_user(info, DOCTOR)
    window = WorkstationWindow(mfa_env, root)
    window.resize(1280, 800)
    window.show()
    window.login.user.setText(doctor.name)
    window.login.password.setText(doctor.password)
    window.login.sign_in.click()
    wait_until(lambda: window.second_factor.enrol_dialog is not None
               and window.second_factor.enrol_dialog.confirm_button.isEnabled())
    dialog = window.second_factor.enrol_dialog
    dialog.resize(560, 640)
    save(dialog, folder, "mfa-enrol-scan")
    dialog.code.setText(pyotp.TOTP(dialog.enrolment.secret).now())
    dialog.confirm_button.click()
    wait_until(lambda: dialog.pages.currentIndex() == 1)
    save(dialog, folder, "mfa-recovery-codes")
    dialog.done_button.click()
    wait_until(lambda: window.workspace is not None)

    window.switch_user()
    window.login.user.setText(doctor.name)
    window.login.password.setText(doctor.password)
    window.login.sign_in.click()
    screen = window.second_factor.screen
    wait_until(lambda: window.pages.currentWidget() is screen)
    screen.password.setText("123456")
    screen.continue_button.click()
    wait_until(lambda: "does not match" in screen.message.text())
    save(window, folder, "mfa-code-refused")
    window.close()
