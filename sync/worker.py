"""Sync for the UI: a worker that runs cycles on an interval and reports status.

The UI never talks to the engine directly: it starts a worker, asks for `sync_now()` and
listens to `on_status`, which receives a SyncStatus after every cycle, on the worker's own
thread (a Qt UI re-posts it to its thread). A failed cycle is reported as a sentence, never
raised into the UI; the work stays queued for the next cycle. So is a cycle that ran but
could not send or see everything (records left queued, a server that cannot show what
changed): it is not a success. A refused sign-in pauses the loop: retrying with the same
credentials cannot help, so it waits for `sync_now()`. `stop()` cuts short the request or
wait in progress (Transport.cancel), so signing out or closing never waits on a server, and
closes the transport's HTTP client once the loop has ended.

The worker reads the store only on the thread that runs its cycles: the counts of what waits
come with the status after each cycle, never from the constructor a window calls. A window
also hands the worker a `Connecting` rather than an engine: signing in reads the OS keyring
and may ask the server where to sign in, so the engine is built on the worker's thread at the
first cycle (and again at the next one if that failed), and a failure is reported like a
failed cycle. `during_cycle` is held around each cycle: the workstation marks the store busy
with it, so an update is not staged while a sync is half done.
"""

import contextlib
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime

from fhir_common.messages import sentence
from sync.engine import SyncEngine, SyncReport
from sync.errors import ServerUnreachable, SyncError
from sync.local import LocalSide


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None  # None until the first cycle has tried
    pending: int  # resources with local edits not yet on the server
    conflicts: int  # waiting for a person
    last_success: str | None  # ISO time of the last complete cycle
    last_error: str | None  # a sentence for the status bar
    paused: bool = False
    last_report: SyncReport | None = None
    notices: tuple[str, ...] = ()  # limits of this server a person should know (deletes)


@dataclass(frozen=True)
class Connecting:
    """An engine still to be built by `connect` (which signs in), and the local side it will
    sync, which counts what waits even while signing in fails."""

    local: LocalSide
    connect: Callable[[], SyncEngine]


class SyncWorker:
    def __init__(self, engine: SyncEngine | Connecting, interval_seconds: float,
                 on_status: Callable[[SyncStatus], None] = lambda status: None,
                 during_cycle: Callable[[], AbstractContextManager] = contextlib.nullcontext):
        connected = isinstance(engine, SyncEngine)
        self._engine: SyncEngine | None = engine if connected else None
        self._connecting = None if connected else engine
        self._local = engine.local
        self._interval, self._on_status = interval_seconds, on_status
        self._during_cycle = during_cycle
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.status: SyncStatus | None = None  # until the first cycle has tried

    def connect(self) -> SyncEngine:
        """The engine, built now on the calling thread if it is not yet; raises what signing
        in raises (`hearth sync` calls it first, so a refusal ends the command at once)."""
        if self._engine is None:
            self._engine = self._connecting.connect()
            if self._stop.is_set():  # stopped while signing in: no cycle may start now
                self._engine.transport.cancel()
        return self._engine

    def run_once(self) -> SyncStatus:
        """One cycle now, on the calling thread; never raises for a sync failure."""
        with self._lock, self._during_cycle():
            online, report, error, paused = True, None, None, False
            try:
                report = self.connect().run_once()
                error = " ".join(report.incomplete) or None
            except ServerUnreachable as exc:
                online, error = False, exc.message
            except SyncError as exc:
                error, paused = sentence(exc), exc.pauses
            except MemoryError:
                error = (f"Sync stopped: this computer ran out of memory while syncing with "
                         f"{self._server()}. Local work is kept and will sync later.")
            except Exception as exc:  # a store failure (disk full...) is reported, not fatal
                error = f"Sync stopped. {sentence(exc)}"
            before = self.status or SyncStatus(None, 0, 0, None, None)
            self.status = SyncStatus(
                online, self._local.pending_count(), self._local.open_conflict_count(),
                _now() if error is None else before.last_success, error, paused, report,
                tuple(report.notices) if report else before.notices)
        if not self._stop.is_set():  # a cycle cut short by stop() is nobody's news
            self._on_status(self.status)
        return self.status

    def start(self) -> None:
        """Run cycles every `interval_seconds` on a background thread until stop()."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="hearth-sync", daemon=True)
        self._thread.start()

    def sync_now(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """End the loop, cutting short the request or wait in progress (the work it was
        doing stays queued), and close the HTTP client; returns once the thread has ended
        (which closes it), or after `timeout` (it closes it when it ends)."""
        self._stop.set()
        self._wake.set()
        if self._thread is None:
            self._close()
            return
        if self._engine is not None:
            self._engine.transport.cancel()
        self._thread.join(timeout)

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                status = self.run_once()
                self._wake.wait(None if status.paused else self._interval)
                self._wake.clear()
        finally:
            self._close()

    def _close(self) -> None:
        if self._engine is not None:
            self._engine.transport.close()

    def _server(self) -> str:
        if self._engine is None:
            return "the FHIR server"
        return f"the FHIR server at {self._engine.transport.client.base_url}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
