"""User accounts: add, list, change passwords and roles, lock and unlock.

Each user has a key pair (app.store.identity) and the data key sealed to it. A user's own
password change gives her a new key pair: it is written beside the old one, then the new
hash commits, then the old pair goes; after a crash the hash decides which password signs
in (and that sign-in keeps only its pair). An admin's lock, role change or password
reset rotates the data key (app.security.key_rotation), so the locked user's password, a
keys.json kept from before the reset, or a row signed with an old role, opens nothing.
Every admin change re-signs the user rows (app.security.role_signing).

A password an admin chooses for someone (a first password, a reset) is marked to be changed
at the next sign-in (app.security.login asks for a new one); her own change clears the mark.
Hearth keeps at least one admin who can sign in: the last one is neither demoted nor locked.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Connection, insert, select, update

from app.errors import InvalidRecord, NotFound, UsageError
from app.security.key_rotation import (
    Rotated,
    ensure_generation,
    keep_only,
    rotate,
    seal_to,
    withdraw,
)
from app.security.lockout import attempts_of
from app.security.policy import Policy
from app.security.role_signing import (
    require_signer,
    seal_signing_key_to,
    sealed_signing_key,
    sign_rows,
)
from app.security.roles import Permission, Role
from app.security.session import Session
from app.store import audit_log as audit
from app.store import schema
from app.store.identity import new_identity
from app.store.sealing import new_private_key
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
    must_change_password: bool = False


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


LAST_ADMIN = "Hearth needs at least one admin: add another admin before {doing}."


class UserAccounts:
    def __init__(self, store: Store, policy: Policy):
        self._store = store
        self._policy = policy

    def add(self, session: Session, name: str, full_name: str, role: str, password: str,
            must_change: bool = False) -> None:
        """Add an account; `must_change`: the password is a first one she changes at sign-in."""
        session.require(Permission.MANAGE_USERS)
        require_signer(self._store)
        with self._store.write() as conn:
            if find_user(conn, name) is not None:
                raise InvalidRecord(f"A user named '{name}' already exists.")
            add_user(self._store, self._policy, conn, name, full_name, role, password,
                     must_change)
            audit.append(conn, audit.event_for(session, "create", entity=f"User/{name}",
                                               detail=f"role {role}"))
            try:  # before COMMIT: an account is never saved without the wrap that opens it
                self._store.keyfile.save()
            except BaseException:
                withdraw(self._store.keyfile, name)
                self._store.keyfile.remove_user(name)
                raise

    def list(self, session: Session) -> list[UserInfo]:
        session.require(Permission.MANAGE_USERS)
        attempts = attempts_of(self._store, self._policy.lockout_minutes)
        now = datetime.now(UTC)
        with self._store.read() as conn:
            rows = conn.execute(select(schema.app_user).order_by(schema.app_user.c.name)).all()
        return [
            UserInfo(
                r.name, r.full_name, r.role, bool(r.locked),
                (until.isoformat() if (until := attempts.locked_until(r.name, now)) else None),
                r.created_at, r.password_changed_at, bool(r.must_change_password),
            )
            for r in rows
        ]

    def change_password(
        self, session: Session, name: str, new_password: str, current_password: str | None = None
    ) -> Rotated | None:
        """Users change their own password (with the current one); admins reset anyone's,
        which rotates the data key (the Rotation says who was left without it)."""
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
        return set_password(self._store, self._policy, session, name, new_password,
                            rotate_key=name != session.user)

    def reset_password(self, session: Session, name: str, temporary: str) -> Rotated | None:
        """An admin gives `name` a temporary password, to be changed at her next sign-in."""
        session.require(Permission.MANAGE_USERS)
        if name == session.user:
            raise UsageError("Change your own password with your current one, not a reset.")
        check_new_password(self._policy, temporary)
        with self._store.read() as conn:
            _require(conn, name)
        return set_password(self._store, self._policy, session, name, temporary,
                            detail="password reset; to be changed at the next sign-in",
                            must_change=True)

    def lock(self, session: Session, name: str) -> Rotated:
        """Lock the account and rotate the data key without her."""
        session.require(Permission.MANAGE_USERS)
        with self._store.read() as conn:
            _require(conn, name)
            if _is_last_admin(conn, name):
                raise UsageError(LAST_ADMIN.format(doing=f"locking {name}"))
        if name == session.user:
            raise UsageError("You cannot lock your own account.")
        require_signer(self._store)

        def change(conn: Connection) -> None:
            _set_locked(conn, session, name, True)

        return rotate(self._store, change, without=frozenset({name}))

    def set_role(self, session: Session, name: str, role: str) -> Rotated:
        """Change a user's role. It rotates the data key, so the row signed with her old
        role is no longer valid and cannot be put back; an admin gains or loses the
        role-signing key."""
        session.require(Permission.MANAGE_USERS)
        if role not in set(Role):
            raise UsageError(f"Unknown role '{role}'; choose one of: {', '.join(Role)}.")
        store, keyfile = self._store, self._store.keyfile
        with store.read() as conn:
            old = _require(conn, name).role
            if role != Role.ADMIN and _is_last_admin(conn, name):
                raise UsageError(LAST_ADMIN.format(doing=f"changing {name}'s role"))
        if name == session.user:
            raise UsageError("You cannot change your own role; ask another admin.")
        require_signer(self._store)
        identities = keyfile.identities(name)
        if role == Role.ADMIN and identities:
            seal_signing_key_to(store, name, identities[-1]["public"])
        elif keyfile.role_signing:
            keyfile.role_signing["sealed"].pop(name, None)

        def change(conn: Connection) -> None:
            conn.execute(update(schema.app_user).where(schema.app_user.c.name == name)
                         .values(role=role))
            audit.append(conn, audit.event_for(session, "update", entity=f"User/{name}",
                                               detail=f"role {old} -> {role}"))

        return rotate(store, change)

    def unlock(self, session: Session, name: str) -> None:
        """Unlock the account and seal the current data key to her key pair again."""
        session.require(Permission.MANAGE_USERS)
        require_signer(self._store)
        store, keyfile = self._store, self._store.keyfile
        with store.read() as conn:
            row = _require(conn, name)
        if identities := keyfile.identities(name):  # before COMMIT, as for a new user
            seal_to(keyfile, store.generation, store.data_key, name, identities[-1]["public"])
            if row.role == Role.ADMIN:
                seal_signing_key_to(store, name, identities[-1]["public"])
            keyfile.save()
        with store.write() as conn:
            _set_locked(conn, session, name, False)
            if store.signer:
                sign_rows(conn, store.store_id, store.signer, [store.generation])
        attempts_of(self._store, self._policy.lockout_minutes).clear(name)


def _is_last_admin(conn: Connection, name: str) -> bool:
    """True if `name` is an admin and no other unlocked admin is left to sign in."""
    admins = conn.execute(select(schema.app_user.c.name).where(
        schema.app_user.c.role == Role.ADMIN, schema.app_user.c.locked == 0)).scalars().all()
    return name in admins and len(admins) == 1


def _set_locked(conn: Connection, session: Session, name: str, locked: bool) -> None:
    conn.execute(update(schema.app_user).where(schema.app_user.c.name == name)
                 .values(locked=int(locked)))
    audit.append(conn, audit.event_for(session, "update", entity=f"User/{name}",
                                       detail="locked" if locked else "unlocked"))


def add_first_admin(store: Store, policy: Policy, name: str, full_name: str,
                    password: str) -> None:
    """The admin who creates a store, audited as her own doing: nobody is signed in yet."""
    with store.write() as conn:
        add_user(store, policy, conn, name, full_name, "admin", password)
        audit.append(conn, audit.Event(
            audit.now_text(), name, "admin", "create", "success", entity=f"User/{name}",
            detail="store created; first admin"))


def add_user(
    store: Store, policy: Policy, conn: Connection, name: str, full_name: str,
    role: str, password: str, must_change: bool = False,
) -> None:
    """Insert the account, signed, with its key pair and the data key sealed to it; the
    caller commits and saves the key file. The store's first admin makes the signing key."""
    if not NAME_PATTERN.fullmatch(name):
        raise UsageError(
            f"'{name}' is not a valid user name: use 2-32 lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter or digit."
        )
    if name == audit.SYNC_ACTOR:
        raise UsageError(f"'{name}' is the name the audit trail gives to what sync does on "
                         "its own; choose another user name.")
    if role not in set(Role):
        raise UsageError(f"Unknown role '{role}'; choose one of: {', '.join(Role)}.")
    check_new_password(policy, password)
    keyfile = store.keyfile
    store.generation = store.generation or ensure_generation(keyfile, store.data_key)["id"]
    if keyfile.role_signing is None and not keyfile.user_names() and role == Role.ADMIN:
        store.signer = new_private_key()
        keyfile.role_signing = sealed_signing_key(keyfile, store.signer, {})
    now = audit.now_text()
    conn.execute(insert(schema.app_user).values(
        name=name, full_name=full_name or name, role=role, locked=0, created_at=now,
        password_changed_at=now, password_hash=password_hasher(policy).hash(password),
        must_change_password=int(must_change),
    ))
    identity = _new_identity(store, policy, name, password)
    keyfile.set_identities(name, [identity])
    seal_to(keyfile, store.generation, store.data_key, name, identity["public"])
    if role == Role.ADMIN and store.signer:
        seal_signing_key_to(store, name, identity["public"])
    if store.signer:
        sign_rows(conn, store.store_id, store.signer, [store.generation])


def set_password(
    store: Store, policy: Policy, session: Session, name: str, new_password: str,
    detail: str = "password changed", unlock: bool = False, rotate_key: bool = True,
    must_change: bool = False,
) -> Rotated | None:
    """Give `name` a new key pair for the new password; `unlock` also lifts an admin lock.
    `rotate_key` (a reset by an admin or the recovery key) also rotates the data key;
    `must_change` marks it for a change at her next sign-in (any other change clears it)."""
    keyfile = store.keyfile
    identity = _new_identity(store, policy, name, new_password)

    def change(conn: Connection) -> None:
        conn.execute(update(schema.app_user).where(schema.app_user.c.name == name).values(
            password_hash=password_hasher(policy).hash(new_password),
            password_changed_at=audit.now_text(), must_change_password=int(must_change),
            **({"locked": 0} if unlock else {}),
        ))
        audit.append(conn, audit.event_for(session, "update", entity=f"User/{name}",
                                           detail=detail))

    if rotate_key:
        require_signer(store)
        rotated = rotate(store, change, new_identity=(name, identity))
        with store.read() as conn:
            if _require(conn, name).role == Role.ADMIN and store.signer:
                seal_signing_key_to(store, name, identity["public"])
                keyfile.save()
        return rotated
    keyfile.set_identities(name, keyfile.identities(name) + [identity])
    seal_to(keyfile, store.generation, store.data_key, name, identity["public"], beside=True)
    keyfile.save()
    with store.write() as conn:
        change(conn)
    keep_only(keyfile, name, identity)
    return None


def _new_identity(store: Store, policy: Policy, name: str, password: str) -> dict:
    signing = store.keyfile.role_signing
    return new_identity(password, store.device_secret, policy.kdf, store.store_id, name,
                        signing and signing["public"])


def find_user(conn: Connection, name: str):
    return conn.execute(
        select(schema.app_user).where(schema.app_user.c.name == name)
    ).first()


def _require(conn: Connection, name: str):
    row = find_user(conn, name)
    if row is None:
        raise NotFound(f"There is no user named '{name}'.")
    return row
