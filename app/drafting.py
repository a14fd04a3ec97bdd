"""The drafting service: retrieval from the store, one prompt builder, the model runtime,
post-processing. Used by the CLI, the local API and the GUI alike.

``stream_draft`` yields events (the context used, text pieces, finished drafts) so that a
window can show tokens as they come; ``draft`` is the same stream collected.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from app.candidates import BodyBudget, Candidate, quiet_draft, time_left
from app.replies import DraftError, ReplyInfo, day, reply_from_file, reply_from_text, uid_for
from store.jobs import CancelToken
from store.settings import data_home, load_section, on_settings_saved, save_section
from trainer.activity import drafting_threads
from trainer.addressing import asked_address
from trainer.checks import DraftCheck, act_name, check_draft
from trainer.engine.chat import ChatFormat, chat_format_for
from trainer.engine.context import ContextSettings, context_query, profile_for, retrieve_own_emails
from trainer.engine.models import ModelCatalogue
from trainer.engine.pool import Engine, shared_engine
from trainer.engine.postprocess import infer_sign_off
from trainer.engine.prompts import (
    BuiltPrompt,
    Example,
    Profile,
    PromptBuilder,
    PromptRequest,
    ThreadMessage,
)
from trainer.engine.runtime import GenerationParams, ModelRuntime
from trainer.engine.shaping import DraftShaper, clean_subject
from trainer.facts import surface
from trainer.fallback import WRITE_ON_TOKENS, Fallback, literal_fallback, opening_for, write_on
from trainer.greetings import (
    GreetingBook,
    Recipient,
    first_name,
    learn_from_store,
    named_in_instruction,
    resolve_recipient,
)
from trainer.metrics import style_distance
from trainer.pasted import pasted_reply
from trainer.phrasing import Phrasebook
from trainer.registry import active_adapter, adapter_entry
from trainer.revise import (
    FILL_TOKENS,
    FillAsk,
    fill_missing_facts,
    forced_opening,
    strike_invented,
)
from trainer.subjects import fitting_subject, poor_subject, reply_subject, subject_from_request
from trainer.typed import asked_framing, asked_subject


@dataclass
class DraftSettings:
    """``[drafting]`` in settings.toml."""

    temperature: float = 0.7
    repeat_penalty: float = 1.1
    threads: int = 0  # 0: all cores but one, so a background training run keeps its core
    context_tokens: int = 4096
    short_tokens: int = 200
    medium_tokens: int = 350
    long_tokens: int = 600
    # Candidates drafted for one request, the best shown: as many as fit in this many
    # times the first one's time (the first streams at once; the best follows).
    candidates: int = 3
    candidate_time_factor: float = 2.0
    # A model no window or add-on used for this long leaves memory (0: it stays loaded);
    # the next draft loads it again.
    unload_after_min: float = 15.0

    @classmethod
    def load(cls, home: Path | None = None) -> DraftSettings:
        return load_section("drafting", cls, home)

    def save(self, home: Path | None = None) -> None:
        save_section("drafting", self, home)


@dataclass
class DraftRequest:
    instruction: str
    reply_to: str | None = None  # an .eml/.msg file, or a catalogue / Message-ID
    reply_text: str = ""  # or the pasted text of the email replied to (wins over reply_to)
    subject: str = ""  # the subject the user asked for ("…, subject: Friday drinks")
    greeting: str = ""  # the greeting asked for ("start with Dear Sir or Madam")
    sign_off: str = ""  # the sign-off asked for ("sign off with love, Mum")
    recipient: str = ""
    tone: str | None = None
    length: str | None = None  # short, medium, long
    variants: int = 1
    use_rag: bool = True
    use_adapter: bool = True
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    channel: str | None = None  # e.g. a window id: a new request cancels the stale one
    # Cancelling it stops the draft between two tokens; it ends with stop_reason "cancelled".
    cancel: CancelToken | None = field(default=None, compare=False, repr=False)
    candidates: int | None = None  # None: the setting; 1 shows exactly what streamed
    # A new email whose draft came without a subject line gets one written for it. Chat
    # completions keep to the model's own, so what streams is what a whole answer holds.
    write_subject: bool = True
    # At temperature 0, read the prompt afresh, not partly from the prefix cache: the API
    # promises that asking again, streamed or not, gives the same text (and pays for it).
    repeatable: bool = False


@dataclass
class ContextEmail:
    message_id: str
    score: float
    snippet: str
    subject: str = ""
    date: str = ""
    similarity: float | None = None


@dataclass
class Draft:
    text: str
    subject: str
    context: list[ContextEmail]
    model: str
    adapter: str | None
    prompt_tokens: int
    completion_tokens: int
    timings: dict
    dropped: list[str] = field(default_factory=list)
    stop_reason: str = ""
    variant: int = 0
    raw_text: str = ""
    reply_to: ReplyInfo | None = None
    variants: list[dict] = field(default_factory=list)
    prompt: str = ""  # exactly what the model saw, for transparency and debugging
    check: dict = field(default_factory=dict)  # trainer.checks.DraftCheck of the shown draft
    missing: list[str] = field(default_factory=list)  # facts asked for, not in the draft
    # Figures, dates and names in the draft that nothing asked for or given holds: made up,
    # or another email's (a retrieved example's), to check before sending.
    unasked: list[str] = field(default_factory=list)
    candidates: int = 1  # drafted for this one, the best kept
    to: str = ""  # the address the request names ("email jo@acme.com that …"), for To

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Draft:
        """A draft as the local API sent it (``to_json`` on the other side)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["context"] = [ContextEmail(**c) for c in known.get("context") or []]
        if known.get("reply_to"):
            known["reply_to"] = ReplyInfo(**known["reply_to"])
        return cls(**known)


@dataclass
class DraftEvent:
    # "context", "subject" (before the first token), "token", "checking" (more candidates
    # are being drafted; the "draft" that follows may differ from what streamed), "draft"
    kind: str
    text: str = ""
    variant: int = 0
    context: list[ContextEmail] | None = None
    draft: Draft | None = None


EMPTY_RETRIES = 2  # further attempts when a draft came out as nothing but chatter
SUBJECT_TOKENS = 24  # a subject line written on its own
HEAD_TOKENS = 64  # allowed beyond the budget for a subject line or chatter before the email
MIN_DRAFT_S = 3.0  # a very short first draft still leaves time for another candidate
FILL_SHARE = 0.4  # of one draft's time, kept for putting a missing fact back
FILL_MIN_S = 2.0  # the least time a fill gets when candidates used the budget up
PHRASEBOOK_EMAILS = 2000  # the user's newest sent emails, for how they phrase things


class DraftingService:
    """Drafts for one data home. Its models live in the process's ``Engine``, so every
    window, the quick draft and the local API share one copy of each."""

    def __init__(self, store=None, catalogue: ModelCatalogue | None = None,
                 settings: DraftSettings | None = None, profile: Profile | None = None,
                 engine: Engine | None = None, home: Path | None = None):
        self.store = store
        # Every setting, model and adapter comes from the store's data home (or the one
        # given without a store), not the process's default one.
        self.home: Path | None = store.home if store is not None else home
        self.catalogue = catalogue or ModelCatalogue(self.home)
        self.settings = settings or DraftSettings.load(self.home)
        self.profile = profile or profile_for(store, self.home)
        self.context_settings = ContextSettings.load(self.home)
        self.engine = engine or shared_engine()
        self.engine.idle_unload_s = max(0.0, self.settings.unload_after_min) * 60
        self._lock = threading.Lock()  # the store's SQLite connection is not thread-safe
        self._sign_off: str | None = None
        self._greetings: GreetingBook | None = None
        self._phrasebook: Phrasebook | None = None
        self._channels: dict[str, CancelToken] = {}  # channel -> its latest request's token
        self._channels_lock = threading.Lock()
        # Settings handed in by the caller stay; those read from the home follow it.
        self._given = {"drafting": settings is not None, "profile": profile is not None}
        on_settings_saved(self._settings_saved)

    def _settings_saved(self, section: str, home: Path) -> None:
        """Settings saved in this process (the settings dialog) reach the next draft."""
        mine = Path(self.home) if self.home else data_home()
        if section not in ("drafting", "context", "profile") or self._given.get(section) \
                or home.resolve() != mine.resolve():
            return
        if section == "drafting":
            self.settings = DraftSettings.load(self.home)
            self.engine.idle_unload_s = max(0.0, self.settings.unload_after_min) * 60
        elif section == "context":
            self.context_settings = ContextSettings.load(self.home)
        else:
            with self._lock:
                store = self.store if self.store is not None and not self.store.closed \
                    else None
                self.profile = profile_for(store, self.home)
                self._sign_off = None  # it may come from the profile

    def runtime(self, name: str | None = None) -> ModelRuntime:
        info = self.catalogue.info(name or self.catalogue.default_name())
        return self.engine.runtime(info, n_threads=self.settings.threads,
                                   n_ctx=self.settings.context_tokens)

    def adapter_for(self, model: str) -> tuple[str | None, str | None]:
        """The active adapter of ``model`` in this home: (id, GGUF path), or (None, None)."""
        active = active_adapter(model, self.home)
        return (active[0], str(active[1])) if active else (None, None)

    def warm_up(self, model: str | None = None) -> dict:
        """Load what a first draft needs before anyone asks for one: the model (with its
        active adapter), the embedding model and the vector index, and the prompt's fixed
        opening in llama.cpp's cache. Returns the seconds each took."""
        timings: dict = {}
        started = time.perf_counter()
        runtime = self.runtime(model)
        _, adapter_path = self.adapter_for(runtime.info.name)
        timings["model_s"] = round(time.perf_counter() - started, 3)
        if self.store is not None:
            started = time.perf_counter()
            self.retrieve("warm up", exclude=None, k=1)
            timings["retrieval_s"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        fmt = chat_format_for(runtime.info)
        builder = PromptBuilder(fmt, runtime.count_tokens, runtime.n_ctx, self.profile)
        opening = builder.build(PromptRequest(instruction="-"), max_new_tokens=1)
        # llama.cpp keeps the evaluated tokens; the next prompt reuses the shared prefix.
        # With the adapter applied: it is loaded once, and the cache holds its results.
        runtime.generate(opening.text, GenerationParams(max_tokens=1, temperature=0.0,
                                                        adapter=adapter_path)).result()
        timings["prefill_s"] = round(time.perf_counter() - started, 3)
        return timings

    def close(self) -> None:
        """Nothing of the model to free: it belongs to the engine, which unloads it when
        idle (or at exit), since other windows of the process may be drafting with it."""

    def cancel(self, channel: str) -> None:
        """Stop the draft streaming on ``channel`` (a window) between two tokens; its stream
        ends with a draft whose stop_reason is "cancelled". Never blocks."""
        with self._channels_lock:
            token = self._channels.get(channel)
        if token is not None:
            token.cancel()

    def _token_for(self, request: DraftRequest) -> CancelToken:
        """The request's own token (a child of the caller's); a newer request on the same
        channel cancels the stale one."""
        token = request.cancel.child() if request.cancel is not None else CancelToken()
        if request.channel:
            with self._channels_lock:
                stale = self._channels.get(request.channel)
                if stale is not None:
                    stale.cancel()
                self._channels[request.channel] = token
        return token

    # --- inputs -------------------------------------------------------------------------
    def thread_for(self, request: DraftRequest
                   ) -> tuple[ThreadMessage | None, ReplyInfo | None]:
        """The email replied to: pasted text, a mail file, a catalogue message, or none."""
        if request.reply_text.strip():
            return reply_from_text(request.reply_text)
        if request.reply_to:
            return self.resolve_reply(request.reply_to)
        return None, None

    def resolve_reply(self, reply_to: str) -> tuple[ThreadMessage, ReplyInfo]:
        path = Path(reply_to).expanduser()
        if len(reply_to) < 4096 and path.is_file():
            return reply_from_file(path)
        if self.store is not None:
            with self._lock:
                row = self.store.message(reply_to)
            if row is not None:
                refs = json.loads(row["refs"])
                sender = row["from_name"] or row["from_addr"]
                return (ThreadMessage(text=row["body"] or row["full_text"], sender=sender,
                                      subject=row["subject"], date=day(row["date"])),
                        ReplyInfo(row["rfc_message_id"], refs, row["from_addr"], row["subject"]))
        raise DraftError(f"reply-to {reply_to!r} is neither a mail file nor a message id in "
                         "the catalogue")

    def retrieve(self, query: str, exclude: str | None, k: int,
                 prefer_to: str = "", prefer_subject: str = "",
                 min_similarity: float | None = None) -> list[tuple[Example, ContextEmail]]:
        if min_similarity is None:
            min_similarity = self.context_settings.min_similarity
        with self._lock:
            found = retrieve_own_emails(self.store, query, k=k, min_similarity=min_similarity,
                                        exclude=[exclude] if exclude else [],
                                        prefer_to=prefer_to, prefer_subject=prefer_subject)
        return [(r.example, ContextEmail(r.example.ident, r.score, r.snippet, r.example.subject,
                                         day(r.date), r.similarity)) for r in found]

    def _asked_sign_off(self, request: DraftRequest) -> str:
        """The user's sign-off, or the one the request asks for: "love, Mum" as it is;
        "from all of us in ops" under the user's own closing word."""
        if not request.sign_off:
            return self.sign_off()
        if "\n" in request.sign_off:
            return request.sign_off
        closing = self.sign_off().strip().splitlines()
        word = closing[0] if len(closing) > 1 else ""
        return f"{word}\n{request.sign_off}".strip()

    def sign_off(self) -> str:
        if self.profile.sign_off:
            return self.profile.sign_off
        if self._sign_off is None:
            bodies = []
            if self.store is not None:
                with self._lock:
                    rows = self.store.catalogue.conn.execute(
                        "SELECT body FROM messages WHERE is_own = 1 AND body != ''"
                        " ORDER BY date DESC LIMIT 200").fetchall()
                bodies = [r[0] for r in rows]
            self._sign_off = infer_sign_off(bodies)
        return self._sign_off

    def phrasebook(self) -> Phrasebook:
        """The user's own phrasing, counted in their sent mail (``trainer.phrasing``)."""
        if self._phrasebook is None:
            bodies: list[str] = []
            if self.store is not None:
                with self._lock:
                    bodies = [r[0] for r in self.store.catalogue.conn.execute(
                        "SELECT body FROM messages WHERE is_own = 1 AND is_forward = 0"
                        " AND body != '' ORDER BY date DESC LIMIT ?", (PHRASEBOOK_EMAILS,))]
            self._phrasebook = Phrasebook(bodies)
        return self._phrasebook

    def greetings(self) -> GreetingBook:
        if self._greetings is None:
            with self._lock:
                self._greetings = learn_from_store(self.store)
        return self._greetings

    def recipient(self, request: DraftRequest, thread: ThreadMessage | None,
                  reply: ReplyInfo | None) -> Recipient:
        """Whom the email is to: the To field, the sender replied to, or the person the
        request names. Its greeting and its examples follow from it."""
        return resolve_recipient(
            self.greetings(), to=request.recipient, reply_sender=reply.sender if reply else "",
            reply_name=thread.sender if thread is not None and thread.sender and reply
            and thread.sender != reply.sender else "",
            instruction=request.instruction, names_by_address=_NamesByAddress(self))

    # --- drafting -----------------------------------------------------------------------
    def _prepare(self, request: DraftRequest) -> _Prepared:
        """Everything before generation: the model and adapter, the thread, the retrieved
        examples and the prompt. Drafting and prefill share it, so they build one prompt."""
        runtime = self.runtime(request.model)
        thread, reply = self.thread_for(request)
        recipient = self.recipient(request, thread, reply)
        adapter_id, adapter_path, context_settings = None, None, self.context_settings
        if request.use_adapter:
            adapter_id, adapter_path = self.adapter_for(runtime.info.name)
            if adapter_id is not None:
                # The retrieval setting measured best with this adapter, unless the user
                # chose their own.
                context_settings = ContextSettings.for_adapter(adapter_entry(adapter_id, self.home),
                                                                self.home)
        started = time.perf_counter()
        context: list[ContextEmail] = []
        examples: list[Example] = []
        if request.use_rag and context_settings.k > 0:
            query = context_query(request.instruction, thread)
            with self._lock:
                exclude = uid_for(self.store, reply)
            found = self.retrieve(query, exclude=exclude, k=context_settings.k,
                                  prefer_to=recipient.address,
                                  prefer_subject=thread.subject if thread else "",
                                  min_similarity=context_settings.min_similarity)
            examples = [e for e, _ in found]
            context = [c for _, c in found]
        retrieval_s = time.perf_counter() - started

        max_tokens = request.max_tokens or {
            "short": self.settings.short_tokens, "long": self.settings.long_tokens,
        }.get(request.length or "", self.settings.medium_tokens)
        fmt = chat_format_for(runtime.info)
        builder = PromptBuilder(fmt, runtime.count_tokens, runtime.n_ctx, self.profile)
        built = builder.build(PromptRequest(
            instruction=request.instruction, examples=examples, reply_to=thread,
            recipient=request.recipient, tone=request.tone, length=request.length,
        ), max_new_tokens=max_tokens + HEAD_TOKENS)
        used = {e.ident for e in built.examples}
        context = [c for c in context if c.message_id in used]
        return _Prepared(runtime, thread, reply, context, built, fmt, max_tokens, adapter_id,
                         adapter_path, retrieval_s,
                         request.greeting or self.greetings().greeting_for(recipient))

    def prefill(self, request: DraftRequest) -> float:
        """Read the prompt ``request`` would get into llama.cpp's cache, e.g. while the user
        pauses typing: the draft that follows reuses it and its first token comes at once.
        Returns the seconds it took."""
        if not request.instruction.strip():
            return 0.0
        request = as_asked(request)  # the prompt the draft will have
        prepared = self._prepare(request)
        started = time.perf_counter()
        prepared.runtime.generate(prepared.built.text, GenerationParams(
            max_tokens=1, temperature=0.0, adapter=prepared.adapter_path)).result()
        return time.perf_counter() - started

    def stream_draft(self, request: DraftRequest) -> Iterator[DraftEvent]:
        """The first draft streams as it is written. While time allows (``candidates`` and
        ``candidate_time_factor``), more are drafted quietly, a fact the best one still
        misses is put back, and the best is sent as the "draft"; with ``variants`` > 1 the
        best distinct drafts of the same pool follow as variants 1, 2, …"""
        if not request.instruction.strip():
            raise DraftError("the instruction is empty")
        if request.length not in (None, "short", "medium", "long"):
            raise DraftError("length must be short, medium or long")
        begun = time.perf_counter()
        request = as_asked(request)
        cancel = self._token_for(request)
        prepared = self._prepare(request)
        yield DraftEvent("context", context=prepared.context)
        sign_off = self._asked_sign_off(request)
        temperature = self.settings.temperature if request.temperature is None \
            else request.temperature
        for attempt in range(EMPTY_RETRIES + 1):
            # An attempt that says nothing (all chatter) has shown nothing: try again,
            # with another seed and some randomness even where greedy was asked for.
            params = GenerationParams(
                max_tokens=prepared.max_tokens + HEAD_TOKENS,
                temperature=temperature if attempt == 0 else max(temperature, 0.7),
                repeat_penalty=self.settings.repeat_penalty,
                seed=None if request.seed is None else request.seed + 101 * attempt,
                stop=prepared.fmt.stop_strings, logprobs=prepared.adapter_id is not None,
                adapter=prepared.adapter_path, threads=drafting_threads(self.settings.threads),
                fresh=request.repeatable and temperature == 0 and attempt == 0,
            )
            shaper = self._shaper(prepared, sign_off)
            generation = yield from self._shaped_generation(
                prepared.runtime, prepared.built.text, params, shaper, cancel,
                prepared.thread, 0, prepared.max_tokens)
            if shaper.said_something or generation.stats.stop_reason == "cancelled":
                break
        first = Candidate(shaper.result(), generation)
        self._check(first, request, prepared, sign_off)
        pool = [first]
        variants = max(1, request.variants)
        # Temperature 0 asks for the one most likely text: no sampled rivals. It is still
        # checked and revised (what it left out put back, what it made up taken out, the
        # request's own email where it is not one to send), all of it greedy, so the same
        # request gets the same draft. Only one candidate asked for outright is shown as written.
        default = 1 if temperature == 0 else self.settings.candidates
        greedy_revised = temperature == 0 and request.candidates is None and variants == 1
        wanted = max(variants, request.candidates if request.candidates is not None
                     else default)
        cancelled = generation.stats.stop_reason == "cancelled"
        single = max(generation.stats.total_s, MIN_DRAFT_S)
        # Asked-for variants are drafted whatever they take; the budget is for the extras.
        deadline = time.perf_counter() + single * max(
            variants - 1, self.settings.candidate_time_factor - 1)
        checking = wanted > 1 and not cancelled and (variants > 1 or not first.perfect)
        if checking:  # the "draft" that follows may differ from what streamed
            yield DraftEvent("checking", text="checking other drafts")
            pool += self._more_candidates(wanted - 1, request, prepared, sign_off, params,
                                          cancel, deadline, single, must=variants - 1)
        elif greedy_revised and not cancelled and not first.perfect:
            yield DraftEvent("checking", text="checking the draft")
        ranked = sorted(pool, key=lambda c: c.score, reverse=True)  # stable: ties go first
        chosen = _distinct(ranked, variants)
        if variants == 1 and (wanted > 1 or greedy_revised) and not cancel.cancelled:
            # The best, revised: what it left out put back, what it made up taken out.
            if chosen[0].check.facts_missing:
                chosen[0] = self._fill(chosen[0], request, prepared, sign_off, params, cancel,
                                       max(deadline, time.perf_counter() + FILL_MIN_S))
            if chosen[0].check.made_up or chosen[0].check.unasked_talk or {
                    "restates_instruction", "greeting_in_body", "copies_thread"} & set(chosen[0].check.defects):
                chosen[0] = self._strike(chosen[0], request, prepared, sign_off)
            chosen[0] = self._from_request_if_unsendable(
                chosen[0], request, prepared, sign_off, params, cancel,
                max(deadline, time.perf_counter() + FILL_MIN_S))
        for variant, best in enumerate(chosen):
            if request.write_subject and prepared.thread is None and not best.shaped.subject \
                    and not cancel.cancelled:
                subject = self._subject_for(ranked, request, prepared, sign_off, params, cancel)
                best = replace(best, shaped=replace(best.shaped, subject=subject))
            # The request's own email keeps no subject of the model's draft it replaced.
            if prepared.thread is None and (best.from_request or request.write_subject and poor_subject(
                    best.shaped.subject, request.instruction)):
                # What the request is about, rather than the model's echo of it.
                subject = subject_from_request(request.instruction)
                if subject or poor_subject(best.shaped.subject, request.instruction):
                    best = replace(best, shaped=replace(best.shaped, subject=subject))
            if request.subject and prepared.thread is None:  # the one the user asked for
                best = replace(best, shaped=replace(best.shaped, subject=request.subject))
            draft = self._draft_from(best, request, prepared, variant, len(pool))
            # From the request to this draft: the streamed one's total_s plus the checking.
            draft.timings["best_s"] = round(time.perf_counter() - begun, 3)
            yield DraftEvent("draft", variant=variant, draft=draft)

    def _shaper(self, prepared: _Prepared, sign_off: str) -> DraftShaper:
        return DraftShaper(sign_off=sign_off, greeting=prepared.greeting,
                           want_subject=prepared.thread is None)

    def _draft_from(self, best: Candidate, request: DraftRequest, prepared: _Prepared,
                    variant: int, pooled: int) -> Draft:
        generation, cleaned = best.generation, best.shaped
        stats = generation.stats
        greeted = _greeted_names(request.instruction, cleaned.body) if best.check.facts_missing else set()
        return Draft(
            text=cleaned.body, subject=self._subject(prepared.thread, cleaned.subject),
            context=prepared.context, model=prepared.runtime.info.name,
            adapter=prepared.adapter_id, prompt_tokens=stats.prompt_tokens,
            completion_tokens=stats.completion_tokens,
            timings={"retrieval_s": round(prepared.retrieval_s, 4),
                     "ttft_s": round(stats.ttft_s, 4),
                     "tokens_per_s": round(stats.tokens_per_s, 1),
                     "total_s": round(stats.total_s, 3)},
            dropped=prepared.built.dropped, stop_reason=stats.stop_reason, variant=variant,
            raw_text=generation.text, reply_to=prepared.reply, prompt=prepared.built.text,
            check={**asdict(best.check), **best.scores()},
            missing=[surface(key, request.instruction) for key in best.check.facts_missing
                     if key not in greeted]
            + [act_name(act) for act in best.check.acts_missing],
            unasked=[surface(key, cleaned.body) for key in sorted(best.check.made_up)],
            candidates=pooled, to=request.recipient if "@" in request.recipient else "",
        )

    def _check_text(self, text: str, request: DraftRequest, prepared: _Prepared,
                    sign_off: str) -> DraftCheck:
        sources = [prepared.thread.text if prepared.thread else "", self.profile.name,
                   self.profile.about, prepared.greeting or ""]
        return check_draft(text, instruction=request.instruction, sources=sources,
                           examples=[e.text for e in prepared.built.examples],
                           sign_off=sign_off, everyday=self.phrasebook().everyday,
                           usual=self.phrasebook().usual,
                           thread=prepared.thread.text if prepared.thread else "")

    def _check(self, candidate: Candidate, request: DraftRequest, prepared: _Prepared,
               sign_off: str) -> None:
        candidate.check = self._check_text(candidate.shaped.body, request, prepared, sign_off)
        examples = [e.text for e in prepared.built.examples]
        candidate.style = (sum(style_distance(candidate.shaped.body, e) for e in examples)
                           / len(examples)) if examples else 0.0
        candidate.likelihood = candidate.generation.stats.mean_logprob
        if self.store is not None and candidate.shaped.body:
            # Whether it is about what was asked at all: the request and the draft, embedded.
            with self._lock:
                request_vec, draft_vec = self.store.embedder.embed(
                    [request.instruction, candidate.shaped.body])
            candidate.relevance = float(request_vec @ draft_vec)

    def _more_candidates(self, count: int, request: DraftRequest, prepared: _Prepared,
                         sign_off: str, params: GenerationParams, cancel: CancelToken,
                         deadline: float, single: float, must: int = 0) -> list[Candidate]:
        """Further drafts, not shown while they are written: the first ``must`` whatever
        they take, the rest while the deadline allows (leaving room to put a missing fact
        back); one still running when time is up is dropped."""
        found: list[Candidate] = []
        for n in range(count):
            left = time_left(deadline)
            if cancel.cancelled or (n >= must and left < (0.5 + FILL_SHARE) * single):
                break
            extra = replace(params, temperature=max(params.temperature, 0.7),
                            seed=None if params.seed is None else params.seed + 1000 + n)
            shaper = self._shaper(prepared, sign_off)
            generation = quiet_draft(
                prepared.runtime, prepared.built.text, extra, shaper,
                seconds=max(left - FILL_SHARE * single, 0.0) if n >= must else 600.0,
                body_tokens=prepared.max_tokens, cancel=cancel)
            if generation is None:
                break  # out of time (or stopped): keep what is finished
            candidate = Candidate(shaper.result(), generation)
            self._check(candidate, request, prepared, sign_off)
            found.append(candidate)
            if candidate.perfect and n + 1 >= must:
                break
        return found

    def _fill(self, best: Candidate, request: DraftRequest, prepared: _Prepared,
              sign_off: str, params: GenerationParams, cancel: CancelToken,
              deadline: float) -> Candidate:
        """Put back the facts ``best`` left out (``trainer.revise``): the model writes a
        short email from the part of the request that holds each, through the same prompt,
        examples and adapter, and its sentence goes in where the checks say it helps."""
        def write(ask: FillAsk) -> str | None:
            left = time_left(deadline)
            if left <= 0 or cancel.cancelled:
                return None
            built = self._builder(prepared).build(PromptRequest(
                instruction=ask.part, examples=prepared.built.examples,
                reply_to=prepared.thread, recipient=request.recipient, tone=request.tone,
                length="short",
            ), max_new_tokens=FILL_TOKENS)
            short = replace(params, max_tokens=FILL_TOKENS,
                            temperature=max(params.temperature, 0.7), logprobs=False,
                            seed=None if params.seed is None else params.seed + 2000
                            + ask.attempt)
            shaper = self._shaper(prepared, sign_off)
            opening = forced_opening(best.shaped.subject, prepared.greeting,
                                     replying=prepared.thread is not None) + ask.start
            shaper.feed(opening)
            done = quiet_draft(prepared.runtime, built.text + opening, short, shaper,
                               seconds=left, body_tokens=FILL_TOKENS, cancel=cancel)
            return shaper.result().body if done is not None else None

        filled = fill_missing_facts(
            best.shaped.body, best.check, instruction=request.instruction, write=write,
            check_text=lambda text: self._check_text(text, request, prepared, sign_off),
            sign_off=sign_off, deadline=deadline)
        if not filled.added:
            return best
        return replace(best, shaped=replace(best.shaped, body=filled.text), check=filled.check,
                       filled=tuple(surface(k, request.instruction) for k in filled.added))

    def _strike(self, best: Candidate, request: DraftRequest, prepared: _Prepared,
                sign_off: str) -> Candidate:
        struck = strike_invented(
            best.shaped.body, best.check, sign_off=sign_off,
            check_text=lambda text: self._check_text(text, request, prepared, sign_off))
        if struck.text == best.shaped.body:
            return best
        return replace(best, shaped=replace(best.shaped, body=struck.text), check=struck.check,
                       struck=tuple([*(surface(k, best.shaped.body) for k in struck.removed),
                                     *(f"“{sentence}”" for sentence in struck.talk)]))

    def _from_request_if_unsendable(self, best: Candidate, request: DraftRequest,
                                    prepared: _Prepared, sign_off: str,
                                    params: GenerationParams, cancel: CancelToken,
                                    deadline: float) -> Candidate:
        """When even the best draft, revised, misses what was asked, makes something up or
        is not an email, the request itself in the user's greeting and sign-off, with what
        the model writes on from it in the user's voice (``trainer.fallback.write_on``)."""
        recipient = self.recipient(request, prepared.thread, prepared.reply)
        greeting = prepared.greeting
        if greeting is None and recipient.name and not self.greetings().emails:
            greeting = f"Hi {first_name(recipient.name)},"  # no mail of theirs to learn from
        fallback = literal_fallback(
            best.shaped.body, best.check, instruction=request.instruction,
            greeting=greeting, sign_off=sign_off,
            check_text=lambda text: self._check_text(text, request, prepared, sign_off),
            examples=[e.text for e in prepared.built.examples],
            names=recipient.name.split() if recipient.name else (),
            phrasebook=self.phrasebook(), thread=prepared.thread.text if prepared.thread else "")
        if fallback is None:
            return best
        fallback = self._write_on(fallback, fitting_subject(best.shaped.subject,
                                                            request.instruction),
                                  request, prepared, sign_off, params, cancel, deadline)
        return replace(best, shaped=replace(best.shaped, body=fallback.text),
                       check=fallback.check, filled=(), struck=(), from_request=True,
                       written_on=tuple(fallback.added))

    def _write_on(self, fallback: Fallback, subject: str, request: DraftRequest,
                  prepared: _Prepared, sign_off: str, params: GenerationParams,
                  cancel: CancelToken, deadline: float) -> Fallback:
        """The user's adapter writes on from the request's own email, as they would have
        gone on. Only an adapter: a plain model knows nothing of the user's voice, and what
        it adds is talk of its own ("I'm looking for a way to improve the table")."""
        if cancel.cancelled or prepared.adapter_path is None:
            return fallback
        opening = forced_opening(subject, None, replying=prepared.thread is not None) \
            + opening_for(fallback)
        shaper = self._shaper(prepared, sign_off)
        shaper.feed(opening)
        done = quiet_draft(prepared.runtime, prepared.built.text + opening,
                           replace(params, max_tokens=WRITE_ON_TOKENS, logprobs=False),
                           shaper, seconds=time_left(deadline), body_tokens=WRITE_ON_TOKENS,
                           cancel=cancel)
        known = [prepared.thread.text if prepared.thread else "", self.profile.name,
                 self.profile.about]
        return write_on(fallback, shaper.result().body if done is not None else None,
                        instruction=request.instruction, sign_off=sign_off, known=known,
                        check_text=lambda text: self._check_text(text, request, prepared,
                                                                 sign_off))

    def _subject_for(self, ranked: list[Candidate], request: DraftRequest, prepared: _Prepared,
                     sign_off: str, params: GenerationParams, cancel: CancelToken) -> str:
        """A subject for a draft the model wrote without one: another candidate's for the
        same request, else one line the model writes after "Subject:", as it was trained to
        begin; never one that brings a fact of its own."""
        def fits(subject: str) -> bool:
            return bool(subject) and not self._check_text(subject, request, prepared,
                                                          sign_off).made_up
        for candidate in ranked:
            if fits(candidate.shaped.subject):
                return candidate.shaped.subject
        generation = prepared.runtime.generate(
            prepared.built.text + "Subject:",
            replace(params, max_tokens=SUBJECT_TOKENS, temperature=0.0, logprobs=False,
                    stop=(*params.stop, "\n")), cancel=cancel)
        written = clean_subject("".join(generation))
        return written if fits(written) else ""

    def _builder(self, prepared: _Prepared) -> PromptBuilder:
        runtime = prepared.runtime
        return PromptBuilder(prepared.fmt, runtime.count_tokens, runtime.n_ctx, self.profile)

    def _shaped_generation(self, runtime: ModelRuntime, prompt: str, params: GenerationParams,
                           shaper: DraftShaper, cancel: CancelToken,
                           thread: ThreadMessage | None, variant: int, budget: int):
        """Generate, shaping as it streams: what is shown is never taken back and ends as
        the draft. Yields the events; returns the finished generation."""
        generation = runtime.generate(prompt, params, cancel=cancel)
        told_subject = False
        meter = BodyBudget(budget)
        try:
            for piece in generation:
                text = shaper.feed(piece)
                if meter.spent(shaper, generation):
                    break
                if text and not told_subject:
                    # Known before the body's first line: clients can show it first.
                    told_subject = True
                    yield DraftEvent("subject", text=self._subject(thread, shaper.subject),
                                     variant=variant)
                if text:
                    yield DraftEvent("token", text=text, variant=variant)
                if shaper.complete or shaper.stopped:
                    break  # signed off (or looping): the rest would be cut anyway
        finally:  # a consumer that stops reading must not leave the model generating
            if not generation.finished.is_set():
                generation.cancel()
                generation.finished.wait(10)
        stats = generation.stats
        signed = shaper.complete
        if meter.over:
            stats.stop_reason = "length"
        rest = shaper.finish(cut_by_length=stats.stop_reason == "length")
        if rest and not told_subject:
            yield DraftEvent("subject", text=self._subject(thread, shaper.subject),
                             variant=variant)
        if rest:
            yield DraftEvent("token", text=rest, variant=variant)
        if signed and stats.stop_reason == "cancelled" and not cancel.cancelled:
            stats.stop_reason = "signed"
        return generation

    @staticmethod
    def _subject(thread: ThreadMessage | None, written: str) -> str:
        if thread is not None and thread.subject:
            return thread.subject if thread.subject.lower().startswith("re:") \
                else f"Re: {thread.subject}".strip()
        if thread is not None:  # pasted without its subject: what it is about
            return reply_subject(thread.text) or written
        return written

    def draft(self, request: DraftRequest) -> Draft:
        drafts = [e.draft for e in self.stream_draft(request) if e.kind == "draft"]
        first = drafts[0]
        if len(drafts) > 1:
            first.variants = [{"text": d.text, "subject": d.subject} for d in drafts]
        return first


def as_asked(request: DraftRequest) -> DraftRequest:
    """``request`` with what it says of the email itself put where it belongs: a pasted
    email as the one replied to, "subject: …" as the subject, "start with …" and "sign off
    with …" as greeting and sign-off, "email jo@acme.com that …" as the recipient."""
    request = with_asked_framing(with_asked_subject(with_pasted_reply(request)))
    said, address = asked_address(request.instruction)
    if address and not request.recipient and not request.reply_to and \
            not request.reply_text.strip():
        # to that address, and the address no fact the email has to say
        request = replace(request, instruction=said, recipient=address)
    return request


def _greeted_names(instruction: str, body: str) -> set[str]:
    """The reader's name, as fact keys, where the draft greets them: "Hi Declan —" says all
    of "Declan Hughes" a greeting in the user's way needs, so "Hughes" is not missing."""
    name = named_in_instruction(instruction)
    first_line = body.strip().split("\n", 1)[0].lower() if body.strip() else ""
    words = [w.strip(".,").lower() for w in name.split()]
    if not any(w and re.search(rf"\b{re.escape(w)}\b", first_line) for w in words):
        return set()
    return {f"p:{w}" for w in words if w}


def with_asked_framing(request: DraftRequest) -> DraftRequest:
    """A request that says how the email opens or closes ("start with Dear Sir or Madam",
    "sign off with love, Mum"), with that taken out of what is said and kept."""
    said, greeting, sign_off = asked_framing(request.instruction)
    if not greeting and not sign_off:
        return request
    return replace(request, instruction=said, greeting=request.greeting or greeting,
                   sign_off=request.sign_off or sign_off)


def with_asked_subject(request: DraftRequest) -> DraftRequest:
    """A request that says its subject ("…, subject: Friday drinks"), with the subject
    taken out of what is said and kept for the draft."""
    said, subject = asked_subject(request.instruction)
    if not subject or request.subject:
        return request
    return replace(request, instruction=said, subject=subject)


def with_pasted_reply(request: DraftRequest) -> DraftRequest:
    """A request that pastes the email it answers ("reply to this: "…" — say yes"), as a
    reply to that email: the thread the model and the checks see, and its writer greeted."""
    if request.reply_text.strip() or request.reply_to:
        return request
    pasted = pasted_reply(request.instruction)
    if pasted is None:
        return request
    said, email, sender = pasted
    return replace(request, instruction=said, reply_text=email,
                   recipient=request.recipient or sender)


@dataclass
class _Prepared:
    runtime: ModelRuntime
    thread: ThreadMessage | None
    reply: ReplyInfo | None
    context: list[ContextEmail]
    built: BuiltPrompt
    fmt: ChatFormat
    max_tokens: int
    adapter_id: str | None
    adapter_path: str | None
    retrieval_s: float
    greeting: str | None = None


class _NamesByAddress(dict):
    """address → the name people sign their mail to the user with, read on demand."""

    def __init__(self, service: DraftingService):
        super().__init__()
        self.service = service

    def get(self, address: str, default: str = "") -> str:
        store = self.service.store
        if store is None or not address:
            return default
        with self.service._lock:  # noqa: SLF001 - the service's own store lock
            row = store.catalogue.conn.execute(
                "SELECT from_name FROM messages WHERE from_addr = ? AND from_name != ''"
                " ORDER BY date DESC LIMIT 1", (address.lower(),)).fetchone()
        return row[0] if row else default


def _distinct(ranked: list[Candidate], count: int) -> list[Candidate]:
    """The ``count`` best candidates, different texts first."""
    chosen: list[Candidate] = []
    for candidate in ranked:
        if all(candidate.shaped.body != c.shaped.body for c in chosen):
            chosen.append(candidate)
    chosen += [c for c in ranked if c not in chosen]
    return chosen[:count]
