"""The import's worker process: reading and preparing on one core while the writer
writes on the other.

The worker (app.clinical.imports.reader) reads, parses, resolves references, validates and
makes index rows, and sends the writer batches of serialised records over a pipe; the
writer acknowledges each batch once it is committed. The worker reads the store itself
(its own connection, opened with the store's key, which reaches it through the spawn
pipe, never a command line) only where a file does not say enough: a urn or a conditional
reference to a record of another file, a conditional create. Before such a read it waits
until the writer has committed every batch sent, so it sees the store as a single-process
import would. The pipe holds about one batch, so a fast reader waits for a slow writer:
memory stays bounded whatever the size of the file.

The process is started with "spawn", which is safe in a threaded program (the window's
database thread, Qt) and the same on every platform. If it dies, the writer is told by the
pipe closing and stops with a sentence (ImportStopped), never waits for ever; if the writer
stops, the worker is ended. Starting a process costs about as much as reading
OWN_PROCESS_ABOVE bytes, so smaller imports (a patient's bundle) are read by a thread of
this process instead, through the same pipe and the same reader.
"""

import gc
import multiprocessing
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection as Pipe
from pathlib import Path

from sqlalchemy import Connection

from app.clinical.imports.collector import collector_paused
from app.clinical.imports.reader import Batch, Finished, read_all
from app.errors import HearthError
from app.store.database import Database
from app.store.store import Store

POLL_S = 1.0  # how often a waiting writer checks that the worker is still there
OWN_PROCESS_ABOVE = 4 * 1024 * 1024  # bytes of input files


class ImportStopped(HearthError):
    title = "Import stopped"


class Failed(HearthError):
    """Sent by the worker when it meets an error it cannot carry on from."""


class Worker:
    """The writer's side: the worker process and its pipe."""

    def __init__(self, store: Store, files: list[Path], batch_size: int, mark: str,
                 own_process: bool):
        if own_process:
            spawn = multiprocessing.get_context("spawn")
            self._pipe, theirs = spawn.Pipe(duplex=True)
            database = (type(store.db), store.db.path, store.data_key)
            self.process = spawn.Process(target=work, args=(theirs, database, files,
                                                            batch_size, mark),
                                         name="hearth-import-reader")
        else:
            self._pipe, theirs = multiprocessing.Pipe(duplex=True)
            self.process = threading.Thread(target=read, args=(theirs, store.db, files,
                                                               batch_size, mark),
                                            name="hearth-import-reader", daemon=True)
        self.process.start()
        if own_process:
            theirs.close()  # so the pipe closes when the worker dies
        self.batches = 0

    def messages(self) -> Iterator[object]:
        """What the worker sends, until it has finished; ImportStopped if it dies."""
        while True:
            while not self._pipe.poll(POLL_S):
                if not self.process.is_alive() and not self._pipe.poll(0):
                    raise self._stopped()
            try:
                with collector_paused():  # unpickling a batch makes many objects
                    message = self._pipe.recv()
            except (EOFError, OSError):
                raise self._stopped() from None
            if isinstance(message, Failed):
                raise ImportStopped(f"The import stopped: {message.message}")
            finished = isinstance(message, Finished)
            yield message
            del message  # not held while the next batch is received: one batch in memory
            if finished:
                return

    def committed(self) -> None:
        """Tell the worker one more batch is in the store (if it has finished, or died, the
        next message says so)."""
        self.batches += 1
        try:
            self._pipe.send(self.batches)
        except (BrokenPipeError, OSError):
            pass

    def end(self) -> None:
        """Stop the worker if it is still running, and wait for it."""
        self._pipe.close()  # a thread still sending stops at once
        self.process.join(5)
        if self.process.is_alive() and isinstance(self.process, multiprocessing.Process):
            self.process.kill()
            self.process.join()

    def _stopped(self) -> ImportStopped:
        self.process.join(1)
        code = getattr(self.process, "exitcode", None)
        how = (f"was killed by signal {-code}" if code and code < 0 else
               f"ended (exit code {code})" if code is not None else "ended")
        return ImportStopped(
            f"The import's reading process {how} before it had read every file. The records "
            f"of the {self.batches} batch(es) written before it stopped are kept; run the same "
            "import again to bring in the rest (what is already here is not imported twice).")


def work(pipe: Pipe, database: tuple, files: list[Path], batch_size: int, mark: str) -> None:
    """The worker process: read every file and send the writer what it must write."""
    gc.collect()
    gc.freeze()  # the modules just imported are never garbage: not scanned again
    gc.disable()  # parsed records hold no cycles; collected once a batch instead
    kind, path, key = database
    db: Database = kind(path, key)
    try:
        read(pipe, db, files, batch_size, mark, collect=gc.collect)
    finally:
        db.close()


def read(pipe: Pipe, db: Database, files: list[Path], batch_size: int, mark: str,
         collect=lambda: None) -> None:
    """Read every file and send the writer what it must write, then close the pipe."""
    progress = _Progress(pipe)
    try:
        for message in read_all(files, batch_size, mark, lambda: progress.reading(db)):
            batch = isinstance(message, Batch)
            pipe.send(message)
            del message  # not held while the next batch is read: one batch in memory
            if batch:
                progress.sent += 1
                collect()
    except (BrokenPipeError, EOFError, OSError):
        pass  # the writer stopped: nothing more to do
    except HearthError as err:
        _tell(pipe, Failed(err.message))
    except Exception as err:  # noqa: BLE001 - the writer must hear of it, not wait
        _tell(pipe, Failed(f"{type(err).__name__}: {err}"))
    finally:
        pipe.close()


class _Progress:
    """How far the writer has got: batches sent, and batches it says are committed."""

    def __init__(self, pipe: Pipe):
        self.pipe, self.sent, self.committed = pipe, 0, 0

    @contextmanager
    def reading(self, db: Database) -> Iterator[Connection]:
        while self.committed < self.sent:
            self.committed = self.pipe.recv()
        with db.read() as conn:
            yield conn


def _tell(pipe: Pipe, failure: Failed) -> None:
    try:
        pipe.send(failure)
    except (BrokenPipeError, OSError):
        pass
