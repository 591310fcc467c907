"""`hearth mfa` and the code every signed-in command asks where the policy requires it:
enrolment from a terminal (a real process, its code typed after the URI is printed), the
admin's reset with its reason, the status list, and each refusal in one sentence."""

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import text

from app.bootstrap import Environment, open_workstation
from app.cli.commands import main
from app.security.mfa import Enrolment, SecondFactor
from app.security.mfa_policy import MfaPolicy
from tests.conftest import ADMIN_PASSWORD, TEST_POLICY, password_of, sign_in

MFA_POLICY = replace(TEST_POLICY, mfa=MfaPolicy(required_roles=("admin",)))


@pytest.fixture
def mfa_env(env) -> Environment:
    return replace(env, policy=MFA_POLICY)


@pytest.fixture
def clinic(admin, env, store_dir):
    """Ada Admin (whose role requires a second factor) and Dr Lee (whose does not)."""
    sign_in(admin, env, store_dir, "drlee", "physician").store.close()
    return store_dir


def hearth(store_dir, mfa_env, monkeypatch, user: str, *args: str, code: str | None = None):
    monkeypatch.setenv("HEARTH_PASSWORD", ADMIN_PASSWORD if user == "admin" else
                       password_of(user))
    if code is not None:
        monkeypatch.setenv("HEARTH_MFA_CODE", code)
    try:
        return main(["--store", str(store_dir), "--user", user, *args], env=mfa_env)
    except SystemExit as parsed:
        return parsed.code


def enrol_admin(store_dir, mfa_env) -> Enrolment:
    """Ada enrolled two minutes ago: her secret and recovery codes."""
    ws = open_workstation(mfa_env, store_dir, "admin", ADMIN_PASSWORD)
    factor = SecondFactor(ws.store, MFA_POLICY)
    enrolment = factor.begin(ws.session)
    before = datetime.now(UTC) - timedelta(minutes=2)
    factor.confirm(ws.session, enrolment, pyotp.TOTP(enrolment.secret).at(before), before)
    ws.store.close()
    return enrolment


def test_enrol_prints_the_uri_takes_a_code_and_prints_the_recovery_codes(
        clinic, keyring_session, policy_file):
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--store", str(clinic), "--user", "drlee",
         "--password-stdin", "mfa", "enrol"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
        env={**keyring_session, "HEARTH_SYSTEM_POLICY": str(policy_file)})
    process.stdin.write(password_of("drlee") + "\n")
    process.stdin.flush()
    lines = [process.stdout.readline() for _ in range(4)]
    uri = lines[1].strip()
    assert uri.startswith("otpauth://totp/") and "30 seconds either side" in lines[3]
    out, err = process.communicate(pyotp.parse_uri(uri).now() + "\n", timeout=60)

    assert process.returncode == 0, err
    assert out.startswith("Enrolled drlee. Recovery codes")
    assert len([line for line in out.splitlines() if line.startswith("  ")]) == 10


def test_a_required_user_gives_the_code_after_the_password(clinic, mfa_env, monkeypatch,
                                                            capsys):
    secret = enrol_admin(clinic, mfa_env).secret

    assert hearth(clinic, mfa_env, monkeypatch, "admin", "mfa", "status", code="000000") == 3
    assert "That code does not match" in capsys.readouterr().err
    assert hearth(clinic, mfa_env, monkeypatch, "admin", "mfa", "status",
                  code=pyotp.TOTP(secret).now()) == 0
    out = capsys.readouterr().out
    assert "admin            admin       yes       enrolled" in out
    assert "drlee            physician   no        not enrolled" in out


def test_a_required_user_not_enrolled_is_sent_to_enrol(clinic, mfa_env, monkeypatch, capsys):
    assert hearth(clinic, mfa_env, monkeypatch, "admin", "mfa", "status") == 2
    assert "set one up first: hearth mfa enrol" in capsys.readouterr().err


def test_a_reset_needs_a_reason_and_is_audited(clinic, mfa_env, monkeypatch, capsys):
    ada = enrol_admin(clinic, mfa_env)
    drlee = open_workstation(mfa_env, clinic, "drlee", password_of("drlee"))
    factor = SecondFactor(drlee.store, MFA_POLICY)
    enrolment = factor.begin(drlee.session)
    factor.confirm(drlee.session, enrolment, pyotp.TOTP(enrolment.secret).now())
    drlee.store.close()

    assert hearth(clinic, mfa_env, monkeypatch, "admin", "mfa", "reset", "drlee") == 2
    assert "--reason" in capsys.readouterr().err
    assert hearth(clinic, mfa_env, monkeypatch, "admin", "mfa", "reset", "drlee", "--reason",
                  " ", code=ada.recovery_codes[0]) == 2
    assert "Say why the authenticator is reset" in capsys.readouterr().err
    assert hearth(clinic, mfa_env, monkeypatch, "admin", "mfa", "reset", "drlee", "--reason",
                  "phone lost", code=pyotp.TOTP(ada.secret).now()) == 0
    assert capsys.readouterr().out.startswith("Removed drlee's authenticator")

    admin = open_workstation(mfa_env, clinic, "admin", ADMIN_PASSWORD)
    with admin.store.read() as conn:
        resets = conn.execute(text("SELECT user FROM audit WHERE entity = 'User/drlee' AND "
                                   "detail = 'second factor reset: phone lost'")).all()
    assert resets == [("admin",)]
    assert not SecondFactor(admin.store, MFA_POLICY).enrolled("drlee")
    admin.store.close()


def test_only_an_admin_sees_the_status(clinic, mfa_env, monkeypatch, capsys):
    assert hearth(clinic, mfa_env, monkeypatch, "drlee", "mfa", "status") == 4
    assert "may not manage user accounts" in capsys.readouterr().err
