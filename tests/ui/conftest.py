"""Fixtures for the Qt workstation tests: real widgets offscreen over a real clinic store.

The clinic (one store, its users, two Synthea patients imported) is built once per test
session in the private keyring of tests/conftest.py; each test signs in afresh to a copy of it.
"""

import gc
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import shiboken6  # noqa: E402

from app.bootstrap import Environment, Workstation, open_workstation  # noqa: E402
from app.ui.common.background import Background  # noqa: E402
from app.ui.common.garbage import collect_due, collect_on_ui_thread  # noqa: E402
from tests.conftest import SYNTHEA, new_store, password_of  # noqa: E402

USERS = {"drlee": ("Dr Lee", "physician"), "nina": ("Nina Nurse", "nurse"),
         "frank": ("Frank Desk", "front-desk")}


@dataclass(frozen=True)
class Clinic:
    env: Environment
    root: Path
    patient_ids: dict[str, str]  # family name -> patient id

    def sign_in(self, user: str = "drlee") -> Workstation:
        return open_workstation(self.env, self.root, user, password_of(user))


@pytest.fixture(scope="session")
def prepared_clinic(keyring_session, tmp_path_factory) -> Clinic:
    """The clinic as built once per session; tests get a copy of it (the `clinic` fixture)."""
    root = tmp_path_factory.mktemp("clinic") / "store"
    env, _ = new_store(root, USERS, [SYNTHEA])
    ws = open_workstation(env, root, "drlee", password_of("drlee"))
    with ws.store.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id, json_extract(json, '$.name[0].family') FROM resource "
            "WHERE type = 'Patient'").all()
    ws.close()
    return Clinic(env, root, {family: pid for pid, family in rows})


@pytest.fixture
def clinic(prepared_clinic, tmp_path) -> Clinic:
    """A clinic store of this test's own: a file copy of the prepared one (about 1.4 MB, a few
    milliseconds), so what a test writes (a visit, vitals, a booking) never reaches another
    test. The copy shares the prepared store's id, and so its device secret in the keyring."""
    root = tmp_path / "clinic"
    shutil.copytree(prepared_clinic.root, root)
    return Clinic(prepared_clinic.env, root, prepared_clinic.patient_ids)


@pytest.fixture
def ws(clinic) -> Workstation:
    """Dr Lee (physician), signed in."""
    station = clinic.sign_in("drlee")
    yield station
    station.store.close()


@pytest.fixture(scope="session", autouse=True)
def collected_on_ui_thread(qapp):
    """As in the window (app.ui.shell.run): cycles are collected on the UI thread only, never
    by a Background worker, which could delete an earlier test's widgets off the UI thread."""
    timer = collect_on_ui_thread(qapp)
    yield
    timer.stop()
    gc.enable()


@pytest.fixture(autouse=True)
def collected_after_each_test():
    yield
    collect_due()


@pytest.fixture(autouse=True)
def background_left_idle(monkeypatch):
    """Fails a test that ends while work it gave a Background has not answered yet: the
    answer would arrive during a later test, on widgets and a store that are gone. Every
    Background that runs work during the test is watched (after all fixtures are torn down)."""
    used: list[Background] = []
    run = Background.run

    def watched_run(runner, *args, **kwargs):
        if runner not in used:
            used.append(runner)
        return run(runner, *args, **kwargs)

    monkeypatch.setattr(Background, "run", watched_run)
    yield
    busy = [runner for runner in used if runner.busy]
    for runner in busy:  # the next test must not receive these answers
        if shiboken6.isValid(runner):
            runner.wait_until_idle()
    if busy:
        pytest.fail("the test ended with background work unanswered: wait for it "
                    "(qtbot.waitUntil(lambda: not background.busy)) or close the window")


@pytest.fixture
def background(qtbot) -> Background:
    runner = Background()
    yield runner
    runner.wait_until_idle()
