"""Background work for the GUI: one small operation helper over ``QThreadPool``.

    Op(window, store.search, "glass quote", k=20).on(store_executor()) \\
        .success(show_hits).failure(show_error).run()

``fn(*args, **kwargs)`` runs on a worker thread and never touches a widget. It may return an
iterator (a generator): each item reaches the ``progress`` callbacks on the GUI thread, in
order, and a generator's ``return`` value reaches ``success``. If ``fn`` has a ``cancel``
parameter it gets the op's ``store.jobs.CancelToken``; ``op.cancel()`` sets it, an iterator is
closed after the item in hand, and ``store.jobs.Cancelled`` raised by ``fn`` ends the op as
cancelled. Everything comes back through Qt signals queued to the GUI thread; once the
``parent`` widget is destroyed the op is cancelled and its callbacks are dropped.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal, Slot

from store.api import Store
from store.jobs import Cancelled, CancelToken

log = logging.getLogger(__name__)
_store_pool: QThreadPool | None = None
_import_pool: QThreadPool | None = None


def store_executor() -> QThreadPool:
    """One worker thread for the store: its SQLite connection and files have one user at a time."""
    global _store_pool
    if _store_pool is None:
        _store_pool = QThreadPool()
        _store_pool.setMaxThreadCount(1)
    return _store_pool


def import_executor() -> QThreadPool:
    """One worker thread for imports, each with its own ``Store``: a long import writes
    there while the store thread stays free for everything else (the scheduler's check,
    opening drafting, forgetting), since SQLite's WAL lets readers run beside one writer."""
    global _import_pool
    if _import_pool is None:
        _import_pool = QThreadPool()
        _import_pool.setMaxThreadCount(1)
    return _import_pool


def wait_for_background(msecs: int = 30_000) -> bool:
    """Let running ops finish (on quit, before the interpreter tears Qt down)."""
    done = QThreadPool.globalInstance().waitForDone(msecs)
    imported = import_executor().waitForDone(msecs)
    return store_executor().waitForDone(msecs) and done and imported


class StoreHandle:
    """A window's own ``Store``: opened on first use and then used and closed on one
    executor's thread only, the store thread unless told otherwise (SQLite and chromadb
    handles have one user at a time)."""

    def __init__(self, home: Path | None = None, executor: Callable[[], QThreadPool] | None
                 = None):
        self.home = home
        self.executor = executor or store_executor
        self._store: Store | None = None

    def get(self) -> Store:
        if self._store is None:
            self._store = Store(self.home)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def release(self) -> None:
        """Close it from the GUI thread: queued on its thread, after the work in hand."""
        Op(None, self.close).on(self.executor()).run()


class _Relay(QObject):
    """Lives on the GUI thread: workers emit its signals, its slots run the callbacks there."""

    item = Signal(object)
    done = Signal(str, object)  # "success" / "failure" / "cancelled", value

    def __init__(self, op: Op):
        super().__init__()
        self.op = op
        self.item.connect(self._on_item)
        self.done.connect(self._on_done)

    @Slot(object)
    def _on_item(self, item: object) -> None:
        self.op._deliver("progress", item)

    @Slot(str, object)
    def _on_done(self, outcome: str, value: object) -> None:
        self.op._finish(outcome, value)


class Op:
    _running: set[Op] = set()  # keeps ops and their relays alive until they have finished

    def __init__(self, parent: QObject | None, fn: Callable[..., Any], *args, **kwargs):
        self.parent, self.fn, self.args, self.kwargs = parent, fn, args, kwargs
        self.token = CancelToken()
        self.executor: QThreadPool | None = None
        self.outcome: str | None = None  # set on the GUI thread once finished
        self._returned = threading.Event()  # set on the worker thread once fn is over
        self._callbacks: dict[str, list[Callable]] = {
            k: [] for k in ("success", "failure", "progress", "cancelled", "finished")}
        self._relay = _Relay(self)
        app = QCoreApplication.instance()
        if app is not None and self._relay.thread() is not app.thread():
            self._relay.moveToThread(app.thread())
        if parent is not None:
            parent.destroyed.connect(self.token.cancel)

    def success(self, callback: Callable[[Any], None]) -> Op:
        return self._add("success", callback)

    def failure(self, callback: Callable[[BaseException], None]) -> Op:
        return self._add("failure", callback)

    def progress(self, callback: Callable[[Any], None]) -> Op:
        return self._add("progress", callback)

    def cancelled(self, callback: Callable[[], None]) -> Op:
        return self._add("cancelled", callback)

    def finished(self, callback: Callable[[], None]) -> Op:
        """Runs last, whatever the outcome."""
        return self._add("finished", callback)

    def on(self, executor: QThreadPool) -> Op:
        """Run on this pool (``store_executor()``) rather than the global one."""
        self.executor = executor
        return self

    def _add(self, kind: str, callback: Callable) -> Op:
        self._callbacks[kind].append(callback)
        return self

    def run(self) -> Op:
        Op._running.add(self)
        (self.executor or QThreadPool.globalInstance()).start(self._work)
        return self

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def is_done(self) -> bool:
        return self.outcome is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``fn`` is over (from another worker: the GUI thread never waits)."""
        return self._returned.wait(timeout)

    # --- the worker thread --------------------------------------------------------------
    def _work(self) -> None:
        outcome, value = "success", None
        try:
            kwargs = dict(self.kwargs)
            if _takes_cancel(self.fn):
                kwargs["cancel"] = self.token
            value = self.fn(*self.args, **kwargs)
            if isinstance(value, Iterator):
                value = self._drain(value)
        except Cancelled:
            outcome, value = "cancelled", None
        except Exception as exc:  # noqa: BLE001 - handed to the failure callbacks
            outcome, value = "failure", exc
        finally:
            self._returned.set()
        self._emit(self._relay.done, outcome, value)

    def _drain(self, items: Iterator) -> Any:
        try:
            while not self.token.cancelled:
                try:
                    item = next(items)
                except StopIteration as stop:
                    return stop.value
                self._emit(self._relay.item, item)
            raise Cancelled()
        finally:
            if hasattr(items, "close"):
                items.close()  # a generator's finally blocks run now, on this thread

    def _emit(self, signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the relay is gone (the application is shutting down)
            self.token.cancel()

    # --- the GUI thread -----------------------------------------------------------------
    def _deliver(self, kind: str, *value: object) -> None:
        if self.parent is None or shiboken6.isValid(self.parent):
            for callback in self._callbacks[kind]:
                callback(*value)

    def _finish(self, outcome: str, value: object) -> None:
        self.outcome = outcome
        try:
            if outcome == "failure" and not self._callbacks["failure"]:
                log.error("background operation failed", exc_info=value)
            self._deliver(outcome, *(() if outcome == "cancelled" else (value,)))
            self._deliver("finished")
        finally:
            Op._running.discard(self)


def _takes_cancel(fn: Callable) -> bool:
    try:
        return "cancel" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
