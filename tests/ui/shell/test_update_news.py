"""The window checks for updates in the background from start-up: the sign-in screen is up
at once, and a newer version is then told in the status bar. A real repository made by
packaging/build tuf-repo; real widgets offscreen."""

from dataclasses import replace

from app.security.updates_policy import UpdatesPolicy
from app.ui.shell.window import WorkstationWindow
from app.updates import checker
from tests.updates.repos import publish


def test_a_newer_version_is_told_in_the_status_bar(qtbot, clinic, tmp_path, monkeypatch):
    monkeypatch.setattr(checker, "FIRST_CHECK_SECONDS", 0.1)  # not the product's 10 s
    publish(tmp_path / "repo", "99.0.0")
    policy = replace(clinic.env.policy, updates=UpdatesPolicy(repository=str(tmp_path / "repo")))
    window = WorkstationWindow(replace(clinic.env, policy=policy), clinic.root)
    qtbot.addWidget(window)
    window.show()
    assert window.login.isVisible()  # start-up did not wait for the check
    qtbot.waitUntil(lambda: "Hearth 99.0.0 is available" in window.statusBar().currentMessage(),
                    timeout=20000)
    window.close()


def test_without_a_repository_nothing_is_checked(qtbot, clinic):
    window = WorkstationWindow(clinic.env, clinic.root)
    qtbot.addWidget(window)
    assert window.updates is None
    window.close()
