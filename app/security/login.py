"""Logging in opens the store; logging out closes it.

The order of checks gives each failure its own message: no store, unknown user, locked out
by failed attempts, no device secret on this computer, wrong password, damaged or too-new
database, account locked by an admin. Failed attempts are counted beside the database
(app.security.lockout) and moved into the audit trail by the next successful login.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.errors import UnknownUser, UserLocked, WrongPassword
from app.security import audit
from app.security.lockout import LoginAttempts
from app.security.policy import Policy
from app.security.roles import Role
from app.security.session import Session
from app.security.users import find_user, password_matches
from app.store.device_secret import DeviceSecrets
from app.store.keyfile import KeyFile
from app.store.paths import StorePaths
from app.store.store import Store, open_store, unwrap_user_key


@dataclass(frozen=True)
class LoggedIn:
    store: Store
    session: Session


def log_in(
    paths: StorePaths, name: str, password: str, device_secrets: DeviceSecrets, policy: Policy
) -> LoggedIn:
    keyfile = KeyFile.load(paths.key_file)
    attempts = LoginAttempts(paths.login_attempts)
    now = datetime.now(UTC)
    if name not in keyfile.user_names():
        attempts.record_failure(name, "unknown user", now, None, timedelta())
        raise UnknownUser(f"There is no user named '{name}' in this store.")
    if until := attempts.locked_until(name, now):
        raise UserLocked(
            f"'{name}' is locked after {policy.failed_logins_before_lock} failed logins until "
            f"{_local_time(until)}. Wait, or ask an admin: hearth user unlock {name}"
        )
    if not keyfile.user_wraps(name):
        raise UserLocked(
            f"'{name}' has no password on this computer since the store was re-enrolled with "
            f"the recovery key. Ask an admin to set one: hearth user passwd {name}"
        )
    device_secret = device_secrets.get(keyfile.store_id)
    opened = unwrap_user_key(keyfile, name, password, device_secret)
    if opened is None:
        _refuse_wrong_password(attempts, name, now, policy)
    data_key, wrap = opened
    store = open_store(paths, keyfile, data_key, device_secret)
    try:
        with store.read() as conn:
            user = find_user(conn, name)
        if user is None:
            raise UnknownUser(f"There is no user named '{name}' in this store.")
        if not password_matches(policy, user.password_hash, password):
            _refuse_wrong_password(attempts, name, now, policy)
        session = Session(name, user.full_name, Role(user.role), now)
        with store.write() as conn:
            for failed in attempts.unrecorded():
                audit.append(conn, audit.Event(
                    failed.at, failed.user, None, "login", "failure", detail=failed.reason))
            if user.locked:
                audit.append(conn, audit.event_for(
                    session, "login", outcome="failure", detail="account locked by an admin"))
            else:
                audit.append(conn, audit.event_for(session, "login"))
        attempts.recorded(name)
        if user.locked:
            raise UserLocked(f"'{name}' is locked by an admin. Ask an admin to unlock it.")
        _keep_only(keyfile, name, wrap)
    except BaseException:
        store.close()
        raise
    return LoggedIn(store, session)


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
            f"logins the account is locked until {_local_time(until)}."
        )
    left = policy.failed_logins_before_lock - failures
    raise WrongPassword(
        f"Wrong password for '{name}'. {left} more failed "
        f"{'attempt locks' if left == 1 else 'attempts lock'} the account."
    )


def _keep_only(keyfile: KeyFile, name: str, wrap: dict) -> None:
    """Finish an interrupted password change: keep the wrap of the password that worked."""
    if keyfile.user_wraps(name) != [wrap]:
        keyfile.set_user_wraps(name, [wrap])
        keyfile.save()


def _local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M on %Y-%m-%d")
