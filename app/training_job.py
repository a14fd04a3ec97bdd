"""The overnight training: the data frozen here, the training in a child process, the
adapter registered here, then a short evaluation of it.

This process owns the data home, so it alone reads the mail: it freezes a run's pairs
(``trainer.snapshot.freeze_run``, on a thread of its own) or picks up the unfinished run,
and starts ``python -m trainer train --run ID``, which reads only that run folder and the
base model. A separate process keeps the desktop responsive and lets the operating system
reclaim every byte of training memory when it ends. When it has exported and verified the
adapter, this process registers it (``register_trained_run``). The evaluation that follows
runs as a process working for this one: it reads the store, writes only its report, and
hands back the scores for this process to record with the adapter.

Pausing sends SIGTERM: the trainer finishes the step in hand, writes its checkpoint and
exits with ``EXIT_PAUSED`` (3); the next start continues that run. Nothing here knows Qt: the
desktop polls ``poll()`` from a timer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from store.jobs import Cancelled, CancelToken
from store.owner import delegate_env
from store.settings import HOME_ENV, data_home

EXIT_OK, EXIT_FAILED, EXIT_PAUSED = 0, 1, 3
EVAL_LIMIT = 8  # held-out emails scored after a night's run: enough to see a change

Phase = Literal["preparing", "training", "evaluating"]


@dataclass
class JobOutcome:
    status: Literal["finished", "paused", "failed", "stopped"]
    message: str
    train: dict = field(default_factory=dict)  # the trainer's --json summary
    evaluation: dict = field(default_factory=dict)
    log: Path | None = None


def logs_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / "trainer" / "logs"


class TrainingJob:
    """One night's work. ``start()`` it, ``poll()`` it until it returns an outcome.

    ``prepare(cancel)`` returns the run folder to train (a new frozen run, or the unfinished
    one); by default it reads this process's store, and tests give it one of their own."""

    def __init__(self, *, until: str | None = None, max_steps: int | None = None,
                 evaluate: bool = True, eval_limit: int = EVAL_LIMIT, home: Path | None = None,
                 python: str = sys.executable, extra_args: tuple[str, ...] = (),
                 prepare: Callable[[CancelToken], Path] | None = None):
        self.home = home or data_home()
        self.until, self.max_steps = until, max_steps
        self.evaluate, self.eval_limit = evaluate, eval_limit
        self.python, self.extra_args = python, extra_args
        self.prepare = prepare or self._freeze_or_resume
        self.phase: Phase = "preparing"
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self._stdout_path: Path | None = None
        self.run_dir: Path | None = None
        self._train_result: dict = {}
        self._pause_requested = False
        self._stopped_because = ""
        self._cancel = CancelToken()
        self._preparing: threading.Thread | None = None
        self._prepare_error: BaseException | None = None
        self.started_at: float | None = None

    # --- control ----------------------------------------------------------------------
    def start(self) -> None:
        self.started_at = time.time()
        self.phase = "preparing"
        self._preparing = threading.Thread(target=self._prepare, name="training-prepare",
                                           daemon=True)
        self._preparing.start()

    def pause(self) -> None:
        """Ask for a clean stop: a checkpoint during training, nothing to keep in evaluation."""
        self._cancel.cancel()  # the data preparation stops at its next email
        if self.process_running and not self._pause_requested:
            # Once: the trainer saves its checkpoint on the first signal.
            _terminate(self.process)
        self._pause_requested = True

    def stop_now(self, because: str, timeout_s: float = 15.0) -> bool:
        """Kill the run at once and wait for it to be gone, before its data is purged (a
        forget, a deletion): a clean pause would first write a checkpoint of what is about
        to be forgotten. The run resumes from its last checkpoint, unless the purge
        discards it. Returns whether the process is gone."""
        self._stopped_because = because
        self._cancel.cancel()
        if self._preparing is not None and self._preparing.is_alive():
            self._preparing.join(timeout_s)
            if self._preparing.is_alive():
                return False
        if not self.process_running:
            return True
        _kill_group(self.process)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return False
        return True

    @property
    def running(self) -> bool:
        preparing = self._preparing is not None and self._preparing.is_alive()
        return preparing or self.process_running

    @property
    def process_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def poll(self) -> JobOutcome | None:
        """``None`` while the job runs; its outcome once it has ended."""
        if self.phase == "preparing":
            return self._after_preparing()
        if self.process is None or self.process.poll() is None:
            return None
        code = self.process.returncode
        output = self._output()
        if self.phase == "training":
            return self._after_training(code, output)
        return self._after_evaluation(code, output)

    # --- preparing, in this process ------------------------------------------------------
    def _prepare(self) -> None:
        try:
            self.run_dir = self.prepare(self._cancel)
        except BaseException as exc:  # reported by poll(), on the caller's thread
            self._prepare_error = exc

    def _freeze_or_resume(self, cancel: CancelToken) -> Path:
        from store.api import Store
        from trainer.config import TrainSettings
        from trainer.engine.models import ModelCatalogue
        from trainer.snapshot import register_trained_runs, resume_or_freeze

        register_trained_runs(self.home)  # trained while the desktop was closed
        settings = TrainSettings.load(self.home)
        if self.max_steps:
            settings.max_steps = self.max_steps
        model = ModelCatalogue(self.home).info(settings.model or None).name
        with Store(self.home) as store:
            return resume_or_freeze(store, settings, model, self.home, cancel=cancel)

    def _after_preparing(self) -> JobOutcome | None:
        if self._preparing is None or self._preparing.is_alive():
            return None
        error = self._prepare_error
        if self._stopped_because:
            return JobOutcome("paused", f"Training stopped ({self._stopped_because}) while "
                              "preparing the data; it starts again at its next time.")
        if self._pause_requested or isinstance(error, Cancelled):
            return JobOutcome("paused", "Training paused while preparing the data; it "
                              "continues next time.")
        if error is not None:
            return JobOutcome("failed", f"Training could not start: {error}")
        self.phase = "training"
        args = ["train", "--run", self.run_dir.name]
        if self.until:
            args += ["--until", self.until]
        self._launch(args + list(self.extra_args) + ["--json"])
        return None

    # --- phases -----------------------------------------------------------------------
    def _after_training(self, code: int, output: dict | None) -> JobOutcome | None:
        if self._stopped_because:
            return JobOutcome("paused", f"Training stopped ({self._stopped_because}); it "
                              "starts again at its next time.", output or {}, log=self.log_path)
        if code == EXIT_PAUSED or (self._pause_requested and code != EXIT_OK):
            step, total = (output or {}).get("step"), (output or {}).get("total_steps")
            where = (f" at step {step} of {total}" if step and total else
                     " while preparing the data" if output else "")
            return JobOutcome("paused", f"Training paused{where}; it continues next time.",
                              output or {}, log=self.log_path)
        if code != EXIT_OK or output is None:
            return JobOutcome("failed", f"Training failed (exit code {code}): "
                                        f"{self._last_log_line()}", output or {}, log=self.log_path)
        if output.get("status") == "trained":  # ours to register
            from trainer.snapshot import register_trained_run

            output.update(status="finished",
                          activated=register_trained_run(self.run_dir, self.home))
        self._train_result = output
        if not self.evaluate or self._pause_requested or not output.get("activated"):
            return JobOutcome("finished", _trained_message(output), output, log=self.log_path)
        self.phase = "evaluating"
        # The retrieval setting drafting serves with this adapter is measured here too.
        self._launch(["eval", "--limit", str(self.eval_limit), "--pick-context", "--json"])
        return None

    def _after_evaluation(self, code: int, output: dict | None) -> JobOutcome:
        message = _trained_message(self._train_result)
        if code == EXIT_OK and output and output.get("to_record"):
            from trainer.registry import update_adapter

            record = output["to_record"]  # the scores and the context it measured best
            update_adapter(record["adapter"], self.home, **record["fields"])
        if code == EXIT_OK and output:
            message += " " + eval_change(output)
        else:
            message += " (The evaluation did not finish: see the log.)"
        return JobOutcome("finished", message, self._train_result, output or {},
                          log=self.log_path)

    # --- process plumbing ---------------------------------------------------------------
    def _launch(self, args: list[str]) -> None:
        folder = logs_dir(self.home)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.log_path = folder / f"{stamp}-{args[0]}.log"
        self._stdout_path = folder / f"{stamp}-{args[0]}.json"
        env = {**os.environ, HOME_ENV: str(self.home), "HF_HUB_OFFLINE": "1",
               "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
               # The run works in the home for this process, which owns it.
               **delegate_env(self.home)}
        with open(self.log_path, "wb") as log, open(self._stdout_path, "wb") as out:
            self.process = subprocess.Popen(
                [self.python, "-m", "trainer", *args], stdout=out, stderr=log,
                stdin=subprocess.DEVNULL, env=env, **_new_process_group())

    def _output(self) -> dict | None:
        if self._stdout_path is None:
            return None
        try:
            return json.loads(self._stdout_path.read_text() or "null")
        except (OSError, ValueError):
            return None

    def _last_log_line(self) -> str:
        try:
            lines = [line.strip() for line in self.log_path.read_text(errors="replace")
                     .splitlines() if line.strip()]
        except (OSError, AttributeError):
            return "no log"
        return lines[-1] if lines else "no output"


def _trained_message(result: dict) -> str:
    eval_loss, start_loss = result.get("best_eval_loss"), result.get("start_eval_loss")
    text = f"Training finished after {result.get('step')} steps"
    if eval_loss is not None and start_loss is not None:
        text += f"; held-out loss {start_loss:.2f} → {eval_loss:.2f}"
    elif eval_loss is not None:
        text += f"; held-out loss {eval_loss:.2f}"
    if result.get("activated"):
        return text + ". The new adapter is in use."
    return text + ". The adapter did not pass verification and was not activated."


def eval_change(evaluation: dict) -> str:
    """'Style distance 0.63 → 0.46, ROUGE-L 14.5 → 21.6 against the plain model (8 emails).'"""
    scores = evaluation.get("settings", {})
    base, tuned = scores.get("rag") or scores.get("base"), scores.get("lora_rag") or scores.get("lora")
    if not base or not tuned:
        return ""
    parts = []
    if base.get("style_distance") is not None and tuned.get("style_distance") is not None:
        parts.append(f"style distance {base['style_distance']:.2f} → {tuned['style_distance']:.2f}")
    if base.get("rouge_l") is not None and tuned.get("rouge_l") is not None:
        parts.append(f"ROUGE-L {base['rouge_l']:.1f} → {tuned['rouge_l']:.1f}")
    if not parts:
        return ""
    text = ", ".join(parts)
    return (f"{text[0].upper()}{text[1:]} against the plain model "
            f"({evaluation.get('scored', '?')} held-out emails).")


def _new_process_group() -> dict:
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]
    return {"start_new_session": True}  # a Ctrl-C in the GUI's terminal does not reach it


def _kill_group(process: subprocess.Popen) -> None:
    """The run and anything it started (it leads its own process group)."""
    if sys.platform == "win32":
        process.kill()
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _terminate(process: subprocess.Popen) -> None:
    if sys.platform == "win32":
        process.send_signal(signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
    else:
        process.send_signal(signal.SIGTERM)
