"""Key rotation: a locked user's password, or a key kept from before a password reset,
opens nothing; a crash at any step of a rotation leaves a store that its users open."""

import sys
from pathlib import Path

import orjson
import pytest

from app.bootstrap import open_workstation, recover_store
from app.errors import UserLocked, WrongPassword
from app.security.key_rotation import key_opens
from app.store.keyfile import KeyFile
from app.store.paths import StorePaths
from tests.conftest import ADMIN_PASSWORD, password_of
from tests.kill_child import kill_mid_run
from tests.perf import bench_rekey

ROTATOR = Path(__file__).with_name("keys_rotation_process.py")
PATIENT = {"resourceType": "Patient", "id": "kim", "name": [{"family": "Rotation"}]}


@pytest.fixture
def clinic(admin, env, store_dir):
    """The admin's store with a nurse (nina), a physician (pat) and one patient."""
    admin.users.add(admin.session, "nina", "Nina Nurse", "nurse", password_of("nina"))
    admin.users.add(admin.session, "pat", "Pat Physician", "physician", password_of("pat"))
    pat = open_workstation(env, store_dir, "pat", password_of("pat"))
    pat.patients.register(pat.session, PATIENT)
    pat.close()
    return admin


def key_of(env, store_dir, name: str, password: str) -> bytes:
    """The data key that `name`'s password yields today (what she could keep a copy of)."""
    ws = open_workstation(env, store_dir, name, password)
    key = ws.store.data_key
    ws.close()
    return key


def patient_is_there(env, store_dir, name: str) -> bool:
    ws = open_workstation(env, store_dir, name, password_of(name))
    try:
        return ws.patients.get(ws.session, "kim")["name"][0]["family"] == "Rotation"
    finally:
        ws.close()


def test_a_locked_users_key_no_longer_opens_the_store(clinic, env, store_dir):
    her_key = key_of(env, store_dir, "nina", password_of("nina"))
    rotated = clinic.users.lock(clinic.session, "nina")
    assert not key_opens(StorePaths(store_dir).database, her_key)
    with pytest.raises(UserLocked, match="'nina' is locked by an admin"):
        open_workstation(env, store_dir, "nina", password_of("nina"))
    assert patient_is_there(env, store_dir, "pat") and rotated.need_password == []
    clinic.users.unlock(clinic.session, "nina")
    assert patient_is_there(env, store_dir, "nina")


def test_a_key_kept_from_before_a_password_reset_no_longer_opens_the_store(
        clinic, env, store_dir):
    old_key = key_of(env, store_dir, "nina", password_of("nina"))
    clinic.users.change_password(clinic.session, "nina", "nina new pass 2")
    assert not key_opens(StorePaths(store_dir).database, old_key)
    with pytest.raises(WrongPassword):
        open_workstation(env, store_dir, "nina", password_of("nina"))
    open_workstation(env, store_dir, "nina", "nina new pass 2").close()
    assert patient_is_there(env, store_dir, "pat")


def test_own_password_change_keeps_the_key_and_the_old_password_stops_working(
        clinic, env, store_dir):
    nina = open_workstation(env, store_dir, "nina", password_of("nina"))
    assert nina.users.change_password(nina.session, "nina", "nina new pass 2",
                                      password_of("nina")) is None
    nina.close()
    with pytest.raises(WrongPassword):
        open_workstation(env, store_dir, "nina", password_of("nina"))
    assert len(KeyFile.load(StorePaths(store_dir).key_file).identities("nina")) == 1


FILLER_MB = 48  # enough pages that a kill lands inside PRAGMA rekey


@pytest.mark.parametrize("step, committed", [
    ("keys saved 1", False), ("rekey starting", True), ("inside rekey", True),
    ("rekeyed", True), ("keys saved 2", True),
])
def test_killed_at_each_step_of_a_rotation_the_store_still_opens(
        clinic, env, store_dir, keyring_session, step, committed):
    with clinic.store.write() as conn:  # bulk, so that a kill lands inside the rekey
        conn.exec_driver_sql("CREATE TABLE filler (b BLOB)")
        conn.exec_driver_sql(f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                             f"WHERE i < {FILLER_MB * 16 if step == 'inside rekey' else 1}) "
                             "INSERT INTO filler "
                             "SELECT randomblob(65536) FROM n")
    clinic.store.close()
    her_key = key_of(env, store_dir, "nina", password_of("nina"))
    wanted = "rekey starting" if step == "inside rekey" else step
    child_env = {**keyring_session, "PYTHONPATH": str(ROTATOR.parents[2])}
    printed, _ = kill_mid_run(
        [sys.executable, str(ROTATOR), str(store_dir), "nina", "--hold-at", step],
        child_env, lambda lines: lines[-1].strip() == wanted,
        0.05 if step == "inside rekey" else 0.0, 120, "rotation")
    assert "done" not in "".join(printed)
    if step == "inside rekey":
        assert "rekeyed" not in "".join(printed), "the kill came after the rekey"
    admin = open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)  # settles the rotation
    assert admin.check_store() == []
    admin.close()
    assert patient_is_there(env, store_dir, "pat")
    assert len(KeyFile.load(StorePaths(store_dir).key_file).generations) == 1
    if committed:
        with pytest.raises(UserLocked):
            open_workstation(env, store_dir, "nina", password_of("nina"))
        assert not key_opens(StorePaths(store_dir).database, her_key)
    else:
        assert patient_is_there(env, store_dir, "nina")


def test_the_recovery_key_opens_after_a_rotation_and_recovery_rotates_too(
        clinic, env, store_dir):
    recovery_key = clinic.create_recovery_key()
    clinic.users.lock(clinic.session, "nina")  # the new key is sealed to the recovery key too
    clinic.close()
    before = key_of(env, store_dir, "pat", password_of("pat"))
    recover_store(env, store_dir, recovery_key, "admin", "recovered admin pass")
    assert not key_opens(StorePaths(store_dir).database, before)
    assert patient_is_there(env, store_dir, "pat")
    open_workstation(env, store_dir, "admin", "recovered admin pass").close()


def test_the_rekey_benchmark_reports_rekey_and_copy_figures(capsys):
    bench_rekey.main(["--size-mb", "2"])
    result = orjson.loads(capsys.readouterr().out)
    assert result["store_mb"] >= 2 and result["rekey_s"] > 0
    assert result["rekey_mb_per_s"] > 0 and result["baseline_copy_mb_per_s"] > 0
