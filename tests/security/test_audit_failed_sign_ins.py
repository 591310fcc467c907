"""Failed sign-ins: a keyed, chained side log that lockout reads and the next sign-in moves
into the trail; a deleted, edited or malformed log is said in the trail, never "unexpected
error"; made-up names cannot push out real failures; a forged lock does not last."""

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation, recover_store
from app.errors import UnknownUser, UserLocked, WrongPassword
from app.security.lockout import LoginAttempts, side_log_key
from app.store.paths import StorePaths
from tests.conftest import ADMIN_PASSWORD, TEST_POLICY

NURSE_PASSWORD = "nurse pass 1"


@pytest.fixture
def clinic(admin, env, store_dir):
    admin.users.add(admin.session, "nina", "Nina Nurse", "nurse", NURSE_PASSWORD)
    admin.close()
    return env, store_dir


def wrong_password(env, store_dir, name="nina"):
    with pytest.raises((WrongPassword, UserLocked)):
        open_workstation(env, store_dir, name, "not her password")


def trail_after_admin_signs_in(env, store_dir) -> list[tuple]:
    admin = open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
    with admin.store.read() as conn:
        rows = conn.execute(text("SELECT user, outcome, entity, detail FROM audit "
                                 "WHERE action = 'login' ORDER BY seq")).all()
    admin.close()
    return [tuple(row) for row in rows]


def log_faults(rows) -> list[str]:
    return [detail for _, _, entity, detail in rows if entity == "FailedSignInLog"]


def side_log(env, store_dir) -> LoginAttempts:
    """The log as an insider with the shared account's keyring would open it."""
    paths = StorePaths(store_dir)
    store_id = orjson.loads(paths.key_file.read_bytes())["store_id"]
    secret = env.device_secrets().get(store_id)
    return LoginAttempts(paths.login_attempts, side_log_key(secret, store_id),
                         timedelta(minutes=TEST_POLICY.lockout_minutes))


def test_failures_move_into_the_trail_with_their_counter(clinic):
    wrong_password(*clinic)
    wrong_password(*clinic)
    rows = trail_after_admin_signs_in(*clinic)
    assert [r for r in rows if r[0] == "nina"] == [
        ("nina", "failure", "FailedSignIn/1", "wrong password"),
        ("nina", "failure", "FailedSignIn/2", "wrong password")]


def test_a_deleted_log_is_a_gap_in_the_trail(clinic):
    env, store_dir = clinic
    wrong_password(env, store_dir)
    trail_after_admin_signs_in(env, store_dir)  # failed sign-in 1 is in the trail now
    wrong_password(env, store_dir)
    StorePaths(store_dir).login_attempts.unlink()
    rows = trail_after_admin_signs_in(env, store_dir)
    assert log_faults(rows) == [
        "The failed sign-in log was deleted or replaced by an older copy: the trail holds "
        "failed sign-ins up to 1, the log only up to 0."]


def test_an_edited_entry_is_found_and_the_file_kept(clinic):
    env, store_dir = clinic
    wrong_password(env, store_dir)
    path = StorePaths(store_dir).login_attempts
    log = orjson.loads(path.read_bytes())
    log["entries"][0]["user"] = "admin"
    path.write_bytes(orjson.dumps(log))
    [detail] = log_faults(trail_after_admin_signs_in(env, store_dir))
    assert detail.startswith("The failed sign-in log login-attempts.json was edited at failed "
                             "sign-in 1, so its counters were started again; it was kept as "
                             "login-attempts.json.damaged-")
    assert list(store_dir.glob("login-attempts.json.damaged-*"))


@pytest.mark.parametrize(("content", "fault"), [
    (b"[]", "holds a list where Hearth keeps an object"),
    (b'{"users": {}, "unrecorded": []}', "is in the unkeyed format of an older Hearth"),
    (b'{"format": "hearth-failed-sign-ins/1", "counter": -1}', "has no valid 'counter'"),
    (b'{"users": ', "is not readable JSON (JSONDecodeError)"),
    (b'"locked"', "holds text where Hearth keeps an object"),
])
def test_a_malformed_log_gets_a_sentence_and_sign_in_still_works(clinic, content, fault):
    env, store_dir = clinic
    StorePaths(store_dir).login_attempts.write_bytes(content)
    with pytest.raises(WrongPassword, match="2 more failed attempts"):
        open_workstation(env, store_dir, "nina", "not her password")
    [detail] = log_faults(trail_after_admin_signs_in(env, store_dir))
    assert detail.startswith(f"The failed sign-in log login-attempts.json {fault}, so "
                                  "its counters were started again")


def test_a_thousand_made_up_names_do_not_push_out_a_real_failure(clinic):
    env, store_dir = clinic
    now = datetime.now(UTC)
    log = side_log(env, store_dir)
    for i in range(1000):
        log.record_failure(f"guess{i}", "unknown user", now, None, timedelta())
    with pytest.raises(UnknownUser):
        open_workstation(env, store_dir, "guess0", "x")
    wrong_password(env, store_dir)
    rows = trail_after_admin_signs_in(env, store_dir)
    assert ("nina", "failure", "FailedSignIn/1", "wrong password") in rows
    assert ("guess0", "failure", None, "unknown user (2 attempts)") in rows
    assert any((r[3] or "").startswith("unknown user (950 attempts with other names, from ")
               for r in rows)
    assert len(rows) < 60


def test_a_forged_far_future_lock_lasts_only_the_lockout_minutes(clinic):
    env, store_dir = clinic
    for _ in range(3):
        wrong_password(env, store_dir)
    log = side_log(env, store_dir)
    log._log["users"]["nina"]["locked_until"] = "2999-01-01T00:00:00+00:00"
    log._save()  # re-keyed with the device secret: what an insider with the keyring can do
    now = datetime.now(UTC)
    until = side_log(env, store_dir).locked_until("nina", now)
    assert now < until <= now + timedelta(minutes=TEST_POLICY.lockout_minutes)


def test_a_lock_forged_without_the_key_is_not_believed(clinic):
    env, store_dir = clinic
    path = StorePaths(store_dir).login_attempts
    wrong_password(env, store_dir)
    log = orjson.loads(path.read_bytes())
    log["users"]["nina"] = {"failures": 0, "locked_at": "2999-01-01T00:00:00+00:00",
                            "locked_until": "2999-01-01T00:00:00+00:00"}
    path.write_bytes(orjson.dumps(log))
    open_workstation(env, store_dir, "nina", NURSE_PASSWORD).close()


def test_recovery_clears_the_lock_of_the_recovered_user(clinic):
    env, store_dir = clinic
    admin = open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
    recovery_key = admin.create_recovery_key()
    admin.close()
    for _ in range(3):
        wrong_password(env, store_dir)
    with pytest.raises(UserLocked, match="is locked after 3 failed logins"):
        open_workstation(env, store_dir, "nina", NURSE_PASSWORD)
    recover_store(env, store_dir, recovery_key, "nina", "nurse pass 2")
    open_workstation(env, store_dir, "nina", "nurse pass 2").close()
