"""The Admin tab's Users section as an admin meets it, on a real store: a physician added in
the window signs in with her first password only to be asked for her own; the last admin is
not demoted; a name taken and a weak password are refused in the form, in the service's
sentence; the auditor has no Users section."""

from datetime import UTC, datetime

import pyotp
import pytest

from app.bootstrap import open_workstation
from app.security.login import log_in
from app.security.mfa import SecondFactor
from app.security.users import UserAccounts
from app.store.paths import StorePaths
from app.ui.admin.users import UsersSection
from app.ui.admin.view import sections_for
from app.ui.shell.window import WorkstationWindow
from app.ui.shell.workspace import Workspace
from tests.conftest import ADMIN_PASSWORD, password_of, sign_in

WAIT = 10000


@pytest.fixture
def section(qtbot, admin, background):
    workspace = Workspace(admin, background)
    qtbot.addWidget(workspace)
    workspace.resize(1200, 800)
    workspace.show()
    workspace.setCurrentWidget(workspace.admin)
    shown = workspace.admin.section("Users")
    qtbot.waitUntil(lambda: not background.busy and bool(shown.users), timeout=WAIT)
    yield shown


def add_in_window(qtbot, section: UsersSection, background, name: str, role: str,
                  password: str) -> None:
    dialog = section.add_user()
    dialog.name.setText(name)
    dialog.full_name.setText(name.title())
    dialog.role.setCurrentText(role)
    dialog.password.setText(password)
    dialog.again.setText(password)
    dialog.save.click()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_a_physician_added_in_the_window_must_choose_her_own_password(
        qtbot, section, background, env, store_dir):
    add_in_window(qtbot, section, background, "drpark", "physician", "first pass 1")
    qtbot.waitUntil(lambda: "drpark" in [u.name for u in section.users], timeout=WAIT)
    section.choose("drpark")
    assert section.table.model().index(section.table.currentIndex().row(), 4).data() \
        == "to be changed at next sign-in"
    first = log_in(StorePaths(store_dir), "drpark", "first pass 1", env.device_secrets(),
                   env.effective_policy())
    assert first.must_change_password and first.session.role == "physician"
    first.store.close()


def test_the_last_admin_is_not_demoted(qtbot, section, background, admin):
    section.choose("admin")
    dialog = section.change_role()
    dialog.role.setCurrentText("physician")
    dialog.save.click()
    qtbot.waitUntil(lambda: not background.busy and dialog.message.isVisible(), timeout=WAIT)
    assert dialog.message.text().endswith(
        "Hearth needs at least one admin: add another admin before changing admin's role.")
    assert [u.role for u in admin.users.list(admin.session) if u.name == "admin"] == ["admin"]


def test_the_last_admin_is_not_locked(qtbot, section, background):
    section.choose("admin")
    section.lock(True)
    qtbot.waitUntil(lambda: not background.busy and "Hearth needs" in section.status.text(),
                    timeout=WAIT)
    assert section.status.text().endswith("add another admin before locking admin.")


def test_a_name_taken_and_a_weak_password_are_refused_in_the_form(qtbot, section,
                                                                  background):
    dialog = section.add_user()
    dialog.name.setText("admin")
    dialog.password.setText("long enough 1")
    dialog.again.setText("long enough 1")
    dialog.save.click()
    qtbot.waitUntil(lambda: not background.busy and dialog.message.isVisible(), timeout=WAIT)
    assert dialog.message.text().endswith("A user named 'admin' already exists.")
    dialog.name.setText("drpark")
    dialog.password.setText("short")
    dialog.again.setText("short")
    dialog.save.click()
    qtbot.waitUntil(lambda: not background.busy and "too short" in dialog.message.text(),
                    timeout=WAIT)
    assert dialog.isVisible() and dialog.name.text() == "drpark"


def test_the_auditor_has_no_users_section(admin, env, store_dir):
    auditor = sign_in(admin, env, store_dir, "audrey", "auditor")
    try:
        assert "Users" not in [s.title for s in sections_for(auditor.session)]
        assert "Users" in [s.title for s in sections_for(admin.session)]
    finally:
        auditor.store.close()


def test_a_reset_password_is_changed_at_the_next_sign_in(qtbot, section, background, admin,
                                                        env, store_dir):
    sign_in(admin, env, store_dir, "nina", "nurse").store.close()
    section.read()
    qtbot.waitUntil(lambda: "nina" in [u.name for u in section.users], timeout=WAIT)
    section.choose("nina")
    dialog = section.reset_password()
    dialog.password.setText("temporary 1")
    dialog.again.setText("temporary 1")
    dialog.save.click()
    qtbot.waitUntil(lambda: not background.busy and not dialog.isVisible(), timeout=WAIT)
    paths, secrets, policy = StorePaths(store_dir), env.device_secrets(), env.effective_policy()
    nina = log_in(paths, "nina", "temporary 1", secrets, policy)
    assert nina.must_change_password
    UserAccounts(nina.store, policy).change_password(
        nina.session, "nina", password_of("nina"), "temporary 1")
    nina.store.close()
    again = log_in(paths, "nina", password_of("nina"), secrets, policy)
    assert not again.must_change_password
    again.store.close()



def test_a_first_sign_in_in_the_window_asks_for_her_own_password(qtbot, clinic):
    admin = open_workstation(clinic.env, clinic.root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, "drpark", "Dr Park", "physician", "first pass 1",
                    must_change=True)
    admin.close()
    window = WorkstationWindow(clinic.env, clinic.root)
    qtbot.addWidget(window)
    window.show()
    window.login.user.setText("drpark")
    window.login.password.setText("first pass 1")
    window.login.sign_in.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.new_password, timeout=WAIT)
    assert window.workspace is None
    window.new_password.password.setText("my own pass 1")
    window.new_password.again.setText("my own pass 1")
    window.new_password.save.click()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=WAIT)
    window.switch_user()
    qtbot.waitUntil(lambda: not window.background.busy, timeout=WAIT)
    again = open_workstation(clinic.env, clinic.root, "drpark", "my own pass 1")
    assert not again.must_change_password
    again.close()
    window.close()


def test_a_lost_phones_authenticator_is_reset_with_a_reason(
        qtbot, section, background, admin, env, store_dir):
    doctor = sign_in(admin, env, store_dir, "drlee", "physician")
    factor, earlier = SecondFactor(doctor.store, doctor.policy), datetime.now(UTC)
    enrolment = factor.begin(doctor.session)
    factor.confirm(doctor.session, enrolment, pyotp.TOTP(enrolment.secret).at(earlier), earlier)
    doctor.store.close()
    section.read()
    qtbot.waitUntil(lambda: "drlee" in [u.name for u in section.users], timeout=WAIT)
    section.choose("drlee")
    second_factor = lambda: section.table.model().index(  # noqa: E731
        section.table.currentIndex().row(), 5).data()
    assert second_factor().startswith("enrolled ") and second_factor().endswith(
        "10 recovery codes left")

    dialog = section.reset_authenticator()
    dialog.save.click()
    assert dialog.message.text().startswith("Say why the authenticator is reset")
    dialog.reason.setText("phone lost")
    dialog.save.click()
    qtbot.waitUntil(lambda: section.status.text().startswith("drlee's authenticator was reset"),
                    timeout=WAIT)
    qtbot.waitUntil(lambda: second_factor() == "none", timeout=WAIT)
    with admin.store.read() as conn:
        assert conn.exec_driver_sql("SELECT detail FROM audit WHERE entity = 'User/drlee' "
                                    "ORDER BY seq DESC LIMIT 1").scalar_one() == \
            "second factor reset: phone lost"
