"""Garbage with widgets in it is collected on the GUI thread (``app.qt.collector``)."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtWidgets import QWidget

from app.qt.collector import collect_on_gui_thread


class _Cycle:
    def __init__(self):
        self.me = self
        self.widget = QWidget()


def test_a_cycle_holding_a_widget_is_freed_on_the_gui_thread_not_a_worker(qtbot):
    collector = collect_on_gui_thread()
    assert collect_on_gui_thread() is collector  # one per application
    assert not gc.isenabled()
    cycle = _Cycle()
    gone = weakref.ref(cycle)
    del cycle

    freed_in: list[str] = []

    kept: list = []

    def allocate() -> None:  # a worker's allocations: enough to cross every threshold
        kept.extend([i] for i in range(200_000))
        freed_in.append("worker" if gone() is None else "")
    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert freed_in == [""]  # the worker collected nothing
    qtbot.waitUntil(lambda: gone() is None, timeout=5_000)
    assert collector.collections >= 1
