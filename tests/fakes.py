"""Stand-ins for the two models, for the fast tier's tests of one layer at a time.

- ``ScriptedRuntime`` takes the place of ``ModelRuntime`` (llama.cpp) in an ``Engine``: it
  "generates" what a script returns for the prompt, word by word on an owner thread of its
  own, and keeps the runtime's contract: streaming, stop strings, ``max_tokens``, the
  request's cancel token, the adapter it ran with, stats.
- ``HashingEmbedder`` takes the place of the sentence-transformer in a ``Store``: words and
  word pairs hashed into the same 384 dimensions, so texts sharing words are close. It
  knows no synonyms; tests of what retrieval means keep the real one.

The full suite runs every layer again through the real parts.
"""

from __future__ import annotations

import hashlib
import queue
import re
import threading
import time
from collections.abc import Callable

import numpy as np

from store.embedding import DIMENSIONS
from store.jobs import CancelToken
from trainer.engine.runtime import _DONE, Generation, GenerationParams

Script = Callable[[str, GenerationParams], str]


def polite_reply(prompt: str, params: GenerationParams) -> str:
    return "Hi there,\n\nThank you, that works for me. See you on Thursday.\n\nBest,\nMe"


class ScriptedRuntime:
    def __init__(self, info, *, n_threads: int = 0, n_ctx: int = 4096,
                 script: Script = polite_reply, seconds_per_word: float = 0.0):
        self.info, self.n_ctx = info, n_ctx
        self.script, self.seconds_per_word = script, seconds_per_word
        self.requests: list[tuple[str, GenerationParams]] = []
        self.closed = False
        self.last_used = time.monotonic()
        self._jobs: queue.Queue = queue.Queue()
        self._busy = 0
        self._thread = threading.Thread(target=self._run, daemon=True, name="scripted-model")
        self._thread.start()

    @classmethod
    def factory(cls, **options) -> Callable[..., ScriptedRuntime]:
        """For ``Engine(runtime_factory=...)``."""
        return lambda info, **sizes: cls(info, **sizes, **options)

    # --- what drafting calls --------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(re.findall(r"\w+|[^\w\s]", text))

    def generate(self, prompt: str, params: GenerationParams | None = None,
                 cancel: CancelToken | None = None) -> Generation:
        params = params or GenerationParams()
        generation = Generation(token=cancel.child() if cancel is not None else CancelToken())
        self._busy += 1
        self._jobs.put((prompt, params, generation))
        return generation

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def idle_for(self) -> float:
        return 0.0 if self.busy else time.monotonic() - self.last_used

    def close_if_idle(self, idle_s: float) -> bool:
        if idle_s <= 0 or self.busy or self.idle_for() < idle_s:
            return False
        return self.close()

    def close(self) -> bool:
        if not self.closed:
            self.closed = True
            self._jobs.put(None)
        return True

    # --- the owner thread ---------------------------------------------------------------
    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                self._generate(*job)
            finally:
                self._busy -= 1
                self.last_used = time.monotonic()

    def _generate(self, prompt: str, params: GenerationParams, generation: Generation) -> None:
        started = time.perf_counter()
        stats = generation.stats
        generation.adapter = params.adapter or None
        self.requests.append((prompt, params))
        stats.prompt_tokens = self.count_tokens(prompt)
        text, stats.stop_reason = "", "eos"
        try:
            reply = self.script(prompt, params)
            for word in re.findall(r"\S+\s*", reply):
                if generation.cancelled:
                    stats.stop_reason = "cancelled"
                    break
                if stats.completion_tokens >= params.max_tokens:
                    stats.stop_reason = "length"
                    break
                stop = next((s for s in params.stop if s and s in text + word), None)
                if stop is not None:
                    text = (text + word).split(stop)[0]
                    stats.stop_reason = "stop"
                    break
                time.sleep(self.seconds_per_word)
                if not stats.completion_tokens:
                    stats.ttft_s = time.perf_counter() - started
                stats.completion_tokens += 1
                text += word
                generation._queue.put(word)  # noqa: SLF001 - the runtime's own stream
            generation.text = text
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, as the runtime does
            generation.error, stats.stop_reason = exc, "error"
        finally:
            stats.total_s = time.perf_counter() - started
            generation.finished.set()
            generation._queue.put(_DONE)  # noqa: SLF001


class HashingEmbedder:
    """Signed feature hashing of lower-cased words and word pairs, L2-normalised."""

    def __init__(self, threads: int = 0, batch_size: int = 32):
        self.threads, self.batch_size = threads, batch_size

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            for feature in [*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))]:
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                slot = int.from_bytes(digest[:4], "little") % DIMENSIONS
                vectors[row, slot] += 1.0 if digest[4] & 1 else -1.0
            norm = np.linalg.norm(vectors[row])
            if norm:
                vectors[row] /= norm
        return vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]
