"""Putting commits made without a sync on the disk within half a second.

An audited read commits its audit row (app.clinical.records) with SQLite's
synchronous=NORMAL: the commit writes its WAL frames to the operating system and returns,
without waiting for the disk (an fsync cost 5.8 ms of an 8.3 ms patient search, one per
keystroke). The row then survives the process being killed, because the operating system
already holds it; only a power cut or an operating-system crash can take it, until the WAL
reaches the disk. That happens at the next synced commit (a saved record: synchronous=FULL
syncs the whole WAL, earlier frames included), at a checkpoint, when the store is closed,
or here: at most DELAY seconds after the commit, this thread syncs the WAL file. A power cut
can therefore lose the read rows of the last DELAY seconds plus one fsync, never a saved
record, and never leaves the chain broken (SQLite drops only whole trailing transactions
of the WAL). docs/security.md and docs/compliance.md say so.
"""

import os
import threading
from pathlib import Path

DELAY = 0.5  # seconds; the power-cut window is this plus one fsync, under the promised 1 s


class LateSync:
    """Syncs one database's WAL within DELAY seconds of a commit that did not wait for it."""

    def __init__(self, wal: Path, delay: float = DELAY):
        self.wal = wal
        self._delay = delay
        self._due = threading.Event()  # a commit is waiting for the disk
        self._closing = threading.Event()
        self._lock = threading.Lock()  # one fsync at a time; close() waits for the last
        self._thread: threading.Thread | None = None

    @property
    def pending(self) -> bool:
        """A commit has not reached the disk yet (as far as this process knows)."""
        return self._due.is_set()

    def committed(self) -> None:
        """A commit just returned without a sync: have it on the disk within DELAY seconds
        (at once if the store was closed meanwhile: no thread is left to do it)."""
        if self._closing.is_set():
            self.sync_now()
            return
        self._due.set()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hearth-late-sync",
                                                daemon=True)
                self._thread.start()

    def sync_now(self) -> None:
        """Put every commit so far on the disk before returning."""
        with self._lock:
            self._due.clear()
            self._fsync()

    def stop(self) -> None:
        """Stop the thread (the store is closing); the closer then calls sync_now."""
        self._closing.set()
        self._due.set()  # wakes the thread, which sees the closing and stops
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while True:
            self._due.wait()
            # Commits arriving in the next DELAY seconds share this one fsync.
            if self._closing.wait(self._delay):
                return
            try:
                self.sync_now()
            except OSError:
                # The disk refused: try again after the next delay. SQLite meets the same
                # disk at the next saved record's synced commit and reports it to that user.
                self._due.set()
            if self._closing.is_set():  # stop() came during sync_now, whose clear() ate its
                return  # wake-up: waiting for _due again would never end

    def _fsync(self) -> None:
        """fsync the WAL file: the kernel writes out every page of it, whichever
        connection wrote them. No WAL file means the last connection closed and SQLite
        checkpointed and synced it into the database."""
        try:
            fd = os.open(self.wal, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            return
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
