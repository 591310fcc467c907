"""Logging in opens the store; logging out closes it.

The order of checks gives each failure its own message: no store, unknown user, locked out
by failed attempts, no device secret on this computer, wrong password, damaged or too-new
database, account locked by an admin. Failed attempts are counted beside the database
(app.security.lockout) and moved into the audit trail by the next successful login.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.display_time import when_text
from app.errors import UnknownUser, UserLocked, WrongPassword
from app.security.key_rotation import keep_only
from app.security.lockout import LoginAttempts, side_log_key
from app.security.policy import Policy
from app.security.refusals import refusal_recorder
from app.security.role_signing import RoleKeyReplaced, rejected, row_is_genuine
from app.security.roles import Role
from app.security.session import Session
from app.security.unlock import check_signing_key, unlock
from app.security.users import find_user, password_matches
from app.store import audit_log as audit
from app.store.device_secret import DeviceSecrets, check_device_secret, remember_device_secret
from app.store.keyfile import KeyFile
from app.store.paths import StorePaths
from app.store.store import Store


@dataclass(frozen=True)
class LoggedIn:
    store: Store
    session: Session
    must_change_password: bool = False  # an admin's first or reset password: ask a new one


def log_in(
    paths: StorePaths, name: str, password: str, device_secrets: DeviceSecrets, policy: Policy
) -> LoggedIn:
    keyfile = KeyFile.load(paths.key_file)
    # first: the failed sign-in log is keyed from the device secret (app.security.lockout)
    device_secret = device_secrets.get(keyfile.store_id)
    check_device_secret(keyfile, device_secret)  # a keyring fault is never the user's
    attempts = LoginAttempts(paths.login_attempts, side_log_key(device_secret, keyfile.store_id),
                             timedelta(minutes=policy.lockout_minutes))
    now = datetime.now(UTC)
    if name not in keyfile.user_names():
        attempts.record_failure(name, "unknown user", now, None, timedelta())
        raise UnknownUser(f"There is no user named '{name}' in this store.")
    if until := attempts.locked_until(name, now):
        raise UserLocked(
            f"'{name}' is locked after {policy.failed_logins_before_lock} failed logins until "
            f"{when_text(until)}. Wait, or ask an admin: hearth user unlock {name}"
        )
    if not keyfile.user_wraps(name) and not keyfile.identities(name):
        raise UserLocked(
            f"'{name}' has no password on this computer since the store was re-enrolled with "
            f"the recovery key or its key was changed. Ask an admin to set one: "
            f"hearth user passwd {name}"
        )
    try:
        opened = unlock(paths, keyfile, name, password, device_secret, policy.kdf)
    except UserLocked:  # her key pair opens, but the data key was rotated without her
        attempts.record_failure(name, "account locked by an admin", now, None, timedelta())
        raise
    if opened is None:
        _refuse_wrong_password(attempts, name, now, policy)
    remember_device_secret(keyfile, device_secret)
    store = opened.store
    try:
        with store.read() as conn:
            user = find_user(conn, name)
        if user is None:
            raise UnknownUser(f"There is no user named '{name}' in this store.")
        if not password_matches(policy, user.password_hash, password):
            _refuse_wrong_password(attempts, name, now, policy)
        session = Session(name, user.full_name, Role(user.role), now,
                          on_refused=refusal_recorder(store))
        refused = None
        if not row_is_genuine(keyfile, store.generation, user):
            refused = rejected(name), "account record does not match the admins' signature"
        elif not user.locked:
            try:
                check_signing_key(opened, name, user.role == Role.ADMIN, password, policy.kdf)
            except RoleKeyReplaced as err:
                refused = err, "the admins' role-signing key in keys.json was replaced"
        with store.write() as conn:
            attempts.move_into_trail(conn, session)
            if refused:
                audit.append(conn, audit.event_for(
                    session, "login", outcome="failure", detail=refused[1]))
            elif user.locked:
                audit.append(conn, audit.event_for(
                    session, "login", outcome="failure", detail="account locked by an admin"))
            else:
                audit.append(conn, audit.event_for(session, "login"))
        attempts.recorded(name)
        if refused:
            raise refused[0]
        if user.locked:
            raise UserLocked(f"'{name}' is locked by an admin. Ask an admin to unlock it.")
        keep_only(keyfile, name, opened.identity)
    except BaseException:
        store.close()
        raise
    return LoggedIn(store, session, bool(user.must_change_password))


def log_out(logged_in: LoggedIn) -> None:
    with logged_in.store.write() as conn:
        audit.append(conn, audit.event_for(logged_in.session, "logout"))
    logged_in.store.close()


def _refuse_wrong_password(
    attempts: LoginAttempts, name: str, now: datetime, policy: Policy
) -> None:
    failures, until = attempts.record_failure(
        name, "wrong password", now, policy.failed_logins_before_lock,
        timedelta(minutes=policy.lockout_minutes),
    )
    if until:
        raise UserLocked(
            f"Wrong password for '{name}'. After {policy.failed_logins_before_lock} failed "
            f"logins the account is locked until {when_text(until)}."
        )
    left = policy.failed_logins_before_lock - failures
    raise WrongPassword(
        f"Wrong password for '{name}'. {left} more failed "
        f"{'attempt locks' if left == 1 else 'attempts lock'} the account."
    )
