"""Long jobs are plain functions that report progress and honour a cancel token.

Nothing here knows about terminals or Qt: the CLI draws a bar from ``Progress`` events and
the GUI turns the same events into signals.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class Cancelled(Exception):
    """Raised inside a job when its token was cancelled; the job has saved its work."""


class CancelToken:
    """The one way to stop work in this program, from a GUI button to llama.cpp's token loop.

    ``child()`` makes a token that is cancelled with its parent but can also be cancelled on
    its own: a request's token stops every generation it runs, while one quiet candidate
    that runs out of time stops alone.
    """

    def __init__(self, parent: CancelToken | None = None) -> None:
        self._event = threading.Event()
        self._parent = parent

    def cancel(self) -> None:
        self._event.set()

    def child(self) -> CancelToken:
        return CancelToken(self)

    @property
    def cancelled(self) -> bool:
        token: CancelToken | None = self
        while token is not None:
            if token._event.is_set():
                return True
            token = token._parent
        return False

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled()


@dataclass
class Progress:
    phase: str
    done: int
    total: int | None
    rate: float = 0.0  # items per second in this phase
    eta_s: float | None = None
    detail: str = ""

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[Progress], None]


def ignore_progress(_: Progress) -> None:
    pass


@dataclass
class PhaseMeter:
    """Turns a stream of counts into throttled ``Progress`` events with a rate and an ETA."""

    phase: str
    total: int | None
    callback: ProgressCallback
    min_interval_s: float = 0.1
    done: int = 0
    _start: float = field(default_factory=time.monotonic)
    _last_emit: float = 0.0

    def advance(self, n: int = 1, detail: str = "") -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last_emit >= self.min_interval_s:
            self._emit(now, detail)

    def finish(self, detail: str = "") -> None:
        self._emit(time.monotonic(), detail)

    def _emit(self, now: float, detail: str) -> None:
        self._last_emit = now
        elapsed = max(now - self._start, 1e-9)
        rate = self.done / elapsed
        eta = None
        if self.total is not None and rate > 0:
            eta = max(0.0, (self.total - self.done) / rate)
        self.callback(Progress(self.phase, self.done, self.total, rate, eta, detail))
