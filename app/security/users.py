"""User accounts: add, list, change passwords, lock and unlock.

The argon2id hash in the database is the authority on a user's current password. The key
file's wrap must follow it, so a password change writes the new wrap beside the old one
first, then commits the new hash, then drops the old wrap: a crash at any point leaves the
user able to log in with whichever password the database holds (login keeps only that wrap).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Connection, insert, select, update

from app.errors import InvalidRecord, NotFound, UsageError
from app.security import audit
from app.security.lockout import LoginAttempts
from app.security.policy import Policy
from app.security.roles import Permission, Role
from app.security.session import Session
from app.store import schema
from app.store.store import Store

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")


@dataclass(frozen=True)
class UserInfo:
    name: str
    full_name: str
    role: str
    locked: bool
    locked_out_until: str | None
    created_at: str
    password_changed_at: str


def password_hasher(policy: Policy) -> PasswordHasher:
    kdf = policy.kdf
    return PasswordHasher(
        time_cost=kdf.time_cost, memory_cost=kdf.memory_kib, parallelism=kdf.parallelism
    )


def password_matches(policy: Policy, stored_hash: str, password: str) -> bool:
    try:
        return password_hasher(policy).verify(stored_hash, password)
    except VerificationError:
        return False


def check_new_password(policy: Policy, password: str) -> None:
    if len(password) < policy.min_password_length:
        raise UsageError(
            f"The new password is too short: use at least {policy.min_password_length} "
            "characters (a passphrase of a few words is easiest to type)."
        )


class UserAccounts:
    def __init__(self, store: Store, policy: Policy):
        self._store = store
        self._policy = policy

    def add(self, session: Session, name: str, full_name: str, role: str, password: str) -> None:
        session.require(Permission.MANAGE_USERS)
        with self._store.write() as conn:
            if find_user(conn, name) is not None:
                raise InvalidRecord(f"A user named '{name}' already exists.")
            add_user(self._store, self._policy, conn, name, full_name, role, password)
            audit.append(conn, audit.event_for(session, "create", entity=f"User/{name}",
                                               detail=f"role {role}"))
            try:  # before COMMIT: an account is never saved without the wrap that opens it
                self._store.keyfile.save()
            except BaseException:
                self._store.keyfile.remove_user(name)
                raise

    def list(self, session: Session) -> list[UserInfo]:
        session.require(Permission.MANAGE_USERS)
        attempts = LoginAttempts(self._store.paths.login_attempts)
        now = datetime.now(UTC)
        with self._store.read() as conn:
            rows = conn.execute(select(schema.app_user).order_by(schema.app_user.c.name)).all()
        return [
            UserInfo(
                r.name, r.full_name, r.role, bool(r.locked),
                (until.isoformat() if (until := attempts.locked_until(r.name, now)) else None),
                r.created_at, r.password_changed_at,
            )
            for r in rows
        ]

    def change_password(
        self, session: Session, name: str, new_password: str, current_password: str | None = None
    ) -> None:
        """Users change their own password (with the current one); admins reset anyone's."""
        if name != session.user:
            session.require(Permission.MANAGE_USERS)
        check_new_password(self._policy, new_password)
        with self._store.read() as conn:
            row = _require(conn, name)
        if name == session.user and not (
            current_password and password_matches(self._policy, row.password_hash,
                                                  current_password)
        ):
            raise UsageError("The current password is wrong; the password was not changed.")
        set_password(self._store, self._policy, session, name, new_password)

    def lock(self, session: Session, name: str) -> None:
        self._set_locked(session, name, True)

    def unlock(self, session: Session, name: str) -> None:
        self._set_locked(session, name, False)
        LoginAttempts(self._store.paths.login_attempts).clear(name)

    def _set_locked(self, session: Session, name: str, locked: bool) -> None:
        session.require(Permission.MANAGE_USERS)
        if locked and name == session.user:
            raise UsageError("You cannot lock your own account.")
        with self._store.write() as conn:
            _require(conn, name)
            conn.execute(update(schema.app_user).where(schema.app_user.c.name == name)
                         .values(locked=int(locked)))
            audit.append(conn, audit.event_for(session, "update", entity=f"User/{name}",
                                               detail="locked" if locked else "unlocked"))


def add_user(
    store: Store, policy: Policy, conn: Connection, name: str, full_name: str,
    role: str, password: str,
) -> None:
    """Insert the account and its key wrap; the caller commits and saves the key file."""
    if not NAME_PATTERN.fullmatch(name):
        raise UsageError(
            f"'{name}' is not a valid user name: use 2-32 lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter or digit."
        )
    if role not in set(Role):
        raise UsageError(f"Unknown role '{role}'; choose one of: {', '.join(Role)}.")
    check_new_password(policy, password)
    now = audit.now_text()
    conn.execute(insert(schema.app_user).values(
        name=name, full_name=full_name or name, role=role, locked=0, created_at=now,
        password_changed_at=now, password_hash=password_hasher(policy).hash(password),
    ))
    store.keyfile.set_user_wraps(name, [store.wrap_for_user(name, password, policy.kdf)])


def set_password(
    store: Store, policy: Policy, session: Session, name: str, new_password: str,
    detail: str = "password changed", unlock: bool = False,
) -> None:
    """Re-wrap the data key for the new password; `unlock` also lifts an admin lock."""
    keyfile = store.keyfile
    new_wrap = store.wrap_for_user(name, new_password, policy.kdf)
    keyfile.set_user_wraps(name, keyfile.user_wraps(name) + [new_wrap])
    keyfile.save()
    with store.write() as conn:
        conn.execute(update(schema.app_user).where(schema.app_user.c.name == name).values(
            password_hash=password_hasher(policy).hash(new_password),
            password_changed_at=audit.now_text(),
            **({"locked": 0} if unlock else {}),
        ))
        audit.append(conn, audit.event_for(session, "update", entity=f"User/{name}",
                                           detail=detail))
    keyfile.set_user_wraps(name, [new_wrap])
    keyfile.save()


def find_user(conn: Connection, name: str):
    return conn.execute(
        select(schema.app_user).where(schema.app_user.c.name == name)
    ).first()


def _require(conn: Connection, name: str):
    row = find_user(conn, name)
    if row is None:
        raise NotFound(f"There is no user named '{name}'.")
    return row
