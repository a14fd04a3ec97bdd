"""The drafts behind the one that streams: candidates, scored by the draft checks, and the
short emails that put a missing fact back (``trainer.revise``). They are generated quietly,
within a time budget, and only what is finished counts."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from store.jobs import CancelToken
from trainer.checks import DraftCheck
from trainer.engine.runtime import Generation, GenerationParams, ModelRuntime
from trainer.engine.shaping import DraftShaper, Shaped


class BodyBudget:
    """The length budget counts the email's own tokens: a subject line or chatter the model
    writes first (and the shaper drops) does not eat into it."""

    def __init__(self, budget: int):
        self.budget = budget
        self.start: int | None = None
        self.over = False

    def spent(self, shaper: DraftShaper, generation: Generation) -> bool:
        if self.start is None and shaper.started:
            self.start = generation.stats.completion_tokens
        if self.start is not None and \
                generation.stats.completion_tokens - self.start >= self.budget:
            self.over = True
        return self.over


# Weights of the candidate score. Facts asked for dominate; the adapter's likelihood (mean
# log-probability per token, typically -0.5 to -2.5) breaks ties between sound drafts.
FACT_WEIGHT = 3.0
ACT_WEIGHT = 1.5  # per question or thanks asked for and not there
RELEVANCE_WEIGHT = 2.0
INVENTED_WEIGHT = 0.5
UNASKED_WEIGHT = 0.5  # per sentence that says what nothing asked for
DEFECT_WEIGHT = 1.0
STYLE_WEIGHT = 0.5
LIKELIHOOD_WEIGHT = 0.3


@dataclass
class Candidate:
    shaped: Shaped
    generation: Generation
    check: DraftCheck | None = None
    style: float = 0.0  # style distance to the retrieved examples of the user's mail
    relevance: float = 0.0  # cosine of the draft and the request (normalised embeddings)
    likelihood: float | None = None  # the adapter's mean log-probability of its tokens
    filled: tuple[str, ...] = ()  # facts put back into it after it was written
    struck: tuple[str, ...] = ()  # made-up facts taken out of it
    from_request: bool = False  # the request written as an email: no draft was sendable
    written_on: tuple[str, ...] = ()  # the model's sentences kept after the request's email

    @property
    def perfect(self) -> bool:
        c = self.check
        return c is not None and not c.facts_missing and not c.made_up and not c.defects \
            and not c.acts_missing and not c.unasked_talk

    @property
    def score(self) -> float:
        """Every fact asked for first, then on the subject, nothing made up or unasked, a
        clean form, the user's style, and what the user's adapter finds most like them."""
        c = self.check
        if c is None:
            return float("-inf")
        recall = 1.0 if c.fact_recall is None else c.fact_recall
        return (FACT_WEIGHT * recall + RELEVANCE_WEIGHT * self.relevance
                - ACT_WEIGHT * len(c.acts_missing)
                - INVENTED_WEIGHT * len(c.made_up)
                - UNASKED_WEIGHT * len(c.unasked_talk)
                - DEFECT_WEIGHT * len(c.defects)
                - STYLE_WEIGHT * self.style + LIKELIHOOD_WEIGHT * (self.likelihood or 0.0))

    def scores(self) -> dict:
        return {"score": round(self.score, 4), "relevance": round(self.relevance, 4),
                "style_distance": round(self.style, 4),
                "likelihood": None if self.likelihood is None else round(self.likelihood, 4),
                "filled": list(self.filled), "struck": list(self.struck),
                "from_request": self.from_request, "written_on": list(self.written_on)}


def quiet_draft(runtime: ModelRuntime, prompt: str, params: GenerationParams,
                shaper: DraftShaper, *, seconds: float, body_tokens: int,
                cancel: CancelToken | None = None) -> Generation | None:
    """Generate ``prompt`` through ``shaper`` without showing it, for at most ``seconds``.
    Returns the finished generation, or None when time ran out (or ``cancel`` stopped it)
    before the email was complete. Running out of time stops this generation alone."""
    generation = runtime.generate(prompt, params, cancel=cancel)
    timer = threading.Timer(max(0.0, seconds), generation.cancel)
    timer.start()
    meter = BodyBudget(body_tokens)
    try:
        for piece in generation:
            shaper.feed(piece)
            if shaper.complete or shaper.stopped or meter.spent(shaper, generation):
                break
    finally:
        timer.cancel()
        if not generation.finished.is_set():
            generation.cancel()
            generation.finished.wait(10)
    if meter.over:
        generation.stats.stop_reason = "length"
    elif generation.stats.stop_reason == "cancelled" and not shaper.complete:
        return None
    shaper.finish(cut_by_length=generation.stats.stop_reason == "length")
    if shaper.complete and generation.stats.stop_reason == "cancelled":
        generation.stats.stop_reason = "signed"
    return generation


def time_left(deadline: float) -> float:
    return deadline - time.perf_counter()
