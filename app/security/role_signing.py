"""User records signed by the admins, so a user who rewrites her own role is caught.

Every user opens the same database, so any of them can write any app_user row. Each row is
therefore signed with an Ed25519 key whose private half is sealed only to the admins (and
to the IT recovery key); its public half is in keys.json. A signature covers the store, the
data-key generation, and the row's name, full name, role, lock and creation time: a row
copied from another user, or an older row of one's own kept from before the last key
rotation, does not verify. Sign-in checks the signing-in user's row.

Anyone with a shell can also swap the public key in keys.json and sign her own rows. Each
admin's key pair is wrapped with the signing public key bound into its associated data, so
the next admin sign-in notices that the key in keys.json is not the one it was given.
"""

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, select, update

from app.errors import StoreCorrupt, UsageError
from app.store import schema
from app.store.keyfile import KeyFile, holder, signing_context
from app.store.keys import UnwrapFailed, b64, unb64
from app.store.sealing import new_private_key, open_sealed, seal, signing_public_key
from app.store.store import Store


class RoleRecordRejected(StoreCorrupt):
    """A user record does not carry a valid admin signature."""

    title = "User record rejected"


class RoleKeyReplaced(StoreCorrupt):
    """The role-signing key in keys.json is not the one a user's key pair was given."""

    title = "Role-signing key replaced"


def replaced(path, name: str) -> RoleKeyReplaced:
    return RoleKeyReplaced(
        f"The admins' role-signing key in {path} is not the one '{name}' was given: someone "
        "replaced it, and user roles may have been rewritten outside Hearth. Nothing was "
        "changed; ask IT to compare keys.json with a backup and to review the audit trail.")


def establish(store: Store, conn: Connection) -> None:
    """A new signing key, sealed to every admin with a key pair; every row signed with it.
    The key file is saved only after the caller commits the signatures: a crash between
    leaves signed rows and no key, which sign-in reads as "not signed yet"."""
    signer = new_private_key()
    admins = conn.execute(select(schema.app_user.c.name)
                          .where(schema.app_user.c.role == "admin")).scalars()
    keyfile = store.keyfile
    holders = {name: ids[-1]["public"] for name in admins if (ids := keyfile.identities(name))}
    keyfile.role_signing = sealed_signing_key(keyfile, signer, holders)
    sign_rows(conn, store.store_id, signer, [store.generation])
    store.signer = signer


def require_signer(store: Store) -> None:
    """Admin operations re-sign rows; an admin who was never given the key cannot."""
    if store.keyfile.role_signing and not store.signer:
        raise UsageError(
            "This admin account does not hold the admins' role-signing key, so it cannot "
            "change accounts. Ask another admin, or IT with the recovery key.")


def seal_signing_key_to(store: Store, name: str, public: str) -> None:
    """Give an admin (new, or promoted) the signing key."""
    entry = store.keyfile.role_signing
    entry["sealed"][name] = seal(store.signer, public, signing_context(
        store.store_id, entry["public"], holder(name)))


def sealed_signing_key(keyfile: KeyFile, signer: bytes, holders: dict[str, str]) -> dict:
    """The key file's role_signing entry: `signer` sealed to each admin (name: X25519 public
    key) and to the recovery key, under associated data that names the public key."""
    public = signing_public_key(signer)
    context = lambda who: signing_context(keyfile.store_id, public, holder(who))  # noqa: E731
    recovery = keyfile.recovery_public
    return {"public": public,
            "sealed": {name: seal(signer, to, context(name)) for name, to in holders.items()},
            "recovery": seal(signer, recovery, context(None)) if recovery else None}


def open_signing_key(keyfile: KeyFile, name: str | None, private: bytes) -> bytes | None:
    """The signing key sealed to `name` (None: the recovery key), or None if none is."""
    entry = keyfile.role_signing
    box = entry and (entry["recovery"] if name is None else entry["sealed"].get(name))
    if not box:
        return None
    try:
        signer = open_sealed(box, private,
                             signing_context(keyfile.store_id, entry["public"], holder(name)))
    except UnwrapFailed:
        raise replaced(keyfile.path, name or "the recovery key") from None
    if signing_public_key(signer) != entry["public"]:
        raise replaced(keyfile.path, name or "the recovery key")
    return signer


def sign_rows(conn: Connection, store_id: str, signer: bytes, generations: list[str]) -> None:
    """Sign every user row for each of `generations` (both, during a key rotation)."""
    key = Ed25519PrivateKey.from_private_bytes(signer)
    for row in conn.execute(select(schema.app_user)).all():
        signatures = {g: b64(key.sign(_content(store_id, g, row))) for g in generations}
        conn.execute(update(schema.app_user).where(schema.app_user.c.name == row.name)
                     .values(signature=orjson.dumps(signatures).decode()))


def row_is_genuine(keyfile: KeyFile, generation: str | None, row) -> bool:
    """True if the row carries a signature for `generation` by the key in keys.json, or if
    the store has no signing key yet (until the first admin signs in after the upgrade)."""
    entry = keyfile.role_signing
    if entry is None:
        return True
    try:
        signature = unb64(orjson.loads(row.signature or "{}")[generation])
        Ed25519PublicKey.from_public_bytes(unb64(entry["public"])).verify(
            signature, _content(keyfile.store_id, generation, row))
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError, InvalidSignature):
        return False
    return True


def rejected(name: str) -> RoleRecordRejected:
    return RoleRecordRejected(
        f"The account record of '{name}' was changed outside Hearth (its role or lock does "
        "not match the admins' signature), so sign-in was refused and the attempt audited. "
        "Ask an admin to check the account: hearth user list")


def _content(store_id: str, generation: str | None, row) -> bytes:
    return orjson.dumps([store_id, generation, row.name, row.full_name, row.role,
                         int(row.locked), row.created_at])
