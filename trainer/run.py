"""One training run from the user's mail to an active adapter, resumable across nights.

A run lives in ``<home>/trainer/runs/<id>/``: the pairs the owner froze for it
(``pairs.json``, ``trainer.snapshot``), their token ids (``data.json``, fixed at the start,
so a resumed run sees exactly the same examples), ``state.json``, ``metrics.jsonl`` (one
line per step, for the GUI to tail), the checkpoint, and finally the PEFT adapter, the GGUF
adapter and its verification.

A run's states: ``frozen`` (pairs written by the owner) → ``prepared`` (encoded) →
``running`` ⇄ ``paused`` → ``trained`` (adapter exported, waiting for the owner) →
``finished`` (registered); or ``discarded`` (its mail was forgotten).
"""

from __future__ import annotations

import json
import signal
import threading
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from store.jobs import CancelToken, Progress, ProgressCallback, ignore_progress
from trainer.activity import training_run
from trainer.batches import Encoded
from trainer.config import TrainSettings
from trainer.engine.models import ModelCatalogue, ModelInfo
from trainer.export import require_exportable
from trainer.run_files import (  # noqa: F401 (the run-file format, re-exported)
    UNFINISHED,
    list_runs,
    read_state,
    runs_dir,
    unfinished_run,
    write_state,
)
from trainer.snapshot import (  # noqa: F401 (TrainingError, re-exported)
    TrainingError,
    freeze_run,
    read_pairs,
    register_trained_run,
    register_trained_runs,
    resume_or_freeze,
)


def encode_run(run_dir: Path, info: ModelInfo, settings: TrainSettings,
               home: Path | None = None, progress: ProgressCallback = ignore_progress) -> None:
    """The frozen pairs to token ids (``data.json``), once per run: a resumed run trains on
    exactly the examples it started with."""
    from trainer.base import load_base_tokenizer
    from trainer.batches import encode_pairs
    from trainer.engine.chat import chat_format_for

    pairs, held_pairs, profile = read_pairs(run_dir)
    tokenizer = load_base_tokenizer(info, home, progress=lambda text: progress(
        Progress("base model", 0, None, detail=text)))
    fmt = chat_format_for(info)
    train, skipped_train = encode_pairs(pairs, tokenizer, fmt, settings.max_seq_tokens, profile)
    held, skipped_held = encode_pairs(held_pairs, tokenizer, fmt, settings.max_seq_tokens,
                                      profile)
    if settings.max_examples:
        train = train[-settings.max_examples:]
    if len(train) < 4:
        raise TrainingError(f"only {len(train)} training examples fit; need at least 4")
    tmp = run_dir / "data.tmp"
    tmp.write_text(json.dumps({
        "train": [asdict(item) for item in train], "held_out": [asdict(item) for item in held]}))
    tmp.replace(run_dir / "data.json")
    summary = read_state(run_dir)["dataset"]
    summary["skipped"].update({f"train: {k}": v for k, v in skipped_train.items()})
    summary["skipped"].update({f"held out: {k}": v for k, v in skipped_held.items()})
    summary["train_examples"], summary["held_out_examples"] = len(train), len(held)
    write_state(run_dir, status="prepared", dataset=summary)


def _load_data(run_dir: Path) -> tuple[list[Encoded], list[Encoded]]:
    data = json.loads((run_dir / "data.json").read_text())
    return ([Encoded(**item) for item in data["train"]],
            [Encoded(**item) for item in data["held_out"]])


def train(store, settings: TrainSettings | None = None, *, resume: bool = False,
          deadline: float | None = None, home: Path | None = None,
          progress: ProgressCallback = ignore_progress, log=None,
          cancel: CancelToken | None = None, activate: bool = True) -> dict:
    """Freeze (or resume) a run, train it and register its adapter, in this process, which
    owns the home; returns a summary of the run."""
    home = home or getattr(store, "home", None)  # the store's data home, not the default one
    settings = settings or TrainSettings.load(home)
    register_trained_runs(home)
    info = ModelCatalogue(home).info(settings.model or None)
    require_exportable(info)  # before hours of playback and training, not after
    run_dir = resume_or_freeze(store, settings, info.name, home, progress, cancel,
                               resume=resume)
    result = train_frozen(run_dir, deadline=deadline, home=home, progress=progress, log=log,
                          cancel=cancel)
    if result["status"] == "trained":
        result.update(status="finished",
                      activated=register_trained_run(run_dir, home, activate=activate))
    return result


def train_frozen(run_dir: Path, *, deadline: float | None = None, home: Path | None = None,
                 progress: ProgressCallback = ignore_progress, log=None,
                 cancel: CancelToken | None = None) -> dict:
    """Train a frozen run folder, export and verify its adapter, and leave it ``trained``
    for the owner to register. Reads the run folder and the base model, nothing else of
    the home: this is what the trainer process runs."""
    # Drafting sees the lock and leaves this run its core (trainer.activity).
    with training_run(home):
        return _train(run_dir, deadline=deadline, home=home, progress=progress, log=log,
                      cancel=cancel)


def _train(run_dir: Path, *, deadline: float | None, home: Path | None,
           progress: ProgressCallback, log, cancel: CancelToken | None) -> dict:
    from trainer.base import file_fingerprint
    from trainer.recipe import LoraRecipe

    state = read_state(run_dir)
    if state.get("status") not in UNFINISHED:
        raise TrainingError(f"run {run_dir.name} is {state.get('status')}, not waiting to "
                            "train; start a new run")
    settings = TrainSettings(**state["settings"])
    info = ModelCatalogue(home).info(state["model"])
    if not (run_dir / "data.json").exists():
        encode_run(run_dir, info, settings, home, progress)
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
              "steps_peak_rss_mb": outcome.extra.get("steps_peak_rss_mb"),
              "loaded_rss_mb": outcome.extra.get("loaded_rss_mb"),
              "loaded_peak_rss_mb": outcome.extra.get("loaded_peak_rss_mb"),
              "dataset": state["dataset"], "run_dir": str(run_dir),
              "start_eval_loss": _start_eval_loss(run_dir), "plan": outcome.extra.get("plan")}
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
                                           "steps_peak_rss_mb", "train_seconds")},
        "verification": verification, "scores": {},
    }
    if read_state(run_dir).get("status") == "discarded":  # forgotten while it exported
        gguf_path.unlink(missing_ok=True)
        return {**result, "status": "discarded"}
    write_state(run_dir, status="trained", step=outcome.step, adapter=str(gguf_path),
                adapter_entry=entry, usable=usable)
    result.update(status="trained", adapter=str(gguf_path), verification=verification,
                  usable=usable)
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
