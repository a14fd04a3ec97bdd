"""The owner's side of a training run: freeze the data it trains on, register what it made.

Only the process that owns the data home reads the catalogue and the vector index
(``store.owner``). So the owner turns the user's mail into a run folder's ``pairs.json``:
every training and held-out pair with the retrieved context it will be shown, and the
profile its prompts name. The trainer process reads nothing else of the home; it trains,
exports and verifies into the run folder, and leaves the run ``trained``. The owner then
records the adapter in the registry (``register_trained_run``), which is the only step that
makes it reach drafting. A run trained while its owner was away (the desktop quit) is
registered the next time an owner looks (``register_trained_runs``).

Nothing here imports torch: the desktop prepares runs in its own process.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from store.jobs import CancelToken, Progress, ProgressCallback, ignore_progress
from store.reclean import own_mail_changed_at
from trainer.config import TrainSettings
from trainer.dataset import TrainingPair, build_dataset, own_emails, pair_from_feedback
from trainer.engine.context import ContextSettings, profile_for
from trainer.engine.prompts import Example, Profile, PromptRequest, ThreadMessage
from trainer.feedback import pending_feedback
from trainer.playback import EmbeddingKeyphrases
from trainer.playback_run import playback, playback_cache
from trainer.registry import register_adapter, trained_feedback_ids
from trainer.run_files import (
    discard_run,
    list_runs,
    read_state,
    runs_dir,
    unfinished_run,
    write_state,
)

PAIRS_FILE = "pairs.json"
PAIRS_FORMAT = 1
MIN_OWN_EMAILS = 10


class TrainingError(RuntimeError):
    pass


def freeze_run(store, settings: TrainSettings, model: str, home: Path | None = None,
               progress: ProgressCallback = ignore_progress,
               cancel: CancelToken | None = None) -> Path:
    """Playback, the split and the retrieved context, frozen into a new run folder."""
    home = home or getattr(store, "home", None)
    emails = own_emails(store)
    if len(emails) < MIN_OWN_EMAILS:
        raise TrainingError(f"only {len(emails)} of your own emails are usable for training; "
                            f"import your sent mail first (at least {MIN_OWN_EMAILS} emails)")
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
                            feedback=[pair_from_feedback(entry) for entry in feedback],
                            cancel=cancel)
    run_dir = _new_run_dir(home)
    _write_json(run_dir / PAIRS_FILE, {
        "format": PAIRS_FORMAT, "profile": asdict(profile_for(store, home)),
        "train": [pair_to_json(pair) for pair in dataset.train],
        "held_out": [pair_to_json(pair) for pair in dataset.held_out]})
    write_state(run_dir, model=model, status="frozen", created=time.time(),
                settings=settings.to_json(), dataset=dataset.summary(),
                playback=report.to_json(),
                held_out_ids=[pair.email_id for pair in dataset.held_out],
                feedback_ids=[entry.ident for entry in feedback])
    return run_dir


def resume_or_freeze(store, settings: TrainSettings, model: str, home: Path | None = None,
                     progress: ProgressCallback = ignore_progress,
                     cancel: CancelToken | None = None, resume: bool = True) -> Path:
    """The unfinished run to go on with, unless the user's mail was re-cleaned after it
    was frozen (it would train on the old text: it is discarded); else a new frozen run."""
    run_dir = unfinished_run(model, home) if resume else None
    if run_dir is not None:
        changed = own_mail_changed_at(store.catalogue)
        if changed is not None and changed > (read_state(run_dir).get("created") or 0):
            discard_run(run_dir, "the mail it was prepared from was cleaned again")
            run_dir = None
    if run_dir is None:
        run_dir = freeze_run(store, settings, model, home, progress, cancel)
    return run_dir


def read_pairs(run_dir: Path) -> tuple[list[TrainingPair], list[TrainingPair], Profile]:
    """The frozen pairs of a run: (training, held out, profile)."""
    path = run_dir / PAIRS_FILE
    try:
        frozen = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TrainingError(f"{path}: the run's frozen data is missing (was its mail "
                            "forgotten?); start a new run") from exc
    except ValueError as exc:
        raise TrainingError(f"{path}: the run's frozen data is damaged ({exc})") from exc
    if frozen.get("format") != PAIRS_FORMAT:
        raise TrainingError(f"{path}: frozen data of format {frozen.get('format')!r}, this "
                            f"trainer reads format {PAIRS_FORMAT}; start a new run")
    return ([pair_from_json(item) for item in frozen["train"]],
            [pair_from_json(item) for item in frozen["held_out"]],
            Profile(**frozen.get("profile", {})))


def pair_to_json(pair: TrainingPair) -> dict:
    return asdict(pair)


def pair_from_json(data: dict) -> TrainingPair:
    request = dict(data["request"])
    reply_to = request.pop("reply_to", None)
    examples = [Example(**example) for example in request.pop("examples", [])]
    return TrainingPair(
        email_id=data["email_id"], completion=data["completion"], date=data.get("date"),
        source=data.get("source", "playback"),
        request=PromptRequest(**request, examples=examples,
                              reply_to=ThreadMessage(**reply_to) if reply_to else None))


def register_trained_run(run_dir: Path, home: Path | None = None,
                         activate: bool = True) -> bool | None:
    """Record a ``trained`` run's adapter; whether it became the active one (it does when
    its verification passed and ``activate``), ``None`` if the run was not waiting."""
    state = read_state(run_dir)
    if state.get("status") != "trained":
        return None
    entry = state["adapter_entry"]
    activated = bool(activate and state.get("usable"))
    register_adapter(run_dir.name, entry, activate=activated, home=home)
    write_state(run_dir, status="finished", activated=activated)
    return activated


def register_trained_runs(home: Path | None = None) -> list[str]:
    """Every run that finished training while no owner was there to register it."""
    done = []
    for run in list_runs(home):
        if run.get("status") == "trained":
            register_trained_run(runs_dir(home) / run["id"], home)
            done.append(run["id"])
    return done


def _new_run_dir(home: Path | None) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    root = runs_dir(home)
    root.mkdir(parents=True, exist_ok=True)
    for suffix in ["", *(f"-{n}" for n in range(2, 100))]:
        try:
            (root / f"{stamp}{suffix}").mkdir()
        except FileExistsError:
            continue
        return root / f"{stamp}{suffix}"
    raise TrainingError(f"{root}: cannot make a new run folder")


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
