"""An open store: the encrypted database plus the key material needed to enrol users.

Opening needs the data key, which only a successful login (app.security.login) or the
recovery key yields. Creating builds the whole store in a scratch directory and renames it
into place at the end, so an interrupted `hearth init` leaves nothing half-made behind.
"""

import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from app.errors import StoreCorrupt, StoreExists
from app.store import schema
from app.store.database import Database
from app.store.device_secret import DeviceSecrets, check_value
from app.store.keyfile import KeyFile
from app.store.keys import new_data_key
from app.store.paths import StorePaths
from app.store.schema.migrations import MIGRATIONS, Migration, migrate


class Store:
    def __init__(
        self, paths: StorePaths, keyfile: KeyFile, db: Database, data_key: bytes,
        device_secret: bytes,
    ):
        self.paths = paths
        self.keyfile = keyfile
        self.db = db
        self._data_key = data_key
        self._device_secret = device_secret
        self.generation: str | None = None  # the key file generation whose key opened it
        self.signer: bytes | None = None  # the admins' role-signing key, once opened

    @property
    def store_id(self) -> str:
        return self.keyfile.store_id

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.db.read() as conn:
            yield conn

    @contextmanager
    def write(self, wait_for_disk: bool = True) -> Iterator[Connection]:
        with self.db.write(wait_for_disk) as conn:
            yield conn

    @property
    def data_key(self) -> bytes:
        """For sealing the key to users' public keys (app.store.rotation)."""
        return self._data_key

    @property
    def device_secret(self) -> bytes:
        return self._device_secret

    def rekey(self, new_key: bytes) -> None:
        """Re-encrypt every page under `new_key` (SQLCipher PRAGMA rekey, one transaction)
        and reopen with it; the pool's connections still hold the old key, so they go."""
        self.db.close()
        self.db.rekey(new_key)
        self._data_key = new_key
        self.db = Database(self.paths.database, new_key)

    def close(self) -> None:
        self.db.close()


def open_store(
    paths: StorePaths, keyfile: KeyFile, data_key: bytes, device_secret: bytes,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> Store:
    if not paths.database.exists():
        raise StoreCorrupt(
            f"The key file is there but the database {paths.database} is missing. Restore "
            "the store directory from its latest backup; nothing was changed."
        )
    if paths.database.stat().st_size < 4096:  # under one page, SQLite would start afresh
        raise StoreCorrupt(
            f"The store file {paths.database} is empty or cut short. Nothing was changed. "
            "Restore the store directory from its latest backup, or ask IT to."
        )
    db = Database(paths.database, data_key)
    try:
        db.check_readable()
        migrate(db, paths.backups, migrations)
        with db.read() as conn:
            stored_id = conn.execute(
                select(schema.store_meta.c.value).where(schema.store_meta.c.key == "store_id")
            ).scalar_one_or_none()
    except Exception:
        db.close()
        raise
    if stored_id != keyfile.store_id:
        db.close()
        raise StoreCorrupt(
            f"The database in {paths.root} belongs to store {stored_id}, not to the key "
            f"file's store {keyfile.store_id}. Were files from two stores mixed?"
        )
    return Store(paths, keyfile, db, data_key, device_secret)


def create_store(
    paths: StorePaths, device_secrets: DeviceSecrets, populate: Callable[[Store], None]
) -> str:
    """Build a new store; `populate` adds its first users. Returns the new store id."""
    if paths.exists() or (paths.root.exists() and any(paths.root.iterdir())):
        raise StoreExists(f"A store already exists at {paths.root}; nothing was changed.")
    scratch = StorePaths(paths.root.with_name(paths.root.name + ".creating"))
    shutil.rmtree(scratch.root, ignore_errors=True)
    scratch.root.mkdir(parents=True, mode=0o700)
    store_id = str(uuid.uuid4())
    device_secret = device_secrets.create(store_id)
    try:
        keyfile = KeyFile.new(scratch.key_file, store_id)
        keyfile.device_check = check_value(device_secret, store_id)
        data_key = new_data_key()
        db = Database(scratch.database, data_key)
        migrate(db, scratch.backups)
        with db.write() as conn:
            conn.execute(
                insert(schema.store_meta),
                [
                    {"key": "store_id", "value": store_id},
                    {"key": "created_at", "value": datetime.now(UTC).isoformat()},
                ],
            )
        store = Store(scratch, keyfile, db, data_key, device_secret)
        try:
            populate(store)
            keyfile.save()
        finally:
            store.close()
        if paths.root.exists():
            paths.root.rmdir()
        scratch.root.rename(paths.root)
    except BaseException:
        shutil.rmtree(scratch.root, ignore_errors=True)
        device_secrets.forget(store_id)
        raise
    return store_id
