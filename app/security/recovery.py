"""The IT recovery key: the way back in when every admin password is lost, or when a store
must move to a new computer whose keyring lacks its device secret.

Recovery sets a new password for one named user. If this computer had no device secret for
the store, it is enrolled with a new one; the other users' key pairs were wrapped under the
old secret and can no longer open anything, so they are dropped and those users need a new
password from an admin (`hearth user passwd NAME`).

The recovery key is random and high-entropy; an X25519 private key is derived from it and
each data key generation, and the admins' role-signing key, are sealed to its public half,
so a key rotation re-seals for recovery without the recovery key. Recovery is a password
reset, so it rotates the data key too (when it holds the role-signing key it must re-sign
with). A format-1 recovery wrap (of the data key itself) is still read until a rotation.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from app.errors import DeviceSecretMissing, NotFound, UsageError, WrongPassword
from app.security.key_rotation import ensure_generation, key_opens, withdraw
from app.security.lockout import attempts_of
from app.security.policy import Policy
from app.security.role_signing import open_signing_key
from app.security.roles import Permission, Role
from app.security.session import Session
from app.security.users import check_new_password, find_user, set_password
from app.store import audit_log as audit
from app.store.device_secret import DeviceSecrets, check_device_secret, check_value
from app.store.keyfile import (
    KeyFile,
    data_key_context,
    holder,
    recovery_context,
    signing_context,
)
from app.store.keys import (
    UnwrapFailed,
    new_recovery_key,
    recovery_private_key,
    unwrap_with_recovery_key,
)
from app.store.paths import StorePaths
from app.store.sealing import open_sealed, public_key, seal
from app.store.store import Store, open_store


@dataclass(frozen=True)
class Recovered:
    user: str
    reenrolled: bool
    users_needing_password: list[str]


def create_recovery_key(store: Store, session: Session) -> str:
    """A new recovery key (replacing any earlier one), to be printed once and locked away."""
    session.require(Permission.MANAGE_USERS)
    recovery_key = new_recovery_key()
    keyfile = store.keyfile
    public = keyfile.recovery_public = public_key(recovery_private_key(recovery_key))
    generations = keyfile.generations
    for generation in generations:
        if generation["id"] == store.generation:
            generation["recovery"] = seal(store.data_key, public, data_key_context(
                store.store_id, generation["id"], holder(None)))
    keyfile.generations = generations
    if keyfile.role_signing and store.signer:
        keyfile.role_signing["recovery"] = seal(store.signer, public, signing_context(
            store.store_id, keyfile.role_signing["public"], holder(None)))
    keyfile.recovery_wrap = None
    with store.write() as conn:
        audit.append(conn, audit.event_for(session, "create", entity="RecoveryKey",
                                           detail="IT recovery key created or replaced"))
    store.keyfile.save()
    return recovery_key


def recover(
    paths: StorePaths, recovery_key: str, name: str, new_password: str,
    device_secrets: DeviceSecrets, policy: Policy,
) -> Recovered:
    keyfile = KeyFile.load(paths.key_file)
    if keyfile.recovery_wrap is None and keyfile.recovery_public is None:
        raise UsageError(f"The store at {paths.root} has no recovery key; it cannot be recovered.")
    check_new_password(policy, new_password)
    data_key, generation, private = _recovered_key(paths, keyfile, recovery_key)
    try:
        device_secret, reenrolled = device_secrets.get(keyfile.store_id), False
        check_device_secret(keyfile, device_secret)
    except DeviceSecretMissing:  # none, damaged or another store's: enrol a new one
        device_secret, reenrolled = device_secrets.create(keyfile.store_id), True
    keyfile.device_check = check_value(device_secret, keyfile.store_id)  # saved with the wrap
    store = open_store(paths, keyfile, data_key, device_secret)
    try:
        store.generation = generation or ensure_generation(keyfile, data_key)["id"]
        store.signer = private and open_signing_key(keyfile, None, private)
        with store.read() as conn:
            user = find_user(conn, name)
        if user is None:
            raise NotFound(f"There is no user named '{name}' in this store.")
        others = [u for u in keyfile.user_names() if u != name] if reenrolled else []
        for other in others:
            withdraw(keyfile, other)
            keyfile.set_identities(other, [])
            keyfile.set_user_wraps(other, [])
        session = Session(name, user.full_name, Role(user.role), datetime.now(UTC))
        detail = "password reset with the IT recovery key" + (
            "; computer re-enrolled" if reenrolled else "")
        rotated = set_password(
            store, policy, session, name, new_password, detail=detail, unlock=True,
            rotate_key=bool(store.signer) or keyfile.role_signing is None)
        attempts_of(store, policy.lockout_minutes).clear(name)  # a failed sign-ins lock too
    finally:
        store.close()
    return Recovered(name, reenrolled, sorted({*others, *(rotated.need_password if rotated
                                                         else [])} - {name}))


def _recovered_key(paths: StorePaths, keyfile: KeyFile,
                   recovery_key: str) -> tuple[bytes, str | None, bytes | None]:
    """The data key that opens the database, its generation, and the recovery private key
    (None for a format-1 recovery wrap)."""
    private = recovery_private_key(recovery_key)
    for generation in reversed(keyfile.generations):
        box = generation["recovery"]
        if box and box["to"] == public_key(private):
            try:
                key = open_sealed(box, private, data_key_context(
                    keyfile.store_id, generation["id"], holder(None)))
            except UnwrapFailed:
                continue
            if key_opens(paths.database, key):
                return key, generation["id"], private
    if keyfile.recovery_wrap:
        try:
            key = unwrap_with_recovery_key(
                keyfile.recovery_wrap, recovery_key, recovery_context(keyfile.store_id))
            return key, None, None
        except UnwrapFailed:
            pass
    raise WrongPassword("That recovery key does not open this store.")
