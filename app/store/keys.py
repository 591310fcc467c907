"""Wrapping the data key: under a password plus device secret, or under a recovery key.

The database is encrypted with a random 256-bit data key used as SQLCipher's raw key (no
passphrase KDF on every open). That key is only ever stored wrapped with AES-256-GCM:
- per user, under HKDF(argon2id(password, salt) || device secret), so a password change
  re-wraps the key without re-encrypting the database;
- optionally under an IT recovery key, which is random and high-entropy, needs no argon2id
  and is deliberately not tied to this computer, so a store can be recovered elsewhere
  (format 1; from format 2 an X25519 key derived from it receives sealed keys instead).
The GCM associated data binds each wrap to its store and slot, so wraps cannot be swapped
between users or stores. A password wrap also carries a short check value of its KEK, so a
wrap whose other fields were edited is told apart from a wrong password (WrapTampered).
The same wrap seals a user's X25519 private key (app.store.sealing) from format 2 on.
"""

import base64
import hmac
import secrets

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import UsageError
from app.store.kdf_cost import KdfCost

DATA_KEY_BYTES = 32


class UnwrapFailed(Exception):
    """The password, device secret or recovery key does not open this wrap."""


class WrapTampered(UnwrapFailed):
    """The password opens the wrap's check value, but its sealed part was edited."""


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def wrap_with_password(
    secret: bytes, password: str, device_secret: bytes, cost: KdfCost, context: str
) -> dict:
    """`secret` (a data key or a private key) sealed under the password and device secret."""
    salt = secrets.token_bytes(16)
    kek = _password_kek(password, device_secret, salt, cost)
    kdf = {
        "alg": "argon2id",
        "salt": b64(salt),
        "time_cost": cost.time_cost,
        "memory_kib": cost.memory_kib,
        "parallelism": cost.parallelism,
    }
    return {"kdf": kdf, "check": b64(_check_value(kek)), **_seal(kek, secret, context)}


def unwrap_with_password(wrap: dict, password: str, device_secret: bytes, context: str) -> bytes:
    kdf = wrap["kdf"]
    cost = KdfCost(kdf["time_cost"], kdf["memory_kib"], kdf["parallelism"])
    kek = _password_kek(password, device_secret, unb64(kdf["salt"]), cost)
    try:
        return _open(kek, wrap, context)
    except UnwrapFailed:
        if "check" in wrap and hmac.compare_digest(unb64(wrap["check"]), _check_value(kek)):
            raise WrapTampered from None
        raise


def new_recovery_key() -> str:
    """A recovery key to print and lock away: 256 bits as base32 in groups of four."""
    text = base64.b32encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def unwrap_with_recovery_key(wrap: dict, recovery_key: str, context: str) -> bytes:
    """Open a format-1 recovery wrap (the data key sealed under the recovery key itself)."""
    return _open(_recovery_kek(recovery_key), wrap, context)


def _password_kek(password: str, device_secret: bytes, salt: bytes, cost: KdfCost) -> bytes:
    stretched = hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=cost.time_cost,
        memory_cost=cost.memory_kib,
        parallelism=cost.parallelism,
        hash_len=32,
        type=Type.ID,
    )
    return hkdf(stretched + device_secret, b"hearth key-encryption key v1")


def recovery_private_key(recovery_key: str) -> bytes:
    """The recovery X25519 private key: data keys are sealed to its public half."""
    return hkdf(_recovery_raw(recovery_key), b"hearth recovery identity v1")


def _recovery_kek(recovery_key: str) -> bytes:
    return hkdf(_recovery_raw(recovery_key), b"hearth recovery key v1")


def _check_value(kek: bytes) -> bytes:
    return hmac.digest(kek, b"hearth wrap check v1", "sha256")[:16]


def _recovery_raw(recovery_key: str) -> bytes:
    text = recovery_key.replace("-", "").replace(" ", "").upper()
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise UsageError("That is not a Hearth recovery key (expected 13 groups of 4 letters).")
    return raw


def hkdf(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def _seal(kek: bytes, data_key: bytes, context: str) -> dict:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(kek).encrypt(nonce, data_key, context.encode("utf-8"))
    return {"nonce": b64(nonce), "sealed_key": b64(sealed)}


def _open(kek: bytes, wrap: dict, context: str) -> bytes:
    try:
        return AESGCM(kek).decrypt(
            unb64(wrap["nonce"]), unb64(wrap["sealed_key"]), context.encode("utf-8")
        )
    except InvalidTag as exc:
        raise UnwrapFailed from exc


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text)
