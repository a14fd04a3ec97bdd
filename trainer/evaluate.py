"""Does the adapter write the user's next emails more like the user did?

For every held-out email (the newest share, never trained on) a draft is generated from its
playback instruction under four settings: the plain model, with retrieved context (RAG), with
the adapter (LoRA), and with both. Drafts come from llama.cpp through the same prompt builder,
retrieval and clean-up as real drafting, greedily so that scores are repeatable, and are
scored against the email the user actually sent.

``instructions`` replaces the playback instructions with requests as people type them
(``resources/eval/natural-requests.jsonl``): those held-out emails are drafted from them,
with the drafting budget for a medium email rather than one derived from the real email.

Every score is of the draft as the user would get it (shaped with their greeting and
sign-off, revised, or the request's own email where drafting shows that), so one text is
scored one way whichever path reached it. Besides the overlap and style scores, every draft
goes through the draft checks of ``trainer.checks``:
fact recall, invented facts, right recipient, structure defects and length. As in drafting,
each draft is revised (``trainer.revise``, judged without the real email): a fact it left
out is put back where the model can say it, a sentence that only makes things up is taken
out; ``revise=False`` scores the drafts as written.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

from store.jobs import CancelToken, PhaseMeter, ProgressCallback, ignore_progress
from store.settings import data_home
from trainer.checks import check_draft, summarise
from trainer.context_pick import CONTEXT_CHOICES, pick
from trainer.dataset import own_emails, thread_for
from trainer.engine.chat import chat_format_for
from trainer.engine.context import ContextSettings, context_query, profile_for, retrieve_own_emails
from trainer.engine.models import ModelCatalogue
from trainer.engine.postprocess import clean_draft, infer_sign_off
from trainer.engine.prompts import PromptBuilder, PromptRequest
from trainer.engine.runtime import GenerationParams, ModelRuntime
from trainer.fallback import WRITE_ON_TOKENS, literal_fallback, opening_for, write_on
from trainer.greetings import GreetingBook, resolve_recipient
from trainer.phrasing import NO_PHRASEBOOK, Phrasebook
from trainer.playback import EmailForPlayback, EmbeddingKeyphrases, Instruction
from trainer.playback_run import playback, playback_cache
from trainer.registry import load_registry, update_adapter
from trainer.revise import (
    FILL_TOKENS,
    FillAsk,
    fill_missing_facts,
    forced_opening,
    strike_invented,
)
from trainer.subjects import fitting_subject

SETTINGS = ("base", "rag", "lora", "lora_rag")
# What drafting allows a medium-length email (app.drafting.DraftSettings.medium_tokens):
# natural requests get the drafting budget, never one taken from the real email.
DRAFT_TOKENS = 350


@dataclass
class HeldOutItem:
    email: EmailForPlayback
    instruction: Instruction
    request: str = ""  # a natural request given for this email, drafted instead

    @property
    def asked(self) -> str:
        return self.request or self.instruction.text


class InstructionsError(ValueError):
    pass


def read_instructions(path: Path, store) -> dict[str, str]:
    """``{"message_id": ..., "instruction": ...}`` lines → our uid → instruction. The id is
    the RFC Message-ID (with or without <>) or our own uid."""
    found: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InstructionsError(f"{path}: cannot read it ({exc.strerror})") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            ident, text = entry["message_id"], entry["instruction"]
        except (ValueError, KeyError, TypeError) as exc:
            raise InstructionsError(f"{path}, line {number}: expected a JSON object with "
                                    f"message_id and instruction ({exc})") from exc
        if not isinstance(text, str) or not text.strip():
            raise InstructionsError(f"{path}, line {number}: the instruction is empty")
        row = store.message(ident) or store.message(f"<{ident.strip('<>')}>")
        if row is not None:
            found[row["uid"]] = text.strip()
    return found


def held_out_items(store, emails: list[EmailForPlayback], instructions: list[Instruction],
                   held_ids: list[str] | None, share: float) -> tuple[list[HeldOutItem], int]:
    """The held-out emails (as recorded with the adapter, else the newest ``share``) and
    how many were left out because their instruction copies the email."""
    pairs = [HeldOutItem(e, i) for e, i in zip(emails, instructions, strict=True)]
    if held_ids is not None:
        wanted = set(held_ids)
        chosen = [p for p in pairs if p.email.ident in wanted]
    else:
        usable = [p for p in pairs if p.instruction.check is None or p.instruction.check.usable]
        chosen = usable[len(usable) - round(len(usable) * share):]
    echo = [p for p in chosen if p.instruction.check is not None and p.instruction.check.echo]
    return [p for p in chosen if p not in echo], len(echo)


def reference_text(email: EmailForPlayback) -> str:
    return email.body.strip()


def run_evaluation(store, *, model: str | None = None, adapter: str | None = None,
                   limit: int | None = None, home: Path | None = None,
                   progress: ProgressCallback = ignore_progress,
                   cancel: CancelToken | None = None, held_out_share: float = 0.2,
                   out_dir: Path | None = None, max_tokens: int = 300,
                   threads: int = 0, requests: Path | None = None,
                   revise: bool = True, pick_context: bool = False,
                   record: bool = True) -> dict:
    """Draft the held-out emails under each setting and score them. ``record=False`` (a
    process working for the home's owner) writes nothing but the report: the playback cache
    is only read, and the scores are returned in ``to_record`` for the owner to keep."""
    from trainer.metrics import score
    from trainer.report import write_report

    home = home or getattr(store, "home", None) or data_home()
    catalogue = ModelCatalogue(home)
    info = catalogue.info(model)
    registry = load_registry(home)
    adapter = adapter or registry.get("active", {}).get(info.name)
    entry = registry.get("adapters", {}).get(adapter) if adapter else None
    if adapter and entry is None:
        raise KeyError(f"no adapter {adapter!r}; see 'amanuensis adapters list'")

    emails = own_emails(store)
    cache = playback_cache(home, read_only=not record)
    try:
        instructions, _ = playback(emails, EmbeddingKeyphrases(store.embedder), cache=cache)
    finally:
        cache.close()
    held_ids = entry.get("held_out_ids") if entry else None
    items, skipped_echo = held_out_items(store, emails, instructions, held_ids, held_out_share)
    held_total = len(items) + skipped_echo
    if requests is not None:
        given = read_instructions(requests, store)
        pairs = [HeldOutItem(e, i) for e, i in zip(emails, instructions, strict=True)]
        held = set(held_ids) if held_ids is not None else {i.email.ident for i in items}
        items = [HeldOutItem(p.email, p.instruction, given[p.email.ident]) for p in pairs
                 if p.email.ident in given and p.email.ident in held]
        skipped_echo = 0
        if not items:
            raise InstructionsError(
                f"{requests}: none of its {len(given)} known emails is held out "
                f"({len(held)} held out); give instructions for your newest emails")
    if limit:
        items = items[-limit:]
    settings = [s for s in SETTINGS if entry is not None or not s.startswith("lora")]
    context = ContextSettings.load(home)
    # With the adapter, the examples drafting would give it: what its evaluation picked,
    # unless the user set [context] themselves.
    adapter_context = ContextSettings.for_adapter(entry, home)
    excluded = list(held_ids) if held_ids is not None else [i.email.ident for i in items]

    runtime = ModelRuntime(info, n_threads=threads)
    fmt = chat_format_for(info)
    builder = PromptBuilder(fmt, runtime.count_tokens, runtime.n_ctx, profile_for(store))
    outputs: dict[str, list[str]] = {s: [] for s in settings}
    checks: dict[str, list] = {s: [] for s in settings}
    filled_facts: dict[str, int] = dict.fromkeys(settings, 0)
    struck_facts: dict[str, int] = dict.fromkeys(settings, 0)
    held_set = {i.email.ident for i in items}
    sign_off = infer_sign_off([e.body for e in emails if e.ident not in held_set][-200:])
    # How the user greets and phrases things, from the emails training saw: the held-out
    # ones are the answers.
    greetings = GreetingBook()
    for email in emails:
        if email.ident not in held_set:
            greetings.learn([a for a in email.to if a], email.body)
    phrasebook = Phrasebook(e.body for e in emails if e.ident not in held_set)
    profile = profile_for(store)
    from_request: dict[str, int] = dict.fromkeys(settings, 0)  # drafts that are the request's
    written_on: dict[str, int] = dict.fromkeys(settings, 0)  # the model's sentences after it

    def draft_one(setting: str, item: HeldOutItem, context: ContextSettings,
                  revise: bool) -> tuple[str, object, tuple[int, int], tuple[bool, int]]:
        """(the draft as the user gets it, which is scored, its checks, (facts put back,
        made-up facts struck), (written from the request, the model's sentences kept after
        it)) for one held-out email."""
        adapter = str(entry["path"]) if setting.startswith("lora") else None
        drafted = _draft(store, runtime, builder, fmt, item, setting, context,
                         excluded, DRAFT_TOKENS if item.request else max_tokens, adapter)
        raw, thread_text = drafted.raw, drafted.thread_text
        # As the user gets it, their greeting and sign-off: what the checks judge and the
        # overlap and style scores compare with the real email, in every setting and
        # whichever way the draft was reached (the model's own, revised or the request's).
        recipient = resolve_recipient(
            greetings, to="" if thread_text else item.email.recipient,
            reply_sender=drafted.sender, instruction=item.asked)
        greeting = greetings.greeting_for(recipient)
        user_draft = clean_draft(raw, sign_off=sign_off, greeting=greeting,
                                 want_subject=not thread_text).body
        # The examples apart: what only they say is other emails' (``borrowed``).
        sources = [thread_text, profile.name, profile.about]
        check_text = _checker(item, sources, sign_off, drafted.examples, phrasebook, thread_text)
        added = removed = 0
        from_request, kept_after = False, 0
        if revise:
            # As drafting does: put back what the draft left out, take out what it made up,
            # judged without the real email (that would be knowing the answer).
            filled = _fill(runtime, builder, fmt, drafted, item, user_draft, sources,
                           sign_off, greeting, adapter, phrasebook)
            struck = strike_invented(filled.text, filled.check, sign_off=sign_off,
                                     check_text=check_text)
            if struck.text != user_draft:
                user_draft = struck.text
                added, removed = len(filled.added), len(struck.removed)
            # And where it is still not one to send, the request itself, as drafting shows.
            fallback = literal_fallback(
                user_draft, struck.check, instruction=item.asked, greeting=greeting,
                sign_off=sign_off, check_text=check_text,
                examples=drafted.examples, names=recipient.name.split(),
                phrasebook=phrasebook, thread=thread_text)
            if fallback is not None and adapter:  # the user's voice, as drafting adds it
                fallback = write_on(
                    fallback, _write_on(runtime, fmt, drafted, item, opening_for(
                        fallback), sign_off, greeting, adapter),
                    instruction=item.asked, sign_off=sign_off,
                    check_text=check_text,
                    known=[drafted.thread_text, profile.name, profile.about])
                kept_after = len(fallback.added)
            if fallback is not None:
                user_draft = fallback.text
                from_request = True
        check = check_draft(user_draft, instruction=item.asked,
                            reference=reference_text(item.email), sources=sources,
                            examples=drafted.examples,
                            sign_off=sign_off, everyday=phrasebook.everyday,
                            usual=phrasebook.usual, thread=thread_text)
        return user_draft, check, (added, removed), (from_request, kept_after)

    current = (adapter_context.k, adapter_context.min_similarity)
    sweep = [c for c in CONTEXT_CHOICES if (c.k, c.min_similarity) not in
             {(0, 0.0), current}] if pick_context and entry else []
    meter = PhaseMeter("evaluating", len(items) * (len(settings) + len(sweep)), progress)
    started = time.monotonic()
    swept: dict = {}
    try:
        for setting in settings:
            for item in items:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                output, check, (added, removed), (literal, after) = draft_one(
                    setting, item, adapter_context if setting.startswith("lora") else context,
                    revise)
                from_request[setting] += literal
                written_on[setting] += after
                outputs[setting].append(output)
                checks[setting].append(check)
                filled_facts[setting] += added
                struck_facts[setting] += removed
                meter.advance(detail=setting)
        if sweep:
            for choice in sweep:
                drafts = []
                for item in items:
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    drafts.append(draft_one("lora_rag", item, choice, revise))
                    meter.advance(detail=f"k={choice.k}, similarity≥{choice.min_similarity}")
                swept[(choice.k, choice.min_similarity)] = ([d[0] for d in drafts],
                                                            [d[1] for d in drafts])
    finally:
        runtime.close()
    meter.finish()
    references = [reference_text(item.email) for item in items]
    embed = store.embedder.embed
    result = {
        "model": info.name, "adapter": adapter if entry else None,
        "created": datetime.now().isoformat(timespec="seconds"),
        "held_out": held_total, "scored": len(items), "skipped_echo": skipped_echo,
        "seconds": round(time.monotonic() - started, 1),
        "instructions": str(requests) if requests else "playback",
        "revised": revise,
        # The examples each retrieval setting was drafted with (the adapter's may be its pick).
        "context": {"rag": asdict(context), "lora_rag": asdict(adapter_context)},
        "settings": {s: {**score(outputs[s], references, features=embed),
                         **summarise(checks[s]), "facts_filled": filled_facts[s],
                         "facts_struck": struck_facts[s],
                         "from_request": from_request[s],
                         "written_on": written_on[s]}
                     for s in settings},
        "samples": [{"id": item.email.ident, "instruction": item.asked,
                     "reference": ref, "outputs": {s: outputs[s][n] for s in settings},
                     "checks": {s: asdict(checks[s][n]) for s in settings}}
                    for n, (item, ref) in enumerate(zip(items, references, strict=True))],
    }
    if sweep:
        # The measured points: no examples (LoRA), the current setting (LoRA + RAG), and
        # the sweep; drafting serves the best for this user.
        # Every point as the user gets it: revised as drafting revises (what retrieval
        # changes in the drafts a user is shown, not in what the model wrote first).
        points = {(0, 0.0): (outputs["lora"], checks["lora"]),
                  current: (outputs["lora_rag"], checks["lora_rag"]), **swept}
        result["context_pick"] = pick(points, references, current=current)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = out_dir or home / "trainer" / "eval" / f"{adapter or info.name}-{stamp}"
    paths = write_report(result, out_dir)
    result["report"] = {name: str(path) for name, path in paths.items()}
    if entry is not None:
        recorded = {"context": result["context_pick"]} if "context_pick" in result else {}
        fields = {"scores": result["settings"], "eval_report": str(paths["report"]), **recorded}
        if record:
            update_adapter(adapter, home, **fields)
        else:  # the owner of the home records them (app.training_job)
            result["to_record"] = {"adapter": adapter, "fields": fields}
    return result


@dataclass
class _Drafted:
    raw: str
    request: PromptRequest
    examples: list  # the retrieved examples the prompt kept (trainer.engine.prompts.Example)
    thread_text: str  # the text of the email replied to, if any
    sender: str  # its sender's address
    built_text: str = ""  # the prompt the draft was written from


def _draft(store, runtime, builder, fmt, item: HeldOutItem, setting: str,
           context: ContextSettings, excluded: list[str], max_tokens: int,
           adapter: str | None) -> _Drafted:
    """The raw output, and what the draft may draw on: the thread, its sender's address and
    the retrieved examples."""
    email = item.email
    thread = thread_for(store, email)
    request = PromptRequest(instruction=item.asked, reply_to=thread,
                            recipient="" if thread else email.recipient)
    if setting.endswith("rag"):
        found = retrieve_own_emails(store, context_query(request.instruction, thread),
                                    k=context.k, min_similarity=context.min_similarity,
                                    exclude=excluded, prefer_to=email.to[0] if email.to else "",
                                    prefer_subject=thread.subject if thread else "")
        request.examples = [r.example for r in found]
    if not item.request:
        # Room for twice the real email: enough for any fair draft, and a rambling base
        # model does not cost minutes per item.
        max_tokens = min(max_tokens, 2 * runtime.count_tokens(email.body) + 40)
    built = builder.build(request, max_new_tokens=max_tokens)
    params = GenerationParams(max_tokens=max_tokens, temperature=0.0, repeat_penalty=1.1,
                              seed=0, stop=fmt.stop_strings, adapter=adapter)
    text = runtime.generate(built.text, params).result()
    request.examples = built.examples
    return _Drafted(text, request, [e.text for e in built.examples],
                    thread.text if thread else "", _sender_address(store, email), built.text)


def _checker(item: HeldOutItem, sources: list[str], sign_off: str, examples: list[str],
             phrasebook: Phrasebook = NO_PHRASEBOOK, thread: str = ""):
    def check(text: str):
        return check_draft(text, instruction=item.asked, sources=sources, sign_off=sign_off,
                           examples=examples, everyday=phrasebook.everyday,
                           usual=phrasebook.usual, thread=thread)
    return check


def _fill(runtime, builder, fmt, drafted: _Drafted, item: HeldOutItem, user_draft: str,
          sources: list[str], sign_off: str, greeting: str | None, adapter: str | None,
          phrasebook: Phrasebook):
    """``trainer.revise`` as drafting runs it, with seeded sampling so scores repeat."""
    check = _checker(item, sources, sign_off, drafted.examples, phrasebook, drafted.thread_text)
    subject = clean_draft(drafted.raw, want_subject=not drafted.thread_text).subject

    def write(ask: FillAsk) -> str:
        built = builder.build(replace(drafted.request, instruction=ask.part, length="short"),
                              max_new_tokens=FILL_TOKENS)
        # Sampled, seeded: greedy decoding of a small adapter often stops after the greeting.
        params = GenerationParams(max_tokens=FILL_TOKENS, temperature=0.7, repeat_penalty=1.1,
                                  seed=ask.attempt, stop=fmt.stop_strings, adapter=adapter)
        opening = forced_opening(subject, greeting, replying=bool(drafted.thread_text))
        opening += ask.start
        raw = opening + runtime.generate(built.text + opening, params).result()
        return clean_draft(raw, sign_off=sign_off, greeting=greeting,
                           want_subject=not drafted.thread_text).body

    return fill_missing_facts(user_draft, check(user_draft), instruction=item.asked,
                              write=write, check_text=check, sign_off=sign_off)


def _write_on(runtime, fmt, drafted: _Drafted, item: HeldOutItem, opening: str,
              sign_off: str, greeting: str | None, adapter: str | None) -> str:
    """What the model writes on from the request's own email, as drafting asks it
    (greedy here, so that scores repeat)."""
    subject = fitting_subject(clean_draft(drafted.raw, want_subject=not drafted.thread_text)
                              .subject, item.asked)
    opening = forced_opening(subject, None, replying=bool(drafted.thread_text)) + opening
    params = GenerationParams(max_tokens=WRITE_ON_TOKENS, temperature=0.0,
                              repeat_penalty=1.1, seed=0, stop=fmt.stop_strings,
                              adapter=adapter)
    raw = opening + runtime.generate(drafted.built_text + opening, params).result()
    return clean_draft(raw, sign_off=sign_off, greeting=greeting,
                       want_subject=not drafted.thread_text).body


def _sender_address(store, email: EmailForPlayback) -> str:
    if not email.in_reply_to:
        return ""
    row = store.catalogue.conn.execute(
        "SELECT from_addr FROM messages WHERE rfc_message_id = ?", (email.in_reply_to,)
    ).fetchone()
    return row[0] if row else ""
