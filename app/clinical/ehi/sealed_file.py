"""A file sealed under a passphrase: the whole-store export leaves the building in one.

The key is derived with Argon2id (the store's own KDF, at the cost the policy sets; the
cost and salt travel in the file's header so another workstation can open it) and the data
is encrypted with AES-256-GCM in chunks of CHUNK bytes, so neither sealing nor opening
holds a whole store in memory. Each chunk's nonce is the file's random prefix, the chunk's
number and a flag for the last chunk (the STREAM construction), and every chunk is bound
to the header: chunks cannot be reordered, dropped or cut off without the tag failing. A
check value in the header tells a wrong passphrase (a sentence saying so) from a damaged
file, and nothing is ever returned that did not authenticate.
"""

import base64
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.errors import UsageError
from app.store.kdf_cost import KdfCost
from fhir_common import fhir_json

MAGIC = b"HEARTH-SEALED 1\n"
CHUNK = 1 << 20
TAG = 16
PREFIX = 7  # nonce: 7-byte prefix, 4-byte chunk number, 1-byte last flag
# A crafted header must not make opening take minutes or all memory.
MOST_MEMORY_KIB, MOST_TIME, MOST_LANES = 4 * 1024 * 1024, 64, 64
MIN_PASSPHRASE = 12


def is_sealed(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise UsageError(f"The passphrase is {len(passphrase)} characters long; an export "
                         f"of the whole store needs at least {MIN_PASSPHRASE}. Nothing was "
                         "exported.")


class SealedWriter:
    """Write plaintext with `write`; `close` seals the last chunk. `out` is an open file."""

    def __init__(self, out: BinaryIO, passphrase: str, cost: KdfCost):
        salt, prefix = os.urandom(16), os.urandom(PREFIX)
        header = {"kdf": "argon2id", "salt": _b64(salt), "time_cost": cost.time_cost,
                  "memory_kib": cost.memory_kib, "parallelism": cost.parallelism,
                  "nonce_prefix": _b64(prefix), "chunk": CHUNK}
        self._aead = AESGCM(_key(passphrase, salt, cost))
        self._prefix, self._out, self._number = prefix, out, 0
        self._aad = MAGIC + fhir_json.dumps(header) + b"\n"
        header["check"] = _b64(self._aead.encrypt(_check_nonce(prefix), b"", self._aad))
        out.write(MAGIC + fhir_json.dumps(header) + b"\n")
        self._pending = bytearray()

    def write(self, data: bytes) -> None:
        self._pending += data
        while len(self._pending) > CHUNK:  # keep one chunk back: it may be the last
            self._seal(bytes(self._pending[:CHUNK]), last=False)
            del self._pending[:CHUNK]

    def close(self) -> None:
        self._seal(bytes(self._pending), last=True)
        self._pending.clear()

    def _seal(self, plain: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._number, last), plain, self._aad)
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._number += 1


def open_sealed(path: Path, passphrase: str) -> Iterator[bytes]:
    """The plaintext of a sealed file, chunk by chunk; a sentence (UsageError) for a wrong
    passphrase, a damaged or cut-short file, before any chunk that did not authenticate."""
    with open(path, "rb") as f:
        aad, header = _header(f, path)
        try:
            key = _key(passphrase, base64.b64decode(header["salt"]), _cost(header, path))
            prefix = base64.b64decode(header["nonce_prefix"])
            aead = AESGCM(key)
            aead.decrypt(_check_nonce(prefix), base64.b64decode(header["check"]), aad)
        except InvalidTag:
            raise UsageError(f"That passphrase does not open {path.name}; nothing was "
                             "imported. Check the passphrase file.") from None
        except (KeyError, ValueError, TypeError):
            raise UsageError(_damaged(path, "its header")) from None
        number, sealed = 0, _chunk(f, path)
        while sealed is not None:
            following = _chunk(f, path)
            try:
                yield aead.decrypt(_nonce(prefix, number, following is None), sealed, aad)
            except InvalidTag:
                raise UsageError(_damaged(path, f"part {number + 1}")) from None
            number, sealed = number + 1, following


def _header(f: BinaryIO, path: Path) -> tuple[bytes, dict]:
    if f.read(len(MAGIC)) != MAGIC:
        raise UsageError(f"{path.name} is not a sealed Hearth export.")
    line = f.readline(4096)
    try:
        header = fhir_json.loads(line)
        check = header.pop("check")
    except (fhir_json.JSONDecodeError, AttributeError, KeyError, TypeError):
        raise UsageError(_damaged(path, "its header")) from None
    header_aad = MAGIC + fhir_json.dumps(header) + b"\n"
    header["check"] = check
    return header_aad, header


def _cost(header: dict, path: Path) -> KdfCost:
    cost = KdfCost(int(header["time_cost"]), int(header["memory_kib"]),
                   int(header["parallelism"]))
    if not (0 < cost.time_cost <= MOST_TIME and 8 * cost.parallelism <= cost.memory_kib
            <= MOST_MEMORY_KIB and 0 < cost.parallelism <= MOST_LANES):
        raise UsageError(_damaged(path, "its header (key cost out of bounds)"))
    return cost


def _chunk(f: BinaryIO, path: Path) -> bytes | None:
    length = f.read(4)
    if not length:
        return None
    if len(length) < 4:
        raise UsageError(_damaged(path, "its end"))
    (size,) = struct.unpack(">I", length)
    sealed = f.read(size)
    if size > CHUNK + TAG or len(sealed) < size:
        raise UsageError(_damaged(path, "its end"))
    return sealed


def _damaged(path: Path, where: str) -> str:
    return (f"{path.name} is damaged or cut short ({where} does not check out); nothing "
            "was imported. Use an intact copy of the export.")


def _key(passphrase: str, salt: bytes, cost: KdfCost) -> bytes:
    return Argon2id(salt=salt, length=32, iterations=cost.time_cost, lanes=cost.parallelism,
                    memory_cost=cost.memory_kib).derive(passphrase.encode("utf-8"))


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


def _check_nonce(prefix: bytes) -> bytes:
    return prefix + b"\xff" * (12 - PREFIX)  # never a chunk's: chunk flags are 0 or 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
