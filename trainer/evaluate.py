"""Does the adapter write the user's next emails more like the user did?

For every held-out email (the newest share, never trained on) a draft is generated from its
playback instruction under four settings: the plain model, with retrieved context (RAG), with
the adapter (LoRA), and with both. Drafts come from llama.cpp through the same prompt builder,
retrieval and clean-up as real drafting, greedily so that scores are repeatable, and are
scored against the email the user actually sent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from store.jobs import CancelToken, PhaseMeter, ProgressCallback, ignore_progress
from store.settings import data_home
from trainer.chat import chat_format_for
from trainer.context import ContextSettings, context_query, profile_for, retrieve_own_emails
from trainer.dataset import own_emails, thread_for
from trainer.models import ModelCatalogue
from trainer.playback import EmailForPlayback, EmbeddingKeyphrases, Instruction
from trainer.playback_run import playback, playback_cache
from trainer.postprocess import clean_draft
from trainer.prompts import PromptBuilder, PromptRequest
from trainer.registry import load_registry, update_adapter
from trainer.runtime import GenerationParams, ModelRuntime

SETTINGS = ("base", "rag", "lora", "lora_rag")


@dataclass
class HeldOutItem:
    email: EmailForPlayback
    instruction: Instruction


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
                   threads: int = 0) -> dict:
    from trainer.metrics import score
    from trainer.report import write_report

    home = home or data_home()
    catalogue = ModelCatalogue(home)
    info = catalogue.info(model)
    registry = load_registry(home)
    adapter = adapter or registry.get("active", {}).get(info.name)
    entry = registry.get("adapters", {}).get(adapter) if adapter else None
    if adapter and entry is None:
        raise KeyError(f"no adapter {adapter!r}; see 'amanuensis adapters list'")

    emails = own_emails(store)
    cache = playback_cache(home)
    try:
        instructions, _ = playback(emails, EmbeddingKeyphrases(store.embedder), cache=cache)
    finally:
        cache.close()
    held_ids = entry.get("held_out_ids") if entry else None
    items, skipped_echo = held_out_items(store, emails, instructions, held_ids, held_out_share)
    held_total = len(items) + skipped_echo
    if limit:
        items = items[-limit:]
    settings = [s for s in SETTINGS if entry is not None or not s.startswith("lora")]
    context = ContextSettings.load()
    excluded = list(held_ids) if held_ids is not None else [i.email.ident for i in items]

    runtime = ModelRuntime(info, n_threads=threads)
    fmt = chat_format_for(info)
    builder = PromptBuilder(fmt, runtime.count_tokens, runtime.n_ctx, profile_for(store))
    outputs: dict[str, list[str]] = {s: [] for s in settings}
    meter = PhaseMeter("evaluating", len(items) * len(settings), progress)
    started = time.monotonic()
    try:
        for setting in settings:
            runtime.set_adapter(entry["path"] if setting.startswith("lora") else None)
            for item in items:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                outputs[setting].append(_draft(store, runtime, builder, fmt, item, setting,
                                               context, excluded, max_tokens))
                meter.advance(detail=setting)
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
        "settings": {s: score(outputs[s], references, features=embed) for s in settings},
        "samples": [{"id": item.email.ident, "instruction": item.instruction.text,
                     "reference": ref, "outputs": {s: outputs[s][n] for s in settings}}
                    for n, (item, ref) in enumerate(zip(items, references, strict=True))],
    }
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = out_dir or home / "trainer" / "eval" / f"{adapter or info.name}-{stamp}"
    paths = write_report(result, out_dir)
    result["report"] = {name: str(path) for name, path in paths.items()}
    if entry is not None:
        update_adapter(adapter, home, scores=result["settings"],
                       eval_report=str(paths["report"]))
    return result


def _draft(store, runtime, builder, fmt, item: HeldOutItem, setting: str,
           context: ContextSettings, excluded: list[str], max_tokens: int) -> str:
    email = item.email
    thread = thread_for(store, email)
    request = PromptRequest(instruction=item.instruction.text, reply_to=thread,
                            recipient="" if thread else email.recipient)
    if setting.endswith("rag"):
        found = retrieve_own_emails(store, context_query(request.instruction, thread),
                                    k=context.k, min_similarity=context.min_similarity,
                                    exclude=excluded)
        request.examples = [r.example for r in found]
    # Room for twice the real email: enough for any fair draft, and a rambling base model
    # does not cost minutes per item.
    max_tokens = min(max_tokens, 2 * runtime.count_tokens(email.body) + 40)
    built = builder.build(request, max_new_tokens=max_tokens)
    params = GenerationParams(max_tokens=max_tokens, temperature=0.0, repeat_penalty=1.1,
                              seed=0, stop=fmt.stop_strings)
    text = runtime.generate(built.text, params).result()
    # No sign-off is added here: the score should show what the model learned, not our
    # post-processing.
    return clean_draft(text, want_subject=thread is None).body
