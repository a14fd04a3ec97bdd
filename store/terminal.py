"""A terminal progress bar drawn from ``store.jobs.Progress`` events (stderr only)."""

from __future__ import annotations

import shutil
import signal
import sys
import time
from contextlib import contextmanager

from store.jobs import CancelToken, Progress


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class TerminalProgress:
    def __init__(self, stream=None, units: dict[str, str] | None = None):
        self.stream = stream or sys.stderr
        self.units = units or {"reading": "msg", "indexing": "chunks"}
        self.interactive = self.stream.isatty()
        self._phase = None
        self._last_plain = 0.0

    def __call__(self, event: Progress) -> None:
        unit = self.units.get(event.phase, "items")
        total = f"/{event.total}" if event.total is not None else ""
        # Slow jobs (a draft every few seconds) read better per minute than as "0/s".
        rate = (f"{event.rate:6.0f} {unit}/s" if event.rate >= 1 or event.rate == 0
                else f"{event.rate * 60:6.1f} {unit}/min")
        text = (f"{event.phase:<9} {event.done}{total} {unit}  {rate}"
                f"  ETA {_duration(event.eta_s)}")
        if event.detail:
            text += f"  {event.detail}"
        if self.interactive:
            width = shutil.get_terminal_size((100, 20)).columns
            bar = ""
            if event.fraction is not None:
                size = 24
                filled = int(size * event.fraction)
                bar = "[" + "#" * filled + "." * (size - filled) + f"] {event.fraction:4.0%} "
            line = (bar + text)[: width - 1]
            end = "\n" if event.phase != self._phase and self._phase is not None else ""
            self.stream.write(end + "\r" + line.ljust(width - 1))
            self.stream.flush()
        else:
            now = time.monotonic()
            done = event.total is not None and event.done >= event.total
            if now - self._last_plain >= 2.0 or done or event.phase != self._phase:
                self.stream.write(text + "\n")
                self.stream.flush()
                self._last_plain = now
        self._phase = event.phase

    def close(self) -> None:
        if self.interactive and self._phase is not None:
            self.stream.write("\n")
            self.stream.flush()


@contextmanager
def cancel_on_ctrl_c(token: CancelToken, message: str):
    """The first Ctrl-C asks the job to stop cleanly (it saves its work); a second aborts."""

    def on_interrupt(signum, frame):
        if token.cancelled:
            raise KeyboardInterrupt
        sys.stderr.write(f"\n{message}\n")
        token.cancel()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)
