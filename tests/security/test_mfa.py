"""The TOTP second factor over a real store: enrolment, codes, recovery codes, an admin's
reset, and who is asked for what (app.security.mfa)."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.errors import PermissionDenied, UsageError
from app.security.mfa import SecondFactor, WrongCode
from app.security.mfa_policy import MfaPolicy
from tests.conftest import TEST_POLICY, password_of, sign_in

MFA_POLICY = replace(TEST_POLICY, mfa=MfaPolicy(required_roles=("physician", "admin")))
NOW = datetime(2026, 12, 4, 9, 0, 7, tzinfo=UTC)


@pytest.fixture
def doctor(admin, env, store_dir):
    ws = sign_in(admin, env, store_dir, "drlee", "physician")
    yield ws
    ws.store.close()


def stored_secret(ws, user="drlee") -> str:
    with ws.store.read() as conn:
        value = conn.execute(text("SELECT value FROM store_meta WHERE key = :k"),
                             {"k": f"second_factor:{user}"}).scalar_one()
    return json.loads(value)["secret"]


def code_at(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def enrolled(ws, now=NOW):
    factor = SecondFactor(ws.store, MFA_POLICY)
    enrolment = factor.begin(ws.session)
    factor.confirm(ws.session, enrolment, code_at(enrolment.secret, now), now)
    return factor, enrolment


def audit_details(ws, action):
    with ws.store.read() as conn:
        return conn.execute(text("SELECT user, outcome, entity, detail FROM audit "
                                 "WHERE action = :a ORDER BY seq"), {"a": action}).all()


def test_enrolment_shows_a_qr_uri_and_ten_recovery_codes_and_is_audited(doctor):
    factor, enrolment = enrolled(doctor)

    assert enrolment.uri.startswith("otpauth://totp/") and "drlee" in enrolment.uri
    assert len(set(enrolment.recovery_codes)) == 10
    assert stored_secret(doctor) == enrolment.secret
    with doctor.store.read() as conn:
        stored = conn.execute(text("SELECT value FROM store_meta WHERE key = "
                                   "'second_factor:drlee'")).scalar_one()
    assert not any(code in stored for code in enrolment.recovery_codes)  # hashed only
    assert ("drlee", "success", "User/drlee", "second factor enrolled") in audit_details(
        doctor, "create")


def test_a_required_user_signs_in_with_a_code_from_the_stored_secret(doctor, env, store_dir):
    enrolled(doctor)
    again = open_workstation(env, store_dir, "drlee", password_of("drlee"))
    factor = SecondFactor(again.store, MFA_POLICY)
    later = NOW + timedelta(minutes=5)

    assert factor.at_sign_in(again.session) == "code"
    assert factor.verify(again.session, code_at(stored_secret(again), later), later) == \
        "Signed in with a code."
    again.store.close()


def test_a_code_already_used_is_refused(doctor):
    factor, enrolment = enrolled(doctor)
    later = NOW + timedelta(minutes=1)
    code = code_at(enrolment.secret, later)
    factor.verify(doctor.session, code, later)

    with pytest.raises(WrongCode, match=r"^That code was already used; wait for the next one\.$"):
        factor.verify(doctor.session, code, later + timedelta(seconds=5))
    assert ("drlee", "failure", None, "second-factor code reused") in audit_details(
        doctor, "login")


def test_a_code_from_a_clock_90_seconds_off_is_refused_naming_the_tolerance(doctor):
    factor, enrolment = enrolled(doctor)
    later = NOW + timedelta(minutes=10)

    with pytest.raises(WrongCode, match="accepted 30 seconds either side of this computer's "
                                        "clock"):
        factor.verify(doctor.session, code_at(enrolment.secret, later - timedelta(seconds=90)),
                      later)
    # one step off (a phone 30 s slow) is within the tolerance
    factor.verify(doctor.session, code_at(enrolment.secret, later - timedelta(seconds=30)),
                  later)


def test_a_recovery_code_works_once(doctor):
    factor, enrolment = enrolled(doctor)
    code = enrolment.recovery_codes[3]

    assert factor.verify(doctor.session, code.upper(), NOW) == \
        "Signed in with a recovery code; 9 left."
    with pytest.raises(WrongCode, match="nor an unused recovery code"):
        factor.verify(doctor.session, code, NOW)


def test_wrong_codes_stop_codes_for_the_lockout_time(doctor):
    factor, enrolment = enrolled(doctor)
    for _ in range(MFA_POLICY.failed_logins_before_lock):
        with pytest.raises(WrongCode, match="does not match"):
            factor.verify(doctor.session, "000000", NOW + timedelta(minutes=2))

    right = code_at(enrolment.secret, NOW + timedelta(minutes=3))
    with pytest.raises(WrongCode, match="Too many wrong codes"):
        factor.verify(doctor.session, right, NOW + timedelta(minutes=3))


def test_an_admin_reset_needs_a_reason_and_is_in_the_audit_trail(admin, doctor):
    enrolled(doctor)
    factor = SecondFactor(admin.store, MFA_POLICY)

    with pytest.raises(UsageError, match="Say why the authenticator is reset"):
        factor.reset(admin.session, "drlee", "   ")
    assert factor.enrolled("drlee")
    factor.reset(admin.session, "drlee", "phone lost on the ward")

    assert not factor.enrolled("drlee")
    assert factor.at_sign_in(doctor.session) == "enrol"
    assert ("admin", "success", "User/drlee", "second factor reset: phone lost on the ward") in \
        audit_details(admin, "update")


def test_only_an_admin_resets_or_lists(doctor):
    factor = SecondFactor(doctor.store, MFA_POLICY)
    with pytest.raises(PermissionDenied):
        factor.reset(doctor.session, "admin", "because")
    with pytest.raises(PermissionDenied):
        factor.status(doctor.session)


def test_status_lists_who_must_enrol_and_who_has(admin, doctor, env, store_dir):
    enrolled(doctor)
    nurse = sign_in(admin, env, store_dir, "nina", "nurse")
    nurse.store.close()
    rows = {r.name: (r.required, r.enrolled_at is not None, r.recovery_codes_left)
            for r in SecondFactor(admin.store, MFA_POLICY).status(admin.session)}

    assert rows == {"admin": (True, False, 0), "drlee": (True, True, 10),
                    "nina": (False, False, 0)}


def test_a_role_not_required_and_not_enrolled_signs_in_with_the_password(admin, env, store_dir):
    nurse = sign_in(admin, env, store_dir, "nina", "nurse")
    factor = SecondFactor(nurse.store, MFA_POLICY)

    assert factor.at_sign_in(nurse.session) is None
    assert factor.at_unlock(nurse.session) is None
    nurse.store.close()


def test_unlock_takes_the_password_within_the_shift_and_the_code_after(doctor):
    factor, _ = enrolled(doctor)

    assert factor.at_unlock(doctor.session, NOW + timedelta(hours=11)) is None
    assert factor.at_unlock(doctor.session, NOW + timedelta(hours=13)) == "code"
    strict = SecondFactor(doctor.store, replace(MFA_POLICY, mfa=replace(
        MFA_POLICY.mfa, at_unlock="code")))
    assert strict.at_unlock(doctor.session, NOW + timedelta(minutes=6)) == "code"


def test_a_second_enrolment_is_refused_until_an_admin_resets(doctor):
    factor, _ = enrolled(doctor)
    with pytest.raises(UsageError, match="already has an authenticator"):
        factor.begin(doctor.session)


def test_the_policy_names_an_unknown_role_or_setting(tmp_path):
    with pytest.raises(UsageError, match="mfa.required_roles names surgeon, which is no role"):
        MfaPolicy(required_roles=("surgeon",))
    with pytest.raises(UsageError, match="mfa.at_unlock is 'never'"):
        MfaPolicy(at_unlock="never")
