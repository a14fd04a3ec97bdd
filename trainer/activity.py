"""Whether a training run is going on in this data home, so that drafting can take every
core when none is and leave one to the trainer when one is. The trainer holds an advisory
lock on ``<home>/trainer/training.lock`` for the length of a run; the operating system drops
it when the process ends, so a crashed run never looks alive."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from store.settings import all_cores, data_home, worker_threads


def lock_path(home: Path | None = None) -> Path:
    path = (home or data_home()) / "trainer" / "training.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def training_run(home: Path | None = None):
    lock = FileLock(lock_path(home))
    with lock:
        yield


def training_active(home: Path | None = None) -> bool:
    lock = FileLock(lock_path(home), is_singleton=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def drafting_threads(requested: int = 0, home: Path | None = None) -> int:
    """Every core while nothing trains; all but one while a run does."""
    if requested > 0:
        return requested
    return worker_threads() if training_active(home) else all_cores()
