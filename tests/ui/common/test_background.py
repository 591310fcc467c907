"""The one background-operation pattern: results come back on the UI thread, intact."""

import sys
import threading

from PySide6.QtCore import QObject, Signal


def test_work_runs_off_the_ui_thread_and_its_result_comes_back_on_it(qtbot, background):
    seen = {}
    background.run(lambda: threading.current_thread(), lambda worker: seen.update(
        worker=worker, caller=threading.current_thread()), lambda exc: seen.update(error=exc))
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen["worker"] is not threading.main_thread()
    assert seen["caller"] is threading.main_thread()


def test_a_failure_reaches_the_caller_as_the_exception(qtbot, background):
    failures = []
    background.run(lambda: 1 / 0, lambda _: None, failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert isinstance(failures[0], ZeroDivisionError)


def test_emitting_signals_keeps_pythons_reference_counts(qtbot):
    """PySide6 6.12.0 dropped a reference to True on every emit() until Python aborted
    (bool_dealloc) after a few thousand signals; the pinned Qt binding must not."""

    class Source(QObject):
        happened = Signal(object)

    source = Source()
    before = sys.getrefcount(True)
    for _ in range(500):
        source.happened.emit(1)
    assert sys.getrefcount(True) >= before
