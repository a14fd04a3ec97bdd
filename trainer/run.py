"""One training run from the user's mail to an active adapter, resumable across nights.

A run lives in ``<home>/trainer/runs/<id>/``: the encoded data it trains on (fixed at the
start, so a resumed run sees exactly the same examples), ``state.json``, ``metrics.jsonl``
(one line per step, for the GUI to tail), the checkpoint, and finally the PEFT adapter, the
GGUF adapter and its verification.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from store.jobs import CancelToken, Progress, ProgressCallback, ignore_progress
from trainer.activity import training_run
from trainer.batches import Encoded, encode_pairs
from trainer.config import TrainSettings
from trainer.dataset import build_dataset, own_emails, pair_from_feedback
from trainer.engine.context import ContextSettings, profile_for
from trainer.engine.models import ModelCatalogue, ModelInfo
from trainer.feedback import pending_feedback
from trainer.playback import EmbeddingKeyphrases
from trainer.playback_run import playback, playback_cache
from trainer.registry import register_adapter, trained_feedback_ids
from trainer.run_files import (  # noqa: F401 (the run-file format, re-exported)
    list_runs,
    read_state,
    runs_dir,
    unfinished_run,
    write_state,
)


class TrainingError(RuntimeError):
    pass


def prepare_run(store, settings: TrainSettings, info: ModelInfo, home: Path | None = None,
                progress: ProgressCallback = ignore_progress,
                cancel: CancelToken | None = None) -> Path:
    """Playback, the split and the encoded examples, frozen into a new run folder."""
    from trainer.base import load_base_tokenizer
    from trainer.engine.chat import chat_format_for

    emails = own_emails(store)
    if len(emails) < 10:
        raise TrainingError(f"only {len(emails)} of your own emails are usable for training; "
                            "import your sent mail first (at least 10 emails)")
    cache = playback_cache(home)
    try:
        instructions, report = playback(emails, EmbeddingKeyphrases(store.embedder),
                                        cache=cache, progress=progress, cancel=cancel)
    finally:
        cache.close()
    feedback = pending_feedback(trained_feedback_ids(home), home)
    context = ContextSettings.load(home)
    progress(Progress("dataset", 0, None, detail="building pairs with retrieved context"))
    dataset = build_dataset(store, emails, instructions,
                            held_out_share=settings.held_out_share,
                            context_share=settings.context_share, k=context.k,
                            min_similarity=context.min_similarity,
                            feedback=[pair_from_feedback(entry) for entry in feedback])
    tokenizer = load_base_tokenizer(info, home, progress=lambda text: progress(
        Progress("base model", 0, None, detail=text)))
    fmt = chat_format_for(info)
    profile = profile_for(store)
    train, skipped_train = encode_pairs(dataset.train, tokenizer, fmt, settings.max_seq_tokens,
                                        profile)
    held, skipped_held = encode_pairs(dataset.held_out, tokenizer, fmt,
                                      settings.max_seq_tokens, profile)
    if settings.max_examples:
        train = train[-settings.max_examples:]
    if len(train) < 4:
        raise TrainingError(f"only {len(train)} training examples fit; need at least 4")
    run_id = datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir = runs_dir(home) / run_id
    run_dir.mkdir(parents=True)
    (run_dir / "data.json").write_text(json.dumps({
        "train": [asdict(item) for item in train], "held_out": [asdict(item) for item in held]}))
    summary = dataset.summary()
    summary["skipped"].update({f"train: {k}": v for k, v in skipped_train.items()})
    summary["skipped"].update({f"held out: {k}": v for k, v in skipped_held.items()})
    summary["train_examples"], summary["held_out_examples"] = len(train), len(held)
    write_state(run_dir, model=info.name, status="prepared", created=time.time(),
                settings=settings.to_json(), dataset=summary, playback=report.to_json(),
                held_out_ids=[pair.email_id for pair in dataset.held_out],
                feedback_ids=[entry.ident for entry in feedback])
    return run_dir


def _load_data(run_dir: Path) -> tuple[list[Encoded], list[Encoded]]:
    data = json.loads((run_dir / "data.json").read_text())
    return ([Encoded(**item) for item in data["train"]],
            [Encoded(**item) for item in data["held_out"]])


def train(store, settings: TrainSettings | None = None, *, resume: bool = False,
          deadline: float | None = None, home: Path | None = None,
          progress: ProgressCallback = ignore_progress, log=None,
          cancel: CancelToken | None = None, activate: bool = True) -> dict:
    """Train (or continue) an adapter and register it; returns a summary of the run."""
    # Drafting sees the lock and leaves this run its core (trainer.activity).
    with training_run(home):
        return _train(store, settings, resume=resume, deadline=deadline, home=home,
                      progress=progress, log=log, cancel=cancel, activate=activate)


def _train(store, settings: TrainSettings | None, *, resume: bool, deadline: float | None,
           home: Path | None, progress: ProgressCallback, log, cancel: CancelToken | None,
           activate: bool) -> dict:
    from trainer.base import file_fingerprint
    from trainer.recipe import LoraRecipe

    home = home or getattr(store, "home", None)  # the store's data home, not the default one
    settings = settings or TrainSettings.load(home)
    catalogue = ModelCatalogue(home)
    info = catalogue.info(settings.model or None)
    run_dir = unfinished_run(info.name, home) if resume else None
    if run_dir is not None:
        settings = TrainSettings(**read_state(run_dir)["settings"])
    else:
        run_dir = prepare_run(store, settings, info, home, progress, cancel)
    train_items, held_items = _load_data(run_dir)
    recipe = LoraRecipe(settings, info, run_dir, train_items, held_items, log=log,
                        cancel=cancel)
    progress(Progress("base model", 0, None, detail=f"loading {info.name}"))
    recipe.setup(home)
    if read_state(run_dir).get("status") == "discarded":  # forgotten while it loaded
        return {"run": run_dir.name, "model": info.name, "status": "discarded"}
    write_state(run_dir, status="running", total_steps=recipe.total_steps)
    restore = _stop_on_sigterm(recipe)
    try:
        outcome = recipe.train(deadline)
    finally:
        restore()
    state = read_state(run_dir)
    result = {"run": run_dir.name, "model": info.name, "status": outcome.status,
              "step": outcome.step, "total_steps": outcome.total_steps,
              "train_loss": outcome.train_loss, "eval_loss": outcome.eval_loss,
              "best_eval_loss": outcome.best_eval_loss, "tokens_per_s": outcome.tokens_per_s,
              "peak_rss_mb": outcome.peak_rss_mb, "train_seconds": outcome.seconds,
              "dataset": state["dataset"], "run_dir": str(run_dir),
              "start_eval_loss": _start_eval_loss(run_dir)}
    if outcome.status == "discarded":
        return result  # never exported, registered or activated; its state says why
    if outcome.status == "paused":
        write_state(run_dir, status="paused", step=outcome.step)
        return result
    texts = [recipe.tokenizer.decode(item.input_ids) for item in held_items[:settings.verify_texts]]
    progress(Progress("export", 0, None, detail="writing and verifying the GGUF adapter"))
    gguf_path, verification = recipe.export(texts)
    usable = verification.get("delta_cosine", 1.0) >= settings.min_delta_cosine
    entry = {
        "model": info.name, "path": str(gguf_path), "created": datetime.now().isoformat(
            timespec="seconds"), "base_hash": file_fingerprint(Path(info.path)),
        "run_dir": str(run_dir), "data": state["dataset"], "held_out_ids": state["held_out_ids"],
        "feedback_ids": state["feedback_ids"], "settings": settings.to_json(),
        "metrics": {k: result[k] for k in ("status", "step", "train_loss", "eval_loss",
                                           "best_eval_loss", "tokens_per_s", "peak_rss_mb",
                                           "train_seconds")},
        "verification": verification, "scores": {},
    }
    if read_state(run_dir).get("status") == "discarded":  # forgotten while it exported
        gguf_path.unlink(missing_ok=True)
        return {**result, "status": "discarded"}
    register_adapter(run_dir.name, entry, activate=activate and usable, home=home)
    write_state(run_dir, status="finished", step=outcome.step, adapter=str(gguf_path))
    result.update(adapter=str(gguf_path), verification=verification,
                  activated=activate and usable)
    return result


def _start_eval_loss(run_dir: Path) -> float | None:
    """The held-out loss measured before the first step, if the run measured one."""
    path = run_dir / "metrics.jsonl"
    if not path.exists():
        return None
    with path.open() as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("step") == 0 and "eval_loss" in record:
                return record["eval_loss"]
    return None


def stop_signals() -> list[int]:
    """SIGTERM, and on Windows the CTRL_BREAK that a parent can send to a process group."""
    return [signal.SIGTERM] + ([signal.SIGBREAK] if hasattr(signal, "SIGBREAK") else [])


def _stop_on_sigterm(recipe) -> callable:
    """SIGTERM (the scheduler's 'stop for tonight') ends the run at the next step boundary
    with a checkpoint, instead of killing it mid-step."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum, frame):
        recipe.stop_requested = True

    previous = {number: signal.signal(number, handler) for number in stop_signals()}
    return lambda: [signal.signal(number, handler) for number, handler in previous.items()]
