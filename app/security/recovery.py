"""The IT recovery key: the way back in when every admin password is lost, or when a store
must move to a new computer whose keyring lacks its device secret.

Recovery sets a new password for one named user. If this computer had no device secret for
the store, it is enrolled with a new one; the other users' wraps were made under the old
secret and can no longer open anything, so they are dropped and those users need a new
password from an admin (`hearth user passwd NAME`).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from app.errors import DeviceSecretMissing, NotFound, UsageError, WrongPassword
from app.security import audit
from app.security.policy import Policy
from app.security.roles import Permission, Role
from app.security.session import Session
from app.security.users import check_new_password, find_user, set_password
from app.store.device_secret import DeviceSecrets
from app.store.keyfile import KeyFile, recovery_context
from app.store.keys import UnwrapFailed, new_recovery_key, unwrap_with_recovery_key
from app.store.paths import StorePaths
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
    store.keyfile.recovery_wrap = store.wrap_for_recovery(recovery_key)
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
    if keyfile.recovery_wrap is None:
        raise UsageError(f"The store at {paths.root} has no recovery key; it cannot be recovered.")
    check_new_password(policy, new_password)
    try:
        data_key = unwrap_with_recovery_key(
            keyfile.recovery_wrap, recovery_key, recovery_context(keyfile.store_id))
    except UnwrapFailed:
        raise WrongPassword("That recovery key does not open this store.") from None
    try:
        device_secret, reenrolled = device_secrets.get(keyfile.store_id), False
    except DeviceSecretMissing:
        device_secret, reenrolled = device_secrets.create(keyfile.store_id), True
    store = open_store(paths, keyfile, data_key, device_secret)
    try:
        with store.read() as conn:
            user = find_user(conn, name)
        if user is None:
            raise NotFound(f"There is no user named '{name}' in this store.")
        others = [u for u in keyfile.user_names() if u != name] if reenrolled else []
        for other in others:
            keyfile.set_user_wraps(other, [])
        session = Session(name, user.full_name, Role(user.role), datetime.now(UTC))
        detail = "password reset with the IT recovery key" + (
            "; computer re-enrolled" if reenrolled else "")
        set_password(store, policy, session, name, new_password, detail=detail, unlock=True)
    finally:
        store.close()
    return Recovered(name, reenrolled, others)
