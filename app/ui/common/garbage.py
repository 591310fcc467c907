"""Python's cycle collector runs on the UI thread only.

Left automatic, the collector runs in whichever thread allocates when a threshold is
crossed: on a Background worker (a store write, say) it can finalise the Python wrapper of
a widget from a closed dialog and delete the Qt object off the UI thread, which crashes the
process (seen as a segmentation fault "Garbage-collecting" inside a store write). So the
window switches automatic collection off and a timer on the UI thread collects each
generation when the collector itself would have, as pyqtgraph's GarbageCollector and Anki
(aqt/main.py, garbage_collect_now) do. Reference counting still frees every object that is
not in a cycle at once; only cycles wait, at most one tick.
"""

import gc

from PySide6.QtCore import QObject, QTimer

TICK_MS = 1000


def collect_due() -> None:
    """Collect each generation whose count has passed the collector's own threshold."""
    thresholds = gc.get_threshold()
    for generation in range(3):
        if gc.get_count()[generation] <= thresholds[generation]:
            break
        gc.collect(generation)


def collect_on_ui_thread(owner: QObject) -> QTimer:
    """Switch automatic collection off and collect from a timer on `owner`'s (the UI)
    thread instead, for as long as `owner` lives."""
    gc.disable()
    timer = QTimer(owner)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(collect_due)
    timer.start()
    return timer
