"""keys.json is checked field by field when read, because anyone with a shell can edit it.

Before, an edited key file made sign-in run forever (an argon2id time_cost of 2^31-1) or
fail with "unexpected error". Now every field Hearth reads is checked for its type, its
bounds (the argon2id ceilings of app.store.kdf_bounds) and, for base64 fields, the length
of what they decode to, wherever in the file it appears; the first fault is one sentence
naming the file and the field. Fields this version does not read are left alone.
"""

import base64
import binascii
import re
from pathlib import Path
from typing import Any

from app.errors import StoreCorrupt
from app.store.kdf_bounds import ARGON2_MIN_KIB_PER_LANE, CEILING

MAX_BYTES = 4 * 1024 * 1024  # a clinic's users take a few kilobytes each
STORE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Decoded lengths of the base64 fields, by name: 12-byte GCM nonces, 16-byte salts and check
# values, 32-byte keys sealed with a 16-byte tag, 32-byte X25519 public keys.
BASE64_BYTES = {"nonce": 12, "salt": 16, "check": 16, "device_check": 16, "sealed_key": 48,
                "ephemeral": 32, "to": 32, "recovery_public": 32, "public": 32, "signer": 32}
MAY_BE_NULL = {"recovery_public", "device_check", "signer"}  # not made yet
USER_MAPS = {"users", "identities"}  # top-level objects keyed by user name
WRAPS_PER_USER = 2  # two only for the instant of a password change
AT_MOST = 4  # key pairs, generations, sealed copies: two at most while one is replaced


class Damaged(Exception):
    """One fault, as `field` and what is wrong with it."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field} {problem}")
        self.field, self.problem = field, problem


def read_key_file(path: Path) -> bytes:
    """The file's bytes, refused when far larger than any real key file."""
    with path.open("rb") as file:
        raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _corrupt(path, Damaged("the file", f"is larger than {MAX_BYTES // 2**20} MB"))
    return raw


def check_key_file(content: dict, path: Path) -> None:
    """Refuse a key file with a field of the wrong type, length or bounds, naming it."""
    try:
        _check_top(content)
        _walk(content, "")
    except Damaged as fault:
        raise _corrupt(path, fault) from None


def _corrupt(path: Path, fault: Damaged) -> StoreCorrupt:
    return StoreCorrupt(
        f"The key file {path} is damaged: {fault.field} {fault.problem}. Nobody can sign in "
        "until it is restored from a backup of the store directory; nothing was changed.")


def _check_top(content: dict) -> None:
    store_id = content.get("store_id")
    if not isinstance(store_id, str) or not STORE_ID.fullmatch(store_id):
        raise Damaged("store_id", _is(store_id, "a store id"))
    users = content.get("users")
    if not isinstance(users, dict):
        raise Damaged("users", _is(users, "an object of users"))
    for name, wraps in users.items():
        if not isinstance(wraps, list) or len(wraps) > WRAPS_PER_USER:
            raise Damaged(f"users.{name}", _is(wraps, f"a list of up to {WRAPS_PER_USER} wraps"))
        for i, wrap in enumerate(wraps):
            _check_wrap(wrap, f"users.{name}[{i}]", "argon2id")
    if content.get("recovery") is not None:
        _check_wrap(content["recovery"], "recovery", "hkdf-sha256")
    for name, pairs in _object(content.get("identities", {}), "identities").items():
        for i, pair in enumerate(_list(pairs, f"identities.{name}", AT_MOST)):
            _check_wrap(pair, f"identities.{name}[{i}]", "argon2id")
            _require(pair, f"identities.{name}[{i}]", "public")
    for i, generation in enumerate(_list(content.get("generations", []), "generations", AT_MOST)):
        where = f"generations[{i}]"
        if not isinstance(generation, dict) or not isinstance(generation.get("id"), str):
            raise Damaged(f"{where}.id", _is(_get(generation, "id"), "a generation id"))
        _check_boxes(generation, where, many=True)
    if content.get("role_signing") is not None:
        signing = _object(content["role_signing"], "role_signing")
        _require(signing, "role_signing", "public")
        _check_boxes(signing, "role_signing", many=False)


def _check_boxes(holder: dict, where: str, many: bool) -> None:
    """A key sealed to each user ("sealed": name -> box, or a list of boxes) and perhaps
    to the recovery key; a box holds what app.store.sealing needs to open it."""
    for name, sealed in _object(holder.get("sealed"), f"{where}.sealed").items():
        boxes = _list(sealed, f"{where}.sealed.{name}", AT_MOST) if many else [sealed]
        for i, box in enumerate(boxes):
            _require(box, f"{where}.sealed.{name}" + (f"[{i}]" if many else ""),
                     "to", "ephemeral", "nonce", "sealed_key")
    if holder.get("recovery") is not None:
        _require(holder["recovery"], f"{where}.recovery", "to", "ephemeral", "nonce", "sealed_key")


def _require(value: Any, where: str, *names: str) -> None:
    if not isinstance(value, dict):
        raise Damaged(where, _is(value, "an object"))
    for name in names:
        if name not in value:
            raise Damaged(f"{where}.{name}", "is missing")


def _object(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise Damaged(where, _is(value, "an object"))
    return value


def _list(value: Any, where: str, most: int) -> list:
    if not isinstance(value, list) or len(value) > most:
        raise Damaged(where, _is(value, f"a list of up to {most}"))
    return value


def _get(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else value


def _check_wrap(wrap: Any, where: str, alg: str) -> None:
    """A wrap of a 32-byte key: its KDF, nonce and sealed key must all be there."""
    if not isinstance(wrap, dict):
        raise Damaged(where, _is(wrap, "a wrap"))
    for field in ("kdf", "nonce", "sealed_key"):
        if field not in wrap:
            raise Damaged(f"{where}.{field}", "is missing")
    found = wrap["kdf"].get("alg") if isinstance(wrap["kdf"], dict) else wrap["kdf"]
    if found != alg:
        raise Damaged(f"{where}.kdf.alg", _is(found, alg))


def _walk(value: Any, where: str, keyed_by_name: bool = False) -> None:
    """Check every field named in BASE64_BYTES or `kdf`, at any depth; the keys of a map of
    users (a user may be called "to" or "salt") are names, not fields."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{where}[{i}]")
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        field = f"{where}.{key}" if where else key
        if keyed_by_name:
            _walk(item, field)
            continue
        if key in BASE64_BYTES and not (item is None and key in MAY_BE_NULL):
            _check_base64(item, field, BASE64_BYTES[key])
        elif key == "kdf":
            _check_kdf(item, field)
        _walk(item, field, keyed_by_name=not where and key in USER_MAPS)


def _check_base64(value: Any, field: str, size: int) -> None:
    try:
        raw = base64.b64decode(value, validate=True) if isinstance(value, str) else None
    except (binascii.Error, ValueError):
        raw = None
    if raw is None:
        raise Damaged(field, _is(value, "base64"))
    if len(raw) != size:
        raise Damaged(field, f"holds {len(raw)} bytes, not {size}")


def _check_kdf(kdf: Any, field: str) -> None:
    found = kdf.get("alg") if isinstance(kdf, dict) else kdf
    if found not in ("argon2id", "hkdf-sha256"):
        raise Damaged(f"{field}.alg", _is(found, "argon2id or hkdf-sha256"))
    if kdf["alg"] == "hkdf-sha256":
        return
    if "salt" not in kdf:
        raise Damaged(f"{field}.salt", "is missing")
    lanes = _bounded(kdf, "parallelism", field, 1, CEILING.parallelism)
    _bounded(kdf, "time_cost", field, 1, CEILING.time_cost)
    _bounded(kdf, "memory_kib", field, ARGON2_MIN_KIB_PER_LANE * lanes, CEILING.memory_kib)


def _bounded(kdf: dict, name: str, field: str, low: int, high: int) -> int:
    value = kdf.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problem = "is missing" if value is None else f"is {_shown(value)}"
        raise Damaged(f"{field}.{name}", f"{problem}, outside {low:,} to {high:,}")
    return value


def _is(value: Any, wanted: str) -> str:
    return "is missing" if value is None else f"is {_shown(value)}, not {wanted}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
