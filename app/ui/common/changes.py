"""What changed in the store, brought to the UI thread: how an open screen hears of it.

Every unit of work that commits (the UI's own saves, app.clinical.records) and every sync
step that changes local records or the outbox (app.store.sync_side) publishes a `Changes`
on the workstation's ChangeFeed, on the thread that committed. A `ChangesRelay` forwards
each one to the UI thread as its queued signal `heard`, so a view can decide there whether
it shows anything that changed. The workspace holds one relay and shares its signal with
every view in it; a view built on its own (outside a workspace) holds one of its own.

A relay stops hearing when it is closed or destroyed, whichever comes first: no listener
outlives the widgets it feeds. Closing waits for a Changes being forwarded at that moment,
so nothing is emitted on a relay that is going away.
"""

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance

from app.clinical.records import ChangeFeed, Changes


class _Gate:
    """Forwards while open; closing waits for a forward in progress, so none follows it."""

    def __init__(self, forward: Callable[[Changes], None]):
        self._forward, self._lock, self._open = forward, threading.Lock(), True
        self.unsubscribe: Callable[[], None] = lambda: None

    def __call__(self, changes: Changes) -> None:
        with self._lock:
            if self._open:
                self._forward(changes)

    def close(self) -> None:
        self.unsubscribe()
        with self._lock:
            self._open = False


class ChangesRelay(QObject):
    """Each Changes published on `feed`, re-emitted as `heard` on this object's (the UI)
    thread, until `close()` or until the relay (with its parent) is destroyed."""

    heard = Signal(object)  # Changes
    _arrived = Signal(object)  # emitted on the committing thread

    def __init__(self, feed: ChangeFeed, parent: QObject | None = None):
        super().__init__(parent)
        self._arrived.connect(self.heard.emit, Qt.ConnectionType.QueuedConnection)
        self._gate = gate = _Gate(self._arrived.emit)
        gate.unsubscribe = feed.subscribe(gate)
        self.destroyed.connect(lambda *_: gate.close())

    def close(self) -> None:
        self._gate.close()


def changes_of(view: QObject, feed: ChangeFeed, shared: SignalInstance | None) -> SignalInstance:
    """The signal `view` hears Changes from: the workspace's (`shared`), or else a relay of
    its own, which goes with the view."""
    return shared if shared is not None else ChangesRelay(feed, view).heard
