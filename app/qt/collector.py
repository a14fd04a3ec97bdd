"""Python's cycle collector, run on the GUI thread only.

CPython collects cyclic garbage in whichever thread crosses the allocation threshold. In
this app that is often a worker: an ``Op`` reading a GGUF header, the model's owner thread,
the local server. A cycle that holds a widget or another ``QObject`` is then destroyed
off the GUI thread, and Qt crashes (seen here: a segmentation fault in a worker parsing a
model header, while a window from the test before was being collected). So the desktop
turns automatic collection off and collects from a timer on the GUI thread, by the same
thresholds Python would use; threads still free what has no cycles at once.
"""

from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer

CHECK_MS = 500

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.collections = 0
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(CHECK_MS)
        self.destroyed.connect(lambda *_: gc.enable())

    def check(self) -> None:
        """Collect the oldest generation whose count is past its threshold, as Python's own
        collector would have done on the allocation that crossed it."""
        counts = gc.get_count()
        if counts[0] <= self.thresholds[0]:
            return
        generation = 0
        for level in (2, 1):
            if counts[level] > self.thresholds[level]:
                generation = level
                break
        gc.collect(generation)
        self.collections += 1


def collect_on_gui_thread() -> GuiThreadCollector:
    """Install the collector on the running application (once; call on the GUI thread)."""
    global _collector
    if _collector is None or not shiboken6.isValid(_collector):
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("no QApplication to collect garbage on")
        _collector = GuiThreadCollector(app)
    return _collector
