"""The desktop's one drafting service: the main window, the quick draft and the local API
of the process all draft through it, so the data home has one store handle in this process
and each model is in memory once (its runtime lives in the process's engine).

It opens on first use, on whichever worker asks first (the others wait for it), and is
closed and reopened fresh when the data changes under it (forget, delete everything), so
no cache of the old data survives.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path

from app.drafting import DraftingService


class SharedDrafting:
    def __init__(self, home: Path | None = None):
        self.home = home
        self._future: Future | None = None
        self._lock = threading.Lock()
        self.opened = 0  # how many services it opened (a reopen after a reset counts)

    def open(self) -> DraftingService:
        """The service, opened here if nobody has yet (blocks; call it off the GUI thread)."""
        with self._lock:
            mine = self._future is None
            if mine:
                self._future = Future()
            future = self._future
        if mine:
            try:
                from store.api import Store

                service = DraftingService(store=Store(self.home))
            except BaseException as exc:
                with self._lock:
                    self._future = None  # the next window tries again
                future.set_exception(exc)
                raise
            self.opened += 1
            future.set_result(service)
        return future.result()

    def current(self) -> DraftingService | None:
        """The open service, without waiting or opening one."""
        future = self._future
        if future is None or not future.done() or future.exception() is not None:
            return None
        return future.result()

    def close(self) -> None:
        """Close its store; the next ``open`` starts a fresh service. Call it on the store
        thread, after the drafts in flight (windows cancel theirs first)."""
        with self._lock:
            future, self._future = self._future, None
        if future is not None and future.done() and future.exception() is None:
            service = future.result()
            service.close()
            if service.store is not None:
                service.store.close()

    def shut_down(self) -> None:
        """At quit, once no work is left: the store closes and every model leaves memory."""
        from trainer.engine.pool import shared_engine

        self.close()
        shared_engine().close()
