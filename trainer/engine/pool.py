"""One engine per process: one ``ModelRuntime`` per loaded model, shared by every window,
the quick draft and the local API of that process.

A runtime holds the whole model in memory (a 3–8B GGUF is gigabytes), so two windows
drafting with the same model must share it. Each request carries its own adapter, sampling
and cancel token (``GenerationParams`` and ``CancelToken``), so sharing needs no switching
outside the runtime's owner thread. A model nobody used for ``idle_unload_s`` seconds is
unloaded and loaded again on the next request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from trainer.engine.models import ModelInfo
from trainer.engine.runtime import ModelRuntime

IDLE_UNLOAD_S = 15 * 60.0


class Engine:
    """``runtime_factory`` makes a model's runtime (``ModelRuntime``; a test's scripted one
    stands in for llama.cpp in the fast tier)."""

    def __init__(self, *, idle_unload_s: float = IDLE_UNLOAD_S,
                 runtime_factory: Callable[..., ModelRuntime] = ModelRuntime):
        self.runtime_factory = runtime_factory
        self._runtimes: dict[str, ModelRuntime] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake = threading.Event()  # a changed setting is checked at once
        self._idle_unload_s = idle_unload_s
        self._reaper: threading.Thread | None = None
        self.loads = 0  # how many times a model was loaded (a reload after unloading counts)

    @property
    def idle_unload_s(self) -> float:
        """Seconds a model may sit unused before it is unloaded (0: never)."""
        return self._idle_unload_s

    @idle_unload_s.setter
    def idle_unload_s(self, seconds: float) -> None:
        self._idle_unload_s = seconds
        self._wake.set()

    def runtime(self, info: ModelInfo, *, n_threads: int = 0, n_ctx: int = 4096) -> ModelRuntime:
        """The runtime of ``info``'s model file, loading it if it is not in memory."""
        key = str(Path(info.path).resolve())
        with self._lock:
            runtime = self._runtimes.get(key)
            if runtime is None or runtime.closed:
                runtime = self.runtime_factory(info, n_threads=n_threads, n_ctx=n_ctx)
                self._runtimes[key] = runtime
                self.loads += 1
                self._watch()
            runtime.last_used = time.monotonic()
            return runtime

    def loaded(self) -> list[ModelRuntime]:
        with self._lock:
            return [r for r in self._runtimes.values() if not r.closed]

    def unload_idle(self, idle_s: float | None = None) -> list[str]:
        """Unload the models idle for ``idle_s`` seconds (the engine's setting by default);
        returns their names."""
        idle_s = self.idle_unload_s if idle_s is None else idle_s
        unloaded = []
        with self._lock:
            for key, runtime in list(self._runtimes.items()):
                if runtime.closed or runtime.close_if_idle(idle_s):
                    del self._runtimes[key]
                    unloaded.append(runtime.info.name)
        return unloaded

    def memory(self) -> dict:
        """What this process holds: its resident memory and each loaded model."""
        import psutil

        return {
            "rss_bytes": psutil.Process().memory_info().rss,
            "loads": self.loads,
            "models": [{
                "name": r.info.name, "path": str(r.info.path),
                "file_bytes": Path(r.info.path).stat().st_size if Path(r.info.path).exists()
                else None,
                "idle_s": round(r.idle_for(), 1), "busy": r.busy,
                "adapters": r.adapters_loaded,
            } for r in self.loaded()],
        }

    def close(self) -> None:
        self._stopping.set()
        self._wake.set()
        with self._lock:
            runtimes, self._runtimes = list(self._runtimes.values()), {}
        for runtime in runtimes:
            runtime.close()

    def _watch(self) -> None:
        if self._reaper is None or not self._reaper.is_alive():
            self._stopping.clear()
            self._reaper = threading.Thread(target=self._reap, daemon=True,
                                            name="engine-idle-unload")
            self._reaper.start()

    def _reap(self) -> None:
        while True:
            self._wake.wait(self._check_every())
            self._wake.clear()
            if self._stopping.is_set():
                return
            if self.idle_unload_s > 0:
                self.unload_idle()
            with self._lock:
                if not self._runtimes:
                    self._reaper = None
                    return

    def _check_every(self) -> float:
        return min(60.0, max(1.0, self.idle_unload_s / 4)) if self.idle_unload_s > 0 else 60.0


_shared: Engine | None = None
_shared_lock = threading.Lock()


def shared_engine() -> Engine:
    """The process's engine: every drafting service in this process uses it."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Engine()
        return _shared
