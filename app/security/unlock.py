"""Opening the store with a user's password: her key pair, then the data key sealed to it.

A format-1 user (a key file from before key pairs) still has a wrap of the data key itself;
her first sign-in gives her a key pair and drops that wrap. A user with a key pair but no
sealed data key was locked by an admin (the key was rotated without her). After a crash
mid-rotation the database decides what happens (app.security.key_rotation.settle).
Afterwards the admins' role-signing key is checked against the one bound into her key pair.
"""

from dataclasses import dataclass

from app.errors import UserLocked
from app.security.key_rotation import ensure_generation, key_opens, seal_to, settle
from app.security.role_signing import establish, open_signing_key, replaced
from app.store.identity import new_identity, open_identity
from app.store.kdf_cost import KdfCost
from app.store.keyfile import KeyFile, data_key_context, holder, user_context
from app.store.keys import UnwrapFailed, unwrap_with_password
from app.store.paths import StorePaths
from app.store.sealing import new_private_key, open_sealed
from app.store.store import Store, open_store


@dataclass(frozen=True)
class Unlocked:
    store: Store
    private: bytes  # the user's X25519 private key
    identity: dict


def unlock(paths: StorePaths, keyfile: KeyFile, name: str, password: str,
           device_secret: bytes, cost: KdfCost) -> Unlocked | None:
    """The opened store, or None if the password opens none of the user's keys."""
    store_id = keyfile.store_id
    for identity in reversed(keyfile.identities(name)):
        try:
            private = open_identity(identity, password, device_secret, store_id, name,
                                    paths.key_file)
        except UnwrapFailed:
            continue
        keys = _sealed_keys(keyfile, name, identity, private)
        for generation in reversed(keyfile.generations):
            key = keys.get(generation["id"])
            if key and key_opens(paths.database, key):
                store = _open(paths, keyfile, key, device_secret, generation["id"])
                try:
                    settle(store, keys)
                except BaseException:
                    store.close()
                    raise
                return Unlocked(store, private, identity)
        if not keys:
            raise UserLocked(f"'{name}' is locked by an admin. Ask an admin to unlock it.")
        newest = next(g["id"] for g in reversed(keyfile.generations) if g["id"] in keys)
        _open(paths, keyfile, keys[newest], device_secret, newest).close()  # names the damage
        raise UserLocked(f"'{name}' cannot open the store until an admin signs in to "
                         "finish changing its key.")
    for wrap in reversed(keyfile.user_wraps(name)):
        try:
            key = unwrap_with_password(wrap, password, device_secret, user_context(store_id, name))
        except UnwrapFailed:
            continue
        return _upgrade(paths, keyfile, name, password, device_secret, cost, key, wrap)
    return None


def check_signing_key(unlocked: Unlocked, name: str, is_admin: bool, password: str,
                      cost: KdfCost) -> None:
    """Raise RoleKeyReplaced if the signing key in keys.json is not the one bound into the
    user's key pair; bind it if none was (a key pair made before it existed); an admin
    gets the private half."""
    store, keyfile = unlocked.store, unlocked.store.keyfile
    current = keyfile.role_signing and keyfile.role_signing["public"]
    bound = unlocked.identity.get("signer")
    if bound and bound != current:
        raise replaced(keyfile.path, name)
    if is_admin and current is None:  # the first admin sign-in since the upgrade
        with store.write() as conn:
            establish(store, conn)
        keyfile.save()
        current = keyfile.role_signing["public"]
    elif is_admin:
        store.signer = open_signing_key(keyfile, name, unlocked.private)
    if current and not bound:
        rebound = new_identity(password, store.device_secret, cost, keyfile.store_id, name,
                               current, unlocked.private)
        keyfile.set_identities(name, [i if i is not unlocked.identity else rebound
                                      for i in keyfile.identities(name)])
        keyfile.save()


def _sealed_keys(keyfile: KeyFile, name: str, identity: dict, private: bytes) -> dict:
    keys = {}
    for generation in keyfile.generations:
        context = data_key_context(keyfile.store_id, generation["id"], holder(name))
        for box in generation["sealed"].get(name, []):
            if box["to"] == identity["public"]:
                try:
                    keys[generation["id"]] = open_sealed(box, private, context)
                except UnwrapFailed:
                    continue  # an edited copy opens nothing; another may
    return keys


def _upgrade(paths: StorePaths, keyfile: KeyFile, name: str, password: str,
             device_secret: bytes, cost: KdfCost, key: bytes, wrap: dict) -> Unlocked:
    """A format-1 user's first sign-in: she gets a key pair, sealed the same data key. Only
    the wrap that opened goes: if a crash left two, the password hash still decides."""
    if not key_opens(paths.database, key):
        raise UserLocked(
            f"'{name}' needs a new password from an admin since the store's key was "
            f"changed: hearth user passwd {name}")
    generation = ensure_generation(keyfile, key)
    store = _open(paths, keyfile, key, device_secret, generation["id"])
    try:
        signer = keyfile.role_signing and keyfile.role_signing["public"]
        private = new_private_key()
        identity = new_identity(password, device_secret, cost, keyfile.store_id, name, signer,
                                private)
        keyfile.set_identities(name, [identity])
        seal_to(keyfile, generation["id"], key, name, identity["public"])
        keyfile.set_user_wraps(name, [w for w in keyfile.user_wraps(name) if w != wrap])
        keyfile.save()
    except BaseException:
        store.close()
        raise
    return Unlocked(store, private, identity)


def _open(paths: StorePaths, keyfile: KeyFile, key: bytes, device_secret: bytes,
          generation: str) -> Store:
    store = open_store(paths, keyfile, key, device_secret)
    store.generation = generation
    return store

