"""One SQLCipher database opened through SQLAlchemy, with honest transactions.

Reads run in a deferred transaction and writes in BEGIN IMMEDIATE, so a writer takes the
lock up front instead of failing half-way on a lock upgrade. WAL lets the UI's database
thread and the sync worker read while the other writes; synchronous=FULL because a signed
note or a vital sign must survive a power cut, not only a crash. The one exception is a
write that only records who read what (an audited read, one per keystroke of a search): it
commits without waiting for the disk, which it reaches within half a second
(app.store.late_sync). SQLite's errors are translated here, once, into messages that say
what happened to the person's data.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3
from sqlalchemy import URL, Connection, Engine, QueuePool, create_engine, event, exc

from app.errors import StoreCorrupt, StoreWriteFailed
from app.store.late_sync import LateSync

BUSY_TIMEOUT_MS = 10_000
# Each page read from disk is decrypted; a larger cache than SQLite's 8 MB default keeps the
# indexes of a big clinic decrypted in memory (ingest at 40,000 patients: 3,700 -> 4,000/s).
CACHE_KIB = 64 * 1024
# Checkpoint the WAL every 20,000 pages (80 MB) rather than every 1,000: fewer, larger
# checkpoints (ingest at 60,000 patients: 4,900 -> 5,500/s). The WAL is checkpointed
# and removed when the last connection closes.
WAL_CHECKPOINT_PAGES = 20_000


def raw_key_pragma(data_key: bytes) -> str:
    """SQLCipher's raw-key syntax: the 256-bit key is used as is, with no passphrase KDF."""
    return f"x'{data_key.hex()}'"


# SQLAlchemy gives SQLCipher a SingletonThreadPool: one connection per thread, and past
# five threads it closes another thread's connection, even mid-transaction (the UI's worker
# threads come and go). A queue of connections any thread may borrow in turn never does,
# and the most recently used (warm cache) connection is lent first.
POOL = {"poolclass": QueuePool, "pool_size": 4, "max_overflow": 8, "pool_use_lifo": True,
        "connect_args": {"check_same_thread": False}}


class Database:
    def __init__(self, path: Path, data_key: bytes):
        self.path = path
        self._data_key = data_key
        self.engine = _configure(self._create_engine())
        self.late_sync = LateSync(path.with_name(path.name + "-wal"))

    def _create_engine(self) -> Engine:
        """SQLCipher keyed with the raw data key (the benchmarks' plain-SQLite baseline
        overrides this, to measure what encryption costs)."""
        url = URL.create("sqlite+pysqlcipher", password=raw_key_pragma(self._data_key),
                         database=str(self.path))
        return create_engine(url, **POOL)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._translated(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self, wait_for_disk: bool = True) -> Iterator[Connection]:
        """A write transaction: everything inside commits together or not at all.

        With `wait_for_disk` False the commit returns once the operating system has it
        (it survives the process being killed) and reaches the disk within half a second
        (app.store.late_sync): only for a transaction that writes audit rows of reads.
        """
        with self._translated(), self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            if not wait_for_disk:  # a pragma SQLite refuses inside a transaction
                raw.execute("PRAGMA synchronous=NORMAL")
            try:
                conn = conn.execution_options(hearth_begin="IMMEDIATE")
                with conn.begin():
                    yield conn
            finally:
                if not wait_for_disk:  # the pooled connection's next writer waits again
                    raw.execute("PRAGMA synchronous=FULL")
            if not wait_for_disk:
                self.late_sync.committed()

    def sync_to_disk(self) -> None:
        """Put every commit that did not wait for the disk on it now."""
        try:
            self.late_sync.sync_now()
        except OSError as err:
            raise StoreWriteFailed(
                f"The computer could not write the store file {self.path} to its disk "
                f"({err}). What was saved may not survive a power cut; keep the computer "
                "on and ask IT to check the disk."
            ) from err

    def check_readable(self) -> None:
        """Decrypt the first page and the schema, so a wrong or damaged file fails at open."""
        with self.read() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()

    def integrity_problems(self) -> list[str]:
        """Every page's HMAC (SQLCipher), then SQLite's own structure check; [] when sound.

        Sign-in reads only the first page, so damage elsewhere shows only when that page
        is read; this reads them all, for IT to run on demand.
        """
        with self.read() as conn:
            problems = [row[0] for row in conn.exec_driver_sql("PRAGMA cipher_integrity_check")]
        if problems:
            return problems
        try:
            with self.read() as conn:
                rows = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
        except StoreCorrupt as err:
            return [err.message]
        return [] if rows == ["ok"] else rows

    def backup_to(self, target: Path) -> None:
        """An online, consistent, encrypted copy (SQLite's backup API, same key)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlcipher3.connect(str(target))
        try:
            dest.execute(f'PRAGMA key="{raw_key_pragma(self._data_key)}"')
            with self._translated(), self.engine.connect() as conn:
                conn.connection.dbapi_connection.backup(dest)
        except sqlcipher3.Error as err:
            target.unlink(missing_ok=True)
            raise StoreWriteFailed(
                f"Could not back up the store to {target} ({err}); nothing was changed."
            ) from err
        finally:
            dest.close()

    def vacuum(self) -> None:
        """Write the file afresh without its free pages (SQLite's VACUUM, itself one
        transaction: interrupted, the file is as it was). It needs room for a second copy."""
        conn = self.engine.raw_connection()
        try:
            conn.driver_connection.execute("VACUUM")
        except sqlcipher3.Error as err:
            raise translate_sqlite_error(err, self.path) from err
        finally:
            conn.close()

    def rekey(self, new_key: bytes) -> None:
        """Re-encrypt the whole file under `new_key`; the caller closed every connection."""
        conn = self.engine.raw_connection()
        try:
            conn.driver_connection.execute(f'PRAGMA rekey="{raw_key_pragma(new_key)}"')
        except sqlcipher3.Error as err:
            raise translate_sqlite_error(err, self.path) from err
        finally:
            conn.close()
            self.engine.dispose()

    def close(self) -> None:
        self.late_sync.stop()
        try:
            self.sync_to_disk()
        finally:
            self.engine.dispose()

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except exc.DBAPIError as err:
            translated = translate_sqlite_error(err.orig, self.path)
            if isinstance(translated, StoreCorrupt):
                # SQLCipher keeps a page that failed to decrypt as a sticky error on that
                # connection: its later commits fail with SQLITE_NOMEM (a bare MemoryError).
                self.engine.dispose()
            raise translated from err


def translate_sqlite_error(err: Exception, path: Path) -> Exception:
    text = str(err).lower()
    if "disk is full" in text or getattr(err, "sqlite_errorcode", None) == 13:
        return StoreWriteFailed(
            f"The disk holding the store ({path.parent}) is full. The last change was not "
            "saved; everything saved before it is intact. Free some space and try again."
        )
    code = (getattr(err, "sqlite_errorcode", None) or 0) & 0xFF  # SQLITE_CORRUPT, _NOTADB
    if code in (11, 26) or "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreCorrupt(
            f"The store file {path} is damaged ({err}). Nothing was changed. Restore the "
            "store directory from its latest backup, or ask IT to."
        )
    if "disk i/o error" in text or "readonly" in text or "read-only" in text:
        return StoreWriteFailed(
            f"The computer could not write to the store file {path} ({err}). The last change "
            "was not saved; everything saved before it is intact."
        )
    if "locked" in text or "busy" in text:
        return StoreWriteFailed(
            f"The store is busy with another Hearth process ({err}). Try again in a moment."
        )
    return err


def _configure(engine: Engine) -> Engine:
    @event.listens_for(engine, "connect")
    def _configure(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        # SQLCipher (4.19) logs each page that fails its HMAC to stderr, "ERROR CORE ... hmac
        # check failed", before Hearth can say "Store damaged"; the error reaches Hearth all
        # the same, as SQLITE_CORRUPT. The setting is process-wide.
        dbapi_conn.execute("PRAGMA cipher_log_level = NONE")
        dbapi_conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        dbapi_conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        dbapi_conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA synchronous=FULL")
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('hearth_begin', '')}")

    return engine

