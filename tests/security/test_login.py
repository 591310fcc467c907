"""Logging in: each refusal has its own message, and refusals leave a trace."""

import pytest
from keyring.backends import SecretService
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.errors import DeviceSecretMissing, StoreNotFound, UnknownUser, UserLocked, WrongPassword
from app.security.users import set_password
from app.store.device_secret import SERVICE
from tests.conftest import ADMIN_PASSWORD

NURSE_PASSWORD = "nurse pass 1"


@pytest.fixture
def with_nurse(admin):
    admin.users.add(admin.session, "nina", "Nina Nurse", "nurse", NURSE_PASSWORD)
    return admin


def audit_rows(ws, action):
    with ws.store.read() as conn:
        return conn.execute(text(
            "SELECT user, outcome, detail FROM audit WHERE action = :a ORDER BY seq"),
            {"a": action}).all()


def test_right_password_opens_a_session_with_the_role(with_nurse, env, store_dir):
    ws = open_workstation(env, store_dir, "nina", NURSE_PASSWORD)
    assert (ws.session.user, ws.session.role, ws.session.full_name) == (
        "nina", "nurse", "Nina Nurse")
    ws.close()


def test_wrong_password_says_how_many_attempts_are_left(with_nurse, env, store_dir):
    with pytest.raises(WrongPassword, match="Wrong password for 'nina'. 2 more failed attempts"):
        open_workstation(env, store_dir, "nina", "guess")


def test_unknown_user_is_named(with_nurse, env, store_dir):
    with pytest.raises(UnknownUser, match="no user named 'nobody'"):
        open_workstation(env, store_dir, "nobody", "whatever1")


def test_repeated_failures_lock_even_the_right_password_out(with_nurse, env, store_dir):
    for _ in range(2):
        with pytest.raises(WrongPassword):
            open_workstation(env, store_dir, "nina", "guess")
    with pytest.raises(UserLocked, match="locked until"):
        open_workstation(env, store_dir, "nina", "guess")
    with pytest.raises(UserLocked, match="locked after 3 failed logins"):
        open_workstation(env, store_dir, "nina", NURSE_PASSWORD)
    with_nurse.users.unlock(with_nurse.session, "nina")
    open_workstation(env, store_dir, "nina", NURSE_PASSWORD).close()


def test_account_locked_by_admin_is_refused_and_audited(with_nurse, env, store_dir):
    with_nurse.users.lock(with_nurse.session, "nina")
    with pytest.raises(UserLocked, match="locked by an admin"):
        open_workstation(env, store_dir, "nina", NURSE_PASSWORD)
    # the key was rotated without her: the refusal is recorded beside the store until the
    # next sign-in moves it into the trail
    admin = open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
    assert any(row[:2] == ("nina", "failure") and row[2].startswith("account locked by an admin")
               for row in audit_rows(admin, "login"))
    admin.close()


def test_failed_logins_reach_the_audit_trail_at_the_next_login(with_nurse, env, store_dir):
    with pytest.raises(WrongPassword):
        open_workstation(env, store_dir, "nina", "guess")
    with pytest.raises(UnknownUser):
        open_workstation(env, store_dir, "mallory", "guess")
    open_workstation(env, store_dir, "nina", NURSE_PASSWORD).close()
    rows = audit_rows(with_nurse, "login")
    assert ("nina", "failure", "wrong password") in rows
    assert ("mallory", "failure", "unknown user") in rows


def test_store_copied_to_another_computer_does_not_open(admin, env, store_dir):
    SecretService.Keyring().delete_password(SERVICE, admin.store.store_id)
    with pytest.raises(DeviceSecretMissing, match="keyring holds no device secret.*recover"):
        open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)


def test_no_store_says_how_to_make_one(env, tmp_path):
    with pytest.raises(StoreNotFound, match="hearth init"):
        open_workstation(env, tmp_path / "nowhere", "admin", ADMIN_PASSWORD)


def test_interrupted_password_change_keeps_the_committed_password(with_nurse, env, store_dir):
    """Crash after the new key pair is written but before the new hash commits."""
    nina = open_workstation(env, store_dir, "nina", NURSE_PASSWORD)
    keyfile = nina.store.keyfile
    save = keyfile.save
    saves = []
    keyfile.save = lambda: saves.append(save()) or (_ for _ in ()).throw(SystemExit)
    with pytest.raises(SystemExit):  # the process dies right after the first save
        nina.users.change_password(nina.session, "nina", "brand new pass", NURSE_PASSWORD)
    nina.store.close()
    assert len(type(keyfile).load(keyfile.path).identities("nina")) == 2
    with pytest.raises(WrongPassword):
        open_workstation(env, store_dir, "nina", "brand new pass")
    open_workstation(env, store_dir, "nina", NURSE_PASSWORD).close()
    assert len(type(keyfile).load(keyfile.path).identities("nina")) == 1


def test_password_change_opens_with_new_password_only(with_nurse, env, store_dir):
    set_password(with_nurse.store, env.policy, with_nurse.session, "nina", "brand new pass")
    open_workstation(env, store_dir, "nina", "brand new pass").close()
    with pytest.raises(WrongPassword):
        open_workstation(env, store_dir, "nina", NURSE_PASSWORD)
