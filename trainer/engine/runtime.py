"""The model runtime over llama-cpp-python: one owner thread per loaded model.

A ``Llama`` object is not thread-safe, so every call runs on the model's own thread; it
releases the GIL while computing, so callers (and the GUI) stay responsive. Generation
streams text through a queue, stops on any end-of-generation token or stop string, and can
be cancelled between two tokens through its ``store.jobs.CancelToken`` (a child of the
caller's, so stopping a request stops all of it). Each request names its own LoRA adapter
and thread count in ``GenerationParams``; they are applied on the owner thread as that
generation starts, so two requests with different adapters cannot race, and the adapter a
generation reports is the one it ran with. Switching adapters resets the prompt cache:
without it the cache would serve results computed with the previous adapter.
"""

from __future__ import annotations

import codecs
import ctypes
import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from store.jobs import CancelToken
from store.settings import all_cores, worker_threads
from trainer.engine.models import ModelError, ModelInfo

_DONE = object()


@dataclass
class GenerationParams:
    max_tokens: int = 400
    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    seed: int | None = None
    stop: tuple[str, ...] = ()
    # Also sum the model's log-probability of each token it wrote (its own likelihood of
    # the text, before sampling's temperature and penalties): candidates are ranked by it.
    logprobs: bool = False
    # The GGUF LoRA adapter this generation runs with (None: the plain model), and its scale.
    adapter: str | None = None
    adapter_scale: float = 1.0
    threads: int = 0  # decoding threads for this generation; 0 keeps the runtime's
    # Read the prompt afresh rather than partly from the prefix cache: the text then
    # depends on the prompt alone (a cached prefix's logits differ in the last bits, which
    # can tip a near-tie). For an answer that must repeat exactly, at some cost in speed.
    fresh: bool = False


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ttft_s: float = 0.0
    total_s: float = 0.0
    stop_reason: str = ""  # eos, stop, length, cancelled, error
    logprob_sum: float = 0.0  # with GenerationParams.logprobs
    logprob_tokens: int = 0
    seed: int | None = None  # the sampling seed it ran with (drawn afresh when none was given)

    @property
    def mean_logprob(self) -> float | None:
        return self.logprob_sum / self.logprob_tokens if self.logprob_tokens else None

    @property
    def tokens_per_s(self) -> float:
        decode = self.total_s - self.ttft_s
        return (self.completion_tokens - 1) / decode if self.completion_tokens > 1 and decode else 0.0


@dataclass
class Generation:
    """A running generation: iterate it for text pieces, or call ``result()``."""

    token: CancelToken = field(default_factory=CancelToken)
    _queue: queue.Queue = field(default_factory=queue.Queue)
    stats: GenerationStats = field(default_factory=GenerationStats)
    text: str = ""
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    adapter: str | None = None  # the adapter it actually ran with, once it has started

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def __iter__(self) -> Iterator[str]:
        while True:
            piece = self._queue.get()
            if piece is _DONE:
                if self.error is not None:
                    raise self.error
                return
            yield piece

    def result(self) -> str:
        for _ in self:
            pass
        return self.text


class ModelRuntime:
    def __init__(self, info: ModelInfo, *, n_threads: int = 0, n_batch_threads: int = 0,
                 n_ctx: int = 4096, seed: int = 1234):
        self.info = info
        # Decoding keeps to cores - 1 so that a background training run keeps its core; the
        # prompt is read in a short burst that may use every core (TTFT halves on 2 cores).
        self.n_threads = worker_threads(n_threads)
        self.n_batch_threads = all_cores(n_batch_threads)
        self.n_ctx = min(n_ctx, info.context_length) if info.context_length else n_ctx
        self._jobs: queue.Queue = queue.Queue()
        self._adapters: dict[str, object] = {}
        self._busy = 0  # jobs queued or running
        self._busy_lock = threading.Lock()
        self.closed = False
        self.last_used = time.monotonic()
        self.active_adapter: tuple[str, float] | None = None  # (path, scale) applied now
        self._llm = None
        self._seed = seed
        ready: Future = Future()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True,
                                        name=f"model-{info.name}")
        self._thread.start()
        ready.result()  # re-raises a load failure here, in the caller

    # --- the owner thread ---------------------------------------------------------------
    def _run(self, ready: Future) -> None:
        try:
            from llama_cpp import Llama

            from trainer.hardware import gpu_layers_for

            self._llm = Llama(
                model_path=self.info.path, n_ctx=self.n_ctx, n_threads=self.n_threads,
                n_threads_batch=self.n_batch_threads, n_batch=512, seed=self._seed, verbose=False,
                # Every layer that fits on the GPU, where llama.cpp was built with GPU support.
                n_gpu_layers=gpu_layers_for(self.info.size_bytes, self.info.block_count),
            )
        except Exception as exc:  # noqa: BLE001
            ready.set_exception(ModelError(f"{self.info.path}: llama.cpp could not load it ({exc})"))
            return
        ready.set_result(None)
        while True:
            job = self._jobs.get()
            if job is None:
                break
            function, future = job
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(function())
                    except BaseException as exc:  # noqa: BLE001 - handed to the caller
                        future.set_exception(exc)
            finally:
                with self._busy_lock:
                    self._busy -= 1
                    self.last_used = time.monotonic()
        self._free()

    def _submit(self, function: Callable) -> Future:
        future: Future = Future()
        with self._busy_lock:
            if self.closed:
                raise ModelError(f"{self.info.name} was unloaded; load it again to use it")
            self._busy += 1
            self.last_used = time.monotonic()
            self._jobs.put((function, future))
        return future

    def call(self, function: Callable):
        """Run ``function`` on the owner thread and return its result."""
        return self._submit(function).result()

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def idle_for(self) -> float:
        """Seconds since the last job ended (0 while one is queued or running)."""
        return 0.0 if self.busy else time.monotonic() - self.last_used

    def close(self) -> None:
        with self._busy_lock:
            if self.closed:
                return
            self.closed = True
            self._jobs.put(None)
        self._thread.join(timeout=30)

    def close_if_idle(self, idle_s: float) -> bool:
        """Unload the model if no job has run for ``idle_s`` seconds (none queued either)."""
        with self._busy_lock:
            if self.closed or self._busy or time.monotonic() - self.last_used < idle_s:
                return False
            self.closed = True
            self._jobs.put(None)
        self._thread.join(timeout=30)
        return True

    def _free(self) -> None:
        import llama_cpp

        for adapter in self._adapters.values():
            llama_cpp.llama_adapter_lora_free(adapter)
        self._adapters.clear()
        if self._llm is not None:
            self._llm.close()
            self._llm = None

    def _use_threads(self, n_threads: int) -> None:
        """Decoding threads for this generation on (prompt reading keeps all cores)."""
        if n_threads > 0 and n_threads != self.n_threads:
            self.n_threads = n_threads
            self._llm._ctx.set_n_threads(n_threads, self.n_batch_threads)  # noqa: SLF001

    # --- tokens -------------------------------------------------------------------------
    def tokenize(self, text: str, add_bos: bool = True) -> list[int]:
        return self.call(lambda: self._llm.tokenize(text.encode("utf-8"), add_bos=add_bos,
                                                    special=True))

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text, add_bos=False))

    # --- adapters (owner thread only) --------------------------------------------------
    def _use_adapter(self, path: str | None, scale: float = 1.0) -> None:
        """Apply a GGUF LoRA adapter (None clears it) and drop the stale prompt cache."""
        import llama_cpp

        key = (str(path), scale) if path else None
        if key == self.active_adapter:
            return
        ctx = self._llm._ctx.ctx  # noqa: SLF001 - llama-cpp-python exposes no public handle
        if key is None:
            llama_cpp.llama_set_adapters_lora(ctx, None, 0, None)
        else:
            adapter = self._adapters.get(key[0])
            if adapter is None:
                if not Path(key[0]).is_file():
                    raise ModelError(f"{key[0]}: no such adapter file")
                adapter = llama_cpp.llama_adapter_lora_init(
                    self._llm._model.model, key[0].encode("utf-8"))  # noqa: SLF001
                if not adapter:
                    raise ModelError(f"{key[0]}: llama.cpp could not load this LoRA adapter "
                                     f"for {self.info.name}")
                self._adapters[key[0]] = adapter
            adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(adapter)
            scales = (ctypes.c_float * 1)(scale)
            if llama_cpp.llama_set_adapters_lora(ctx, adapters, 1, scales):
                raise ModelError(f"{key[0]}: llama.cpp refused to apply this adapter")
        self._llm.reset()
        self.active_adapter = key

    @property
    def adapters_loaded(self) -> list[str]:
        return list(self._adapters)

    # --- generation ---------------------------------------------------------------------
    def generate(self, prompt: str, params: GenerationParams | None = None,
                 cancel: CancelToken | None = None) -> Generation:
        """Start generating; cancelling ``cancel`` (or the generation itself) stops it
        between two tokens."""
        params = params or GenerationParams()
        generation = Generation(token=cancel.child() if cancel is not None else CancelToken())
        self._submit(lambda: self._generate(prompt, params, generation))
        return generation

    def _generate(self, prompt: str, params: GenerationParams, generation: Generation) -> None:
        import llama_cpp

        llm = self._llm
        stats = generation.stats
        start = time.perf_counter()
        try:
            if generation.cancelled:
                stats.stop_reason = "cancelled"
                return
            self._use_adapter(params.adapter, params.adapter_scale)
            generation.adapter = params.adapter or None
            self._use_threads(params.threads)
            tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
            stats.prompt_tokens = len(tokens)
            if len(tokens) + params.max_tokens > self.n_ctx:
                raise ModelError(f"prompt of {len(tokens)} tokens plus {params.max_tokens} new "
                                 f"ones exceeds the {self.n_ctx}-token context")
            # Each generation samples with its own seed: without one, a fresh one (llama.cpp
            # would otherwise reuse whatever seed the last request set, so every unseeded
            # request drew the same text). A seeded sample repeats on the same cache state:
            # a prompt partly read from the prefix cache has logits that differ in the last
            # bits, so its sampled text may differ from a fresh read's. Reading every seeded
            # prompt afresh made the test suite 20% slower on drafting, so the cache stays.
            stats.seed = params.seed if params.seed is not None else secrets.randbits(31)
            llm.set_seed(stats.seed)
            if params.fresh:
                llm.reset()
            vocab = llama_cpp.llama_model_get_vocab(llm._model.model)  # noqa: SLF001
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            emitted = 0
            text = ""
            stops = tuple(s for s in params.stop if s)
            stats.stop_reason = "length"
            for token in llm.generate(
                tokens, temp=params.temperature, top_p=params.top_p, top_k=params.top_k,
                min_p=params.min_p, repeat_penalty=params.repeat_penalty, reset=True,
            ):
                if stats.completion_tokens == 0:
                    stats.ttft_s = time.perf_counter() - start
                if generation.cancelled:
                    stats.stop_reason = "cancelled"
                    break
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    stats.stop_reason = "eos"
                    break
                stats.completion_tokens += 1
                if params.logprobs:
                    stats.logprob_sum += _token_logprob(llm, token)
                    stats.logprob_tokens += 1
                text += decoder.decode(llm.detokenize([token], special=False))
                hit = min((i for i in (text.find(s, max(0, emitted - len(s))) for s in stops)
                           if i >= 0), default=-1)
                if hit >= 0:
                    text = text[:hit]
                    stats.stop_reason = "stop"
                    break
                # Hold back a tail that could be the start of a stop string.
                safe = len(text) - max((len(s) - 1 for s in stops), default=0)
                if safe > emitted:
                    generation._queue.put(text[emitted:safe])
                    emitted = safe
                if stats.completion_tokens >= params.max_tokens:
                    break
            if len(text) > emitted:
                generation._queue.put(text[emitted:])
            generation.text = text
        except BaseException as exc:  # noqa: BLE001
            generation.error = exc
            stats.stop_reason = "error"
        finally:
            stats.total_s = time.perf_counter() - start
            generation.finished.set()
            generation._queue.put(_DONE)


def _token_logprob(llm, token: int) -> float:
    """log p(token) under the logits it was sampled from: they are still the context's last
    row until the generator evaluates the token."""
    import llama_cpp
    import numpy as np

    pointer = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)  # noqa: SLF001
    logits = np.ctypeslib.as_array(pointer, shape=(llm._n_vocab,))  # noqa: SLF001
    top = float(logits.max())
    return float(logits[token]) - top - float(np.log(np.exp(logits - top).sum()))
