"""Key rotation: a new data key, sealed to every user who keeps access, then PRAGMA rekey.

Locking a user or resetting a password must leave the old key useless: a locked user's
password, or a keys.json copied before a reset, would otherwise still open the store. So
the database is re-encrypted under a new key, sealed to the public key of every user who
keeps access (app.store.sealing) and to the recovery key. A crash at any point must leave a
store that some key opens, so the steps are:
1. the new generation is written to keys.json *beside* the current one;
2. the admin's change commits, in one transaction with store_meta.key_generation naming the
   new generation and the user rows signed for both generations;
3. PRAGMA rekey re-encrypts every page in one SQLite transaction;
4. keys.json keeps only the new generation.
The database decides what a crash left: the next sign-in (settle) finishes a rotation that
committed (rekeying if the database is still under the old key and the user holds both)
and drops one that did not.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3
from sqlalchemy import Connection, select

from app.security.role_signing import sign_rows
from app.store import schema
from app.store.database import raw_key_pragma
from app.store.keyfile import KeyFile, data_key_context, holder
from app.store.keys import new_data_key
from app.store.sealing import seal
from app.store.store import Store

GENERATION_KEY = "key_generation"


@dataclass(frozen=True)
class Rotated:
    generation: str
    need_password: list[str]  # users not signed in since the upgrade: no key pair to seal to


def rotate(store: Store, change: Callable[[Connection], None],
           without: frozenset[str] = frozenset(),
           new_identity: tuple[str, dict] | None = None) -> Rotated:
    """Run `change` (the admin's edit and its audit row) and move to a new data key that
    the users `without` no longer get; `new_identity` (name, key pair) replaces that user's."""
    keyfile = store.keyfile
    ensure_generation(keyfile, store.data_key)
    current = next((g for g in keyfile.generations if g["id"] == store.generation),
                   keyfile.generations[-1])
    holders = {name: ids[-1]["public"] for name in keyfile.user_names()
               if name not in without and (ids := keyfile.identities(name))}
    if new_identity:
        name, identity = new_identity
        keyfile.set_identities(name, keyfile.identities(name) + [identity])
        holders[name] = identity["public"]
    new_key = new_data_key()
    generation = sealed_generation(keyfile, new_key, holders)
    keyfile.generations = [current, generation]
    keyfile.save()
    with store.write() as conn:
        change(conn)
        conn.exec_driver_sql("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)",
                             (GENERATION_KEY, generation["id"]))
        if store.signer:
            sign_rows(conn, store.store_id, store.signer, [current["id"], generation["id"]])
    store.rekey(new_key)
    finish(keyfile, generation)
    store.generation = generation["id"]
    return Rotated(generation["id"], [n for n in keyfile.user_names()
                                      if n not in without and not keyfile.identities(n)])


def sealed_generation(keyfile: KeyFile, data_key: bytes, holders: dict[str, str],
                      generation: str | None = None) -> dict:
    """A key file generation: `data_key` sealed to each holder (name: public key) and to
    the recovery key's public key, if there is one."""
    gid = generation or str(uuid.uuid4())
    context = lambda who: data_key_context(keyfile.store_id, gid, holder(who))  # noqa: E731
    recovery = keyfile.recovery_public
    return {"id": gid,
            "sealed": {name: [seal(data_key, to, context(name))] for name, to in holders.items()},
            "recovery": seal(data_key, recovery, context(None)) if recovery else None}


def ensure_generation(keyfile: KeyFile, data_key: bytes) -> dict:
    """The newest generation; a format-1 key file gets its first one (same key) here."""
    if not keyfile.generations:
        keyfile.generations = [sealed_generation(keyfile, data_key, {})]
    return keyfile.generations[-1]


def seal_to(keyfile: KeyFile, generation_id: str, data_key: bytes, name: str,
            public: str, beside: bool = False) -> None:
    """Give one user the data key of a generation (a new user, an unlock, an upgrade);
    `beside` keeps her other copies (a password change until it commits)."""
    generations = keyfile.generations
    for generation in generations:
        if generation["id"] == generation_id:
            box = seal(data_key, public,
                       data_key_context(keyfile.store_id, generation_id, holder(name)))
            kept = generation["sealed"].get(name, []) if beside else []
            generation["sealed"][name] = [*kept, box]
    keyfile.generations = generations


def keep_only(keyfile: KeyFile, name: str, identity: dict) -> None:
    """Finish an interrupted password change: keep the key pair whose password worked."""
    if keyfile.identities(name) == [identity]:
        return
    keyfile.set_identities(name, [identity])
    generations = keyfile.generations
    for generation in generations:
        generation["sealed"][name] = [box for box in generation["sealed"].get(name, [])
                                      if box["to"] == identity["public"]]
    keyfile.generations = generations
    keyfile.save()


def withdraw(keyfile: KeyFile, name: str) -> None:
    """Take one user's sealed copies of the data key and signing key out of the key file."""
    generations = keyfile.generations
    for generation in generations:
        generation["sealed"].pop(name, None)
    keyfile.generations = generations
    if keyfile.role_signing:
        keyfile.role_signing["sealed"].pop(name, None)


def settle(store: Store, keys: dict[str, bytes]) -> None:
    """After a crash mid-rotation: finish it if it committed, drop it if it did not.
    `keys` are the data keys (by generation) the signing-in user could open."""
    keyfile = store.keyfile
    generations = keyfile.generations
    if len(generations) < 2:
        return
    newest = generations[-1]
    if store.generation == newest["id"]:
        finish(keyfile, newest)
        return
    with store.read() as conn:
        committed = conn.execute(select(schema.store_meta.c.value).where(
            schema.store_meta.c.key == GENERATION_KEY)).scalar_one_or_none() == newest["id"]
    if not committed:
        opened = next(g for g in generations if g["id"] == store.generation)
        _keep(keyfile, opened, newest_identity=False)
        keyfile.save()
    elif newest["id"] in keys:
        store.rekey(keys[newest["id"]])
        store.generation = newest["id"]
        finish(keyfile, newest)


def finish(keyfile: KeyFile, generation: dict) -> None:
    """Step 4: only `generation` is left; format-1 wraps, which hold an older key, go."""
    _keep(keyfile, generation, newest_identity=True)
    for name in keyfile.user_names():
        if keyfile.user_wraps(name):
            keyfile.set_user_wraps(name, [])
        if name not in generation["sealed"] and keyfile.role_signing:
            keyfile.role_signing["sealed"].pop(name, None)
    keyfile.recovery_wrap = None
    keyfile.save()


def key_opens(database: Path, data_key: bytes) -> bool:
    """Whether `data_key` decrypts the database's first page (quietly: no SQLCipher log)."""
    conn = sqlcipher3.connect(str(database))
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f'PRAGMA key="{raw_key_pragma(data_key)}"')
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def _keep(keyfile: KeyFile, generation: dict, newest_identity: bool) -> None:
    """Keep one generation, and of each user's key pairs the one it is sealed to."""
    keyfile.generations = [generation]
    for name in keyfile.user_names():
        identities = keyfile.identities(name)
        boxes = generation["sealed"].get(name, [])
        chosen = [i for i in identities if any(b["to"] == i["public"] for b in boxes)]
        if identities:
            keyfile.set_identities(name, chosen[-1:] or (identities[-1:] if newest_identity
                                                         else identities[:1]))
