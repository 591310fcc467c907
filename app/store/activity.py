"""What a workstation on this store is busy with, for another process to see: a sync cycle
running, a note draft open in an editor. `hearth update stage` (app.updates) waits for
neither to end, it refuses with a sentence, so an update is never staged under a note being
written or a sync half done.

Each piece of work holds a lock file in the store's folder (activity/WHAT.ID.lock) locked by
the OS for as long as it lasts; a process that crashes loses its locks with it, so a mark
can never be left behind to block updates forever. A file found unlocked is stale and is
removed by whoever looks.
"""

import os
import sys
import uuid
from pathlib import Path

SYNC = "sync"
NOTE_DRAFT = "note-draft"


class Mark:
    """One piece of work in progress, held until `release()` (or the end of a `with`)."""

    def __init__(self, path: Path):
        self._path = path
        unseen = path.with_suffix(".new")  # locked before it is visible, so never seen stale
        self._fd: int | None = os.open(unseen, os.O_RDWR | os.O_CREAT, 0o600)
        _lock(self._fd)
        unseen.replace(path)

    def release(self) -> None:
        if self._fd is None:
            return
        self._path.unlink(missing_ok=True)
        os.close(self._fd)  # closing it drops the lock
        self._fd = None

    def __enter__(self) -> "Mark":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class Activity:
    def __init__(self, store_root: Path):
        self._folder = store_root / "activity"

    def hold(self, what: str) -> Mark:
        """Mark `what` as in progress on this store until the mark is released."""
        self._folder.mkdir(exist_ok=True)
        return Mark(self._folder / f"{what}.{uuid.uuid4().hex}.lock")

    def held(self, what: str) -> bool:
        """Whether any process (this one included) holds a `what` mark now."""
        busy = False
        for path in self._folder.glob(f"{what}.*.lock"):
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:  # released while we looked
                continue
            try:
                if _try_lock(fd):
                    path.unlink(missing_ok=True)  # its holder has gone: stale
                else:
                    busy = True
            finally:
                os.close(fd)
        return busy


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
