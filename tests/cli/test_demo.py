"""The demo store: built once from the bundled data, reused after, a clinic booked each day."""

from datetime import date, timedelta

import pytest
from keyring.backends import SecretService
from sqlalchemy import text

from app.bootstrap import Environment, open_workstation
from app.cli.demo import ensure_demo_store
from app.clinical.imports.importer import Importer
from app.clinical.visits.schedule import Schedule
from tests.conftest import TEST_POLICY


@pytest.fixture(scope="module")
def env(keyring_session) -> Environment:
    return Environment(keyring_backend=SecretService.Keyring, policy=TEST_POLICY)


@pytest.fixture(scope="module")
def demo(env, tmp_path_factory):
    """The demo started once; tests start it again on the same folder."""
    return ensure_demo_store(env, tmp_path_factory.mktemp("data") / "demo")


def sign_in(env, info, name):
    user = next(u for u in info.users if u.name == name)
    return open_workstation(env, info.root, user.name, user.password)


def counts(ws) -> dict[str, int]:
    with ws.store.read() as conn:
        return {kind: conn.execute(text(query)).scalar_one() for kind, query in {
            "patients": "SELECT count(*) FROM resource WHERE type = 'Patient'",
            "practitioners": "SELECT count(*) FROM resource WHERE type = 'Practitioner'",
            "appointments": "SELECT count(*) FROM resource WHERE type = 'Appointment'",
            "resources": "SELECT count(*) FROM resource",
            "imports": "SELECT count(*) FROM audit WHERE entity = 'Import'",
        }.items()}


def test_the_first_start_builds_a_store_of_synthetic_patients_and_todays_clinic(env, demo):
    assert demo.created
    doctor = sign_in(env, demo, "demo-doctor")
    try:
        today = Schedule(doctor.store).today(doctor.session, date.today()).appointments
        numbers = counts(doctor)
    finally:
        doctor.close()
    assert numbers["patients"] == 12 and numbers["practitioners"] > 0
    assert numbers["appointments"] == len(today) == 10
    assert [a.status for a in today[:3]] == ["fulfilled", "arrived", "booked"]
    assert {a.status for a in today[2:]} == {"booked"}
    assert today[0].start.strftime("%H:%M") == "08:30"
    assert today[-1].end.strftime("%H:%M") <= "16:30"
    assert len({a.patient_id for a in today}) == 10
    mine = [a for a in today if a.practitioner == doctor.session.full_name]
    assert 0 < len(mine) < len(today)  # "Mine" and "Whole clinic" differ


def test_every_demo_user_signs_in_with_the_role_shown(env, demo):
    for user in demo.users:
        station = open_workstation(env, demo.root, user.name, user.password)
        try:
            assert (station.session.role, station.session.full_name) == (user.role,
                                                                         user.full_name)
        finally:
            station.close()
    assert {u.role for u in demo.users} == {"physician", "nurse", "front-desk", "admin"}


def test_the_hints_name_each_user_and_password(demo):
    hints = demo.hints()
    assert "synthetic" in hints
    for user in demo.users:
        assert f"{user.name} / {user.password}" in hints


def test_where_the_keyring_works_the_demo_keeps_its_secret_there_and_warns_of_nothing(demo):
    assert demo.protected and demo.notice == ""
    assert not demo.root.with_name("demo.device-secret").exists()


def test_only_the_start_that_builds_the_demo_says_it_takes_a_minute(env, demo):
    said = []

    ensure_demo_store(env, demo.root, say=said.append)

    assert said == [f"Opening the demo clinic at {demo.root}…"]


def test_a_second_start_reuses_the_store_without_importing_or_booking_again(env, demo):
    desk = sign_in(env, demo, "demo-desk")
    try:
        before = counts(desk)
    finally:
        desk.close()

    again = ensure_demo_store(env, demo.root)

    desk = sign_in(env, again, "demo-desk")
    try:
        assert counts(desk) == before
    finally:
        desk.close()
    assert not again.created and again.users == demo.users


def test_a_start_on_a_new_day_books_that_days_clinic(env, demo):
    tomorrow = date.today() + timedelta(days=1)

    ensure_demo_store(env, demo.root, day=tomorrow)
    ensure_demo_store(env, demo.root, day=tomorrow)

    desk = sign_in(env, demo, "demo-desk")
    try:
        booked = Schedule(desk.store).today(desk.session, tomorrow).appointments
    finally:
        desk.close()
    assert len(booked) == 10


def test_an_interrupted_first_start_leaves_nothing_and_the_next_builds(env, tmp_path,
                                                                       monkeypatch):
    root = tmp_path / "demo"

    def power_cut(self, session, paths, progress=None):
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(Importer, "run", power_cut)
        with pytest.raises(KeyboardInterrupt):
            ensure_demo_store(env, root)
    assert list(tmp_path.iterdir()) == []

    assert ensure_demo_store(env, root).created
