"""The files of a training run, as both the trainer process and the app read and write
them: ``<home>/trainer/runs/<id>/state.json``. Nothing here imports torch, so the window,
the tray and the CLI can list and change runs without loading the training stack."""

from __future__ import annotations

import json
import time
from pathlib import Path

from filelock import FileLock

from store.settings import data_home

# Runs that still have training to do (``trainer.run`` lists every state).
UNFINISHED = ("frozen", "prepared", "running", "paused")


def runs_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / "trainer" / "runs"


def read_state(run_dir: Path) -> dict:
    return json.loads((run_dir / "state.json").read_text())


def write_state(run_dir: Path, **fields) -> dict:
    """Change some fields of a run's state. The trainer process and the app both write it
    (progress; a pause or a discard), so each change is read, made and written whole under
    the run's lock: neither loses the other's."""
    path = run_dir / "state.json"
    with FileLock(str(run_dir / "state.lock"), timeout=30):
        state = json.loads(path.read_text()) if path.exists() else {}
        state.update(fields, updated=time.time())
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(path)
    return state


def list_runs(home: Path | None = None) -> list[dict]:
    runs = []
    root = runs_dir(home)
    for state_file in sorted(root.glob("*/state.json")) if root.exists() else []:
        runs.append({"id": state_file.parent.name, **json.loads(state_file.read_text())})
    return runs


def unfinished_run(model: str, home: Path | None = None) -> Path | None:
    for run in reversed(list_runs(home)):
        if run.get("model") == model and run.get("status") in UNFINISHED:
            return runs_dir(home) / run["id"]
    return None


# What a run keeps of the mail: its frozen pairs and their token ids.
FROZEN_DATA = ("pairs.json", "data.json")


def discard_run(run_dir: Path, why: str) -> None:
    """Give up a run that has not reached drafting: its frozen data, checkpoint and any
    adapter it exported go, and its state says why. The next run starts afresh."""
    import shutil

    for leftover in [run_dir / "checkpoint.pt", *run_dir.glob("*.gguf"),
                     *(run_dir / name for name in FROZEN_DATA)]:
        leftover.unlink(missing_ok=True)
    shutil.rmtree(run_dir / "peft", ignore_errors=True)
    write_state(run_dir, status="discarded", discarded=why)
