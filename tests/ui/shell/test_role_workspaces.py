"""Each role signs in to the tabs its permissions use, and to nothing that would say "Not
permitted": the admin to Reports, Admin and Sync; the auditor to Admin alone. Building the
tabs reads only what the role may read, so signing in leaves no refused row in the trail."""

import pytest

from app.bootstrap import open_workstation
from app.ui.shell.window import WorkstationWindow
from tests.conftest import ADMIN_PASSWORD, password_of

WAIT = 10000
TABS = {
    "drlee": ["Today", "Patients", "Inbox", "Calendar", "Reports", "Sync"],
    "nina": ["Today", "Patients", "Inbox", "Calendar", "Sync"],
    "frank": ["Today", "Patients", "Calendar", "Sync"],
    "bill": ["Today", "Patients", "Calendar", "Reports", "To code", "Claims", "Sync"],
    "admin": ["Reports", "Admin", "Sync"],
    "audrey": ["Admin"],
}


@pytest.fixture
def clinic_of_six(clinic):
    """The clinic's physician, nurse and front desk, with a biller and an auditor added."""
    admin = open_workstation(clinic.env, clinic.root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, "bill", "Bill Biller", "billing", password_of("bill"))
    admin.users.add(admin.session, "audrey", "Audrey Tor", "auditor", password_of("audrey"))
    admin.close()
    return clinic


def signed_in(qtbot, clinic, user: str) -> WorkstationWindow:
    window = WorkstationWindow(clinic.env, clinic.root)
    qtbot.addWidget(window)
    window.show()
    window.login.user.setText(user)
    window.login.password.setText(ADMIN_PASSWORD if user == "admin" else password_of(user))
    window.login.sign_in.click()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=WAIT)
    qtbot.wait(300)  # the tabs' first reads start after the window is shown
    qtbot.waitUntil(lambda: not window.background.busy, timeout=WAIT)
    return window


def titles(window: WorkstationWindow) -> list[str]:
    workspace = window.workspace
    return [workspace.tabText(n).split(" (")[0] for n in range(workspace.count())]


@pytest.mark.parametrize("user", list(TABS))
def test_each_role_signs_in_to_the_tabs_it_may_use_and_nothing_is_refused(
        qtbot, clinic_of_six, user):
    window = signed_in(qtbot, clinic_of_six, user)
    shown = titles(window)
    window.close()
    assert shown == TABS[user]
    admin = open_workstation(clinic_of_six.env, clinic_of_six.root, "admin", ADMIN_PASSWORD)
    with admin.store.read() as conn:
        refused = conn.exec_driver_sql(
            "SELECT user, action, detail FROM audit WHERE outcome = 'refused'").all()
    admin.close()
    assert refused == []


def test_the_auditors_admin_tab_holds_only_the_audit_parts(qtbot, clinic_of_six):
    window = signed_in(qtbot, clinic_of_six, "audrey")
    assert [s.title for s in window.workspace.admin.sections] == [
        "Audit trail", "Emergency access"]
    window.close()
