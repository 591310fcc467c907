"""Cycles are collected on the UI thread, never by a worker thread (where freeing a widget's
wrapper deletes the widget off the UI thread and crashes the workstation)."""

import gc
import threading

from PySide6.QtCore import QThread

from app.ui.common.garbage import TICK_MS, collect_on_ui_thread


class Cycle:
    freed_on: list[threading.Thread] = []

    def __init__(self):
        self.me = self

    def __del__(self):
        Cycle.freed_on.append(threading.current_thread())


def test_a_cycle_made_on_a_worker_is_freed_on_the_ui_thread(qtbot, qapp):
    collect_on_ui_thread(qapp)
    assert not gc.isenabled()
    worker = QThread()
    worker.run = lambda: [Cycle() for _ in range(gc.get_threshold()[0] * 2)]
    worker.start()
    worker.wait()
    assert Cycle.freed_on == []  # the worker allocated past the threshold and collected none
    qtbot.waitUntil(lambda: bool(Cycle.freed_on), timeout=TICK_MS * 3)
    assert set(Cycle.freed_on) == {threading.main_thread()}
