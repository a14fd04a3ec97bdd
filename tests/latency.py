"""An event-loop latency probe for the GUI tests: a 10 ms timer on the GUI thread that
records how far past its due time each tick ran. Anything that blocks the GUI thread shows
up as lateness."""

from __future__ import annotations

import statistics

from PySide6.QtCore import QElapsedTimer, Qt, QTimer


class LatencyProbe:
    def __init__(self, interval_ms: int = 10):
        self.interval_ms = interval_ms
        self.late_ms: list[float] = []
        self.timer = QTimer(interval=interval_ms, timerType=Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        elapsed = self.clock.nsecsElapsed() / 1e6
        self.clock.restart()
        self.late_ms.append(max(0.0, elapsed - self.interval_ms))

    def stop(self) -> dict:
        self.timer.stop()
        ordered = sorted(self.late_ms)
        return {"ticks": len(ordered), "p50_ms": round(statistics.median(ordered), 2),
                "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
                "max_ms": round(ordered[-1], 2)}
