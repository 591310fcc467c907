"""The background sync of the main window follows the sync permission: a role that may not
sync (the auditor) starts none and the status bar says why; others sync with the policy's
server."""

from app.ui.shell.window import WorkstationWindow
from tests.sync.conftest import fresh_fhir_server  # noqa: F401 (fixture)
from tests.sync.policies import env_naming
from tests.sync.stations import PASSWORD, workstation


def signed_in_window(qtbot, env, root, user: str) -> WorkstationWindow:
    window = WorkstationWindow(env, root)
    qtbot.addWidget(window)
    window.login.submitted.emit(user, PASSWORD)
    qtbot.waitUntil(lambda: window.ws is not None, timeout=20000)
    return window


def test_an_auditor_signed_in_starts_no_background_sync(qtbot, env, tmp_path,
                                                        fresh_fhir_server):
    env = env_naming(env, fresh_fhir_server.base_url)
    workstation(env, tmp_path / "store", "audrey", "auditor").close()
    window = signed_in_window(qtbot, env, tmp_path / "store", "audrey")
    assert window.online.text() == "Sync is not part of this role"
    window.switch_user()
    window.background.wait_until_idle()


def test_a_nurse_signed_in_syncs_in_the_background(qtbot, env, tmp_path, fresh_fhir_server):
    env = env_naming(env, fresh_fhir_server.base_url)
    workstation(env, tmp_path / "store", "nina", "nurse").close()
    window = signed_in_window(qtbot, env, tmp_path / "store", "nina")
    qtbot.waitUntil(lambda: window.online.text() == "Online", timeout=20000)
    window.switch_user()
    window.background.wait_until_idle()
