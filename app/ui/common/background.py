"""The executor behind every UI operation: store and network work off the UI thread.

`Background.run(work, on_done, on_error)` runs `work()` on the single database thread and
calls `on_done(result)` or `on_error(exception)` back on the UI thread, through a queued
signal. One thread, not a pool: the store's writes are serialised anyway, and one thread
keeps the order in which the clinician asked for things. The UI thread never waits on it.
Views do not call it: they run operations (app.ui.operations), which add owner-aliveness,
latest-answer-wins and a default failure display on top.
"""

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    """Lives on the UI thread; the worker emits, Qt delivers the call there."""

    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay):
        super().__init__()
        self._work, self._relay = work, relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # handed to the UI thread, which decides what to show
            self._relay.failed.emit(exc)
        else:
            self._relay.done.emit(result)


class Background(QObject):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relays: set[_Relay] = set()

    def run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[Exception], None]) -> None:
        relay = _Relay()
        self._relays.add(relay)

        @Slot(object)
        def finish(result):
            self._relays.discard(relay)
            on_done(result)

        @Slot(object)
        def fail(exc):
            self._relays.discard(relay)
            on_error(exc)

        relay.done.connect(finish)
        relay.failed.connect(fail)
        self._pool.start(_Job(work, relay))

    @property
    def busy(self) -> bool:
        return bool(self._relays)

    def wait_until_idle(self, msecs: int = 30000) -> bool:
        """For shutdown: let a write in progress finish before the store closes."""
        return self._pool.waitForDone(msecs)
