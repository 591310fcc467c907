"""Fixtures for the Qt workstation tests: real widgets offscreen over a real clinic store.

The clinic (one store, its users, two Synthea patients imported) is built once per test
session in the private keyring of tests/conftest.py; each test signs in afresh.
"""

import os
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.bootstrap import Environment, Workstation, open_workstation  # noqa: E402
from app.ui.background import Background  # noqa: E402
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
def clinic(keyring_session, tmp_path_factory) -> Clinic:
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
def ws(clinic) -> Workstation:
    """Dr Lee (physician), signed in."""
    station = clinic.sign_in("drlee")
    yield station
    station.store.close()


@pytest.fixture
def background(qtbot) -> Background:
    runner = Background()
    yield runner
    runner.wait_until_idle()
