"""What one committed transaction changed, and who hears it.

The unit of work (app.clinical.records) and the sync adapter (app.store.sync_side) publish a
`Changes` on the workstation's `ChangeFeed` after each commit that changed records or the
outbox, so screens showing those records can refresh. It lives in the store because both
publish it and the sync adapter sits in the store; the screens import it through
app.clinical.records, never from here.
"""

import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass

from app.store.chart_index import section_of
from fhir_common.compartment import patient_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Changes:
    """What one committed transaction changed, for the screens deciding what to refresh."""

    patients: frozenset[str] = frozenset()  # whose charts changed
    kinds: frozenset[str] = frozenset()  # resource types written, e.g. "Observation"
    sections: frozenset[str] = frozenset()  # chart sections touched, e.g. "vitals"
    outbox: int = 0  # outbox rows added (negative: confirmed by the server and removed)

    @classmethod
    def of(cls, resources: Collection[dict], outbox: int) -> "Changes":
        charted = [r for r in resources if patient_of(r)]
        return cls(frozenset(patient_of(r) for r in charted),
                   frozenset(r["resourceType"] for r in resources),
                   frozenset(section_of(r) for r in charted), outbox)

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(self.patients | other.patients, self.kinds | other.kinds,
                       self.sections | other.sections, self.outbox + other.outbox)

    def __bool__(self) -> bool:
        return bool(self.patients or self.kinds or self.sections or self.outbox)


class ChangeFeed:
    """Who hears what changed, once it is committed.

    Listeners are called on the thread that committed (a background thread in the window),
    so a Qt listener forwards the Changes to the UI thread with a queued signal. A listener
    that fails is logged and the others still hear: the data is saved whatever a screen
    makes of the news, and the writer must not be told otherwise."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[Changes], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Callable[[Changes], None]) -> Callable[[], None]:
        """Hear every Changes published from now on; returns the call that stops it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, changes: Changes) -> None:
        if not changes:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(changes)
            except Exception:
                log.exception("A listener failed to take in %s", changes)
