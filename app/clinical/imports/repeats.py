"""The versions of records an import has sent the writer, for a record a file repeats.

Within a batch the reader compares the versions of a record in memory. Once a batch has
gone, its version of a record is in the store with the file's meta.lastUpdated replaced
by the write's time, so only the reader can still say which of the file's versions is the
newer, as it would within a batch. It remembers, for each record of each file, the entry
sent, that version's stamp and a digest of its content: in a private SQLite file on disk
that SQLite deletes when it is closed, not in a dict, so an import's memory does not grow
with the number of records in a file (a million records kept ~230 MB in a dict). The file
holds record ids and stamps only, no clinical content, and only while the import runs.
Most records of a file appear once: a Bloom filter of 2 MB in memory answers "never sent"
for them without reading the disk (one record in 200 asks the disk in vain at a million
records; the filter fills beyond, which makes lookups slower, never wrong).
"""

import hashlib
import sqlite3
from datetime import datetime
from typing import NamedTuple


class Sent(NamedTuple):
    """A version of a record: where in its file, its stamp (guard.stamp) and a digest of
    what it says."""
    index: int
    stamp: tuple[int | None, datetime | None]
    content: bytes


Key = tuple[str, str, str]  # the file's path, the record's type and id
FILTER_BITS = 1 << 24


class SentVersions:
    """Per (file, type, id), the version the reader last sent the writer."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None  # opened when a second batch is read
        self._filter = bytearray(FILTER_BITS // 8)
        self._files: dict[str, int] = {}  # a number for each file: shorter rows than its path

    def earlier(self, keys: list[Key]) -> dict[Key, Sent]:
        """The versions of these records sent in earlier batches."""
        if self._db is None:
            return {}
        found = {}
        for key in keys:
            if not all(self._filter[bit >> 3] & (1 << (bit & 7)) for bit in _bits(key)):
                continue
            row = self._db.execute("SELECT entry, version, updated, content FROM sent WHERE "
                                   "file = ? AND type = ? AND id = ?",
                                   (self._files.get(key[0]), *key[1:])).fetchone()
            if row:
                found[key] = Sent(row[0], (row[1], row[2] and datetime.fromisoformat(
                    row[2])), row[3])
        return found

    def remember(self, sent: dict[Key, Sent]) -> None:
        if self._db is None:
            self._db = sqlite3.connect("")  # "": a temporary file, deleted on close
            self._db.execute("PRAGMA journal_mode = OFF")  # nothing to keep after a crash
            self._db.execute("CREATE TABLE sent (file INTEGER, type TEXT, id TEXT, entry INTEGER,"
                             " version INTEGER, updated TEXT, content BLOB, "
                             "PRIMARY KEY (file, type, id)) WITHOUT ROWID")
        for key in sent:
            for bit in _bits(key):
                self._filter[bit >> 3] |= 1 << (bit & 7)
        self._db.executemany(
            "INSERT OR REPLACE INTO sent VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(self._files.setdefault(key[0], len(self._files)), *key[1:], one.index,
              one.stamp[0], one.stamp[1] and one.stamp[1].isoformat(), one.content)
             for key, one in sorted(sent.items())])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _bits(key: Key) -> tuple[int, int, int]:
    """The filter's three bits for a record."""
    digest = int.from_bytes(hashlib.blake2b("\n".join(key).encode(), digest_size=12).digest())
    mask = FILTER_BITS - 1
    return digest & mask, (digest >> 32) & mask, (digest >> 64) & mask
