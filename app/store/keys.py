"""Wrapping the data key: under a password plus device secret, or under a recovery key.

The database is encrypted with a random 256-bit data key used as SQLCipher's raw key (no
passphrase KDF on every open). That key is only ever stored wrapped with AES-256-GCM:
- per user, under HKDF(argon2id(password, salt) || device secret), so a password change
  re-wraps the key without re-encrypting the database;
- optionally under an IT recovery key, which is random and high-entropy, needs no argon2id
  and is deliberately not tied to this computer, so a store can be recovered elsewhere.
The GCM associated data binds each wrap to its store and slot, so wraps cannot be swapped
between users or stores.
"""

import base64
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import UsageError

DATA_KEY_BYTES = 32


@dataclass(frozen=True)
class KdfCost:
    """argon2id cost. The default is RFC 9106's second recommended setting (64 MiB, t=3)."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4


class UnwrapFailed(Exception):
    """The password, device secret or recovery key does not open this wrap."""


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def wrap_with_password(
    data_key: bytes, password: str, device_secret: bytes, cost: KdfCost, context: str
) -> dict:
    salt = secrets.token_bytes(16)
    kek = _password_kek(password, device_secret, salt, cost)
    kdf = {
        "alg": "argon2id",
        "salt": _b64(salt),
        "time_cost": cost.time_cost,
        "memory_kib": cost.memory_kib,
        "parallelism": cost.parallelism,
    }
    return {"kdf": kdf, **_seal(kek, data_key, context)}


def unwrap_with_password(wrap: dict, password: str, device_secret: bytes, context: str) -> bytes:
    kdf = wrap["kdf"]
    cost = KdfCost(kdf["time_cost"], kdf["memory_kib"], kdf["parallelism"])
    kek = _password_kek(password, device_secret, _unb64(kdf["salt"]), cost)
    return _open(kek, wrap, context)


def new_recovery_key() -> str:
    """A recovery key to print and lock away: 256 bits as base32 in groups of four."""
    text = base64.b32encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def wrap_with_recovery_key(data_key: bytes, recovery_key: str, context: str) -> dict:
    return {"kdf": {"alg": "hkdf-sha256"}, **_seal(_recovery_kek(recovery_key), data_key, context)}


def unwrap_with_recovery_key(wrap: dict, recovery_key: str, context: str) -> bytes:
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
    return _hkdf(stretched + device_secret, b"hearth key-encryption key v1")


def _recovery_kek(recovery_key: str) -> bytes:
    text = recovery_key.replace("-", "").replace(" ", "").upper()
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise UsageError("That is not a Hearth recovery key (expected 13 groups of 4 letters).")
    return _hkdf(raw, b"hearth recovery key v1")


def _hkdf(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def _seal(kek: bytes, data_key: bytes, context: str) -> dict:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(kek).encrypt(nonce, data_key, context.encode("utf-8"))
    return {"nonce": _b64(nonce), "sealed_key": _b64(sealed)}


def _open(kek: bytes, wrap: dict, context: str) -> bytes:
    try:
        return AESGCM(kek).decrypt(
            _unb64(wrap["nonce"]), _unb64(wrap["sealed_key"]), context.encode("utf-8")
        )
    except InvalidTag as exc:
        raise UnwrapFailed from exc


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)
