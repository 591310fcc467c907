"""A user's key pair in the key file: the X25519 private key wrapped under the password.

The record also names the admins' role-signing public key the user was given when the key
pair was made, bound into the wrap's associated data: nobody without the user's password
can change it, so a signing key swapped in keys.json shows at that user's next sign-in.
"""

from app.errors import StoreCorrupt
from app.store.kdf_cost import KdfCost
from app.store.keyfile import identity_context
from app.store.keys import WrapTampered, unwrap_with_password, wrap_with_password
from app.store.sealing import new_private_key, public_key


def new_identity(password: str, device_secret: bytes, cost: KdfCost, store_id: str,
                 name: str, signer: str | None, private: bytes | None = None) -> dict:
    """A key pair record for `name` (a new one, or `private` re-wrapped)."""
    private = private or new_private_key()
    wrap = wrap_with_password(private, password, device_secret, cost,
                              _context(store_id, name, signer))
    return {"public": public_key(private), "signer": signer, **wrap}


def open_identity(identity: dict, password: str, device_secret: bytes, store_id: str,
                  name: str, key_file) -> bytes:
    """The private key; UnwrapFailed for a wrong password; StoreCorrupt for an edited
    record (the password opens its check value, or the public key is not its own)."""
    try:
        private = unwrap_with_password(identity, password, device_secret,
                                       _context(store_id, name, identity.get("signer")))
    except WrapTampered:
        raise StoreCorrupt(_edited(name, key_file)) from None
    if public_key(private) != identity["public"]:
        raise StoreCorrupt(_edited(name, key_file))
    return private


def _context(store_id: str, name: str, signer: str | None) -> str:
    return f"{identity_context(store_id, name)}/signer/{signer or '-'}"


def _edited(name: str, key_file) -> str:
    return (f"The key of '{name}' in {key_file} was edited outside Hearth, so it was not "
            "used. Nothing was changed; ask IT to restore keys.json from a backup.")
