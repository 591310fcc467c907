"""Sealing a secret to someone's public key, so an admin can re-wrap without passwords.

Each user has an X25519 key pair: the private half is wrapped under the user's password
(app.store.keys), the public half is stored in the clear. A data key is sealed to each
public key (an ephemeral X25519 exchange, HKDF-SHA256, AES-256-GCM), so whoever holds the
data key can give it to every user at a key rotation, yet only the holder of the private
key can open it. The associated data names the store, the key generation and the holder,
so a sealed key cannot be moved to another slot. The admins' role-signing key (Ed25519,
app.security.role_signing) is sealed the same way.
"""

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.store.keys import UnwrapFailed, b64, hkdf, unb64


def new_private_key() -> bytes:
    return secrets.token_bytes(32)


def public_key(private: bytes) -> str:
    """The public half of an X25519 private key, as stored in the key file."""
    return b64(_raw_public(X25519PrivateKey.from_private_bytes(private).public_key()))


def signing_public_key(private: bytes) -> str:
    """The public half of an Ed25519 private key, as stored in the key file."""
    return b64(_raw_public(Ed25519PrivateKey.from_private_bytes(private).public_key()))


def seal(secret: bytes, to_public: str, context: str) -> dict:
    ephemeral = X25519PrivateKey.generate()
    recipient = X25519PublicKey.from_public_bytes(unb64(to_public))
    ephemeral_public = _raw_public(ephemeral.public_key())
    key = _box_key(ephemeral.exchange(recipient), ephemeral_public, unb64(to_public))
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, secret, context.encode("utf-8"))
    return {"to": to_public, "ephemeral": b64(ephemeral_public), "nonce": b64(nonce),
            "sealed_key": b64(sealed)}


def open_sealed(box: dict, private: bytes, context: str) -> bytes:
    mine = X25519PrivateKey.from_private_bytes(private)
    ephemeral = unb64(box["ephemeral"])
    own_public = _raw_public(mine.public_key())
    key = _box_key(mine.exchange(X25519PublicKey.from_public_bytes(ephemeral)), ephemeral,
                   own_public)
    try:
        return AESGCM(key).decrypt(unb64(box["nonce"]), unb64(box["sealed_key"]),
                                   context.encode("utf-8"))
    except InvalidTag as exc:
        raise UnwrapFailed from exc


def _box_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return hkdf(shared + ephemeral_public + recipient_public, b"hearth sealed key v1")


def _raw_public(public) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)
