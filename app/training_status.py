"""What the training view and the scheduler need to know, read from the trainer's files.

Everything here is a plain read of what ``trainer/`` writes (runs, metrics, registry, eval
reports, feedback) plus two counts from the catalogue, so the view never repeats the
trainer's logic and works while a training process is writing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from store.reclean import own_mail_changed_at
from store.settings import data_home
from trainer.engine.models import ModelCatalogue
from trainer.feedback import pending_feedback
from trainer.registry import list_adapters, trained_feedback_ids
from trainer.run_files import list_runs, runs_dir, unfinished_run

MIN_OWN_EMAILS = 20  # fewer of the user's own emails than this teach a style nothing


@dataclass
class RunSummary:
    id: str
    status: str
    model: str
    step: int
    total_steps: int | None
    created: float | None
    updated: float | None
    train_examples: int | None
    held_out_examples: int | None

    @property
    def percent(self) -> int | None:
        if not self.total_steps:
            return None
        return int(100 * min(self.step, self.total_steps) / self.total_steps)


@dataclass
class Overview:
    model: str
    own_emails: int
    pending_feedback: int
    last_run: RunSummary | None
    adapters: list[dict] = field(default_factory=list)
    latest_eval: dict | None = None  # the summary.json of the newest evaluation
    latest_eval_plot: Path | None = None
    latest_eval_report: Path | None = None


def metrics_path(run_id: str, home: Path | None = None) -> Path:
    return runs_dir(home) / run_id / "metrics.jsonl"


def read_metrics(path: Path, offset: int = 0) -> tuple[list[dict], int]:
    """Whole lines from ``offset`` on, and where the next read starts. A line the trainer is
    still writing is left for the next read."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except OSError:
        return [], offset
    end = data.rfind(b"\n") + 1
    records = []
    for line in data[:end].splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records, offset + end


def last_step(run_id: str, home: Path | None = None) -> int:
    records, _ = read_metrics(metrics_path(run_id, home))
    return max((r.get("step", 0) for r in records), default=0)


def run_summary(run: dict, home: Path | None = None) -> RunSummary:
    dataset = run.get("dataset") or {}
    return RunSummary(
        id=run["id"], status=run.get("status", "?"), model=run.get("model", ""),
        step=max(int(run.get("step") or 0), last_step(run["id"], home)),
        total_steps=run.get("total_steps"), created=run.get("created"),
        updated=run.get("updated"), train_examples=dataset.get("train_examples"),
        held_out_examples=dataset.get("held_out_examples"))


def own_email_counts(catalogue) -> tuple[int, float | None]:
    """How many of the user's own emails the store holds, and when the newest arrived."""
    count, newest = catalogue.conn.execute(
        "SELECT COUNT(*), MAX(imported_at) FROM messages WHERE is_own = 1").fetchone()
    stamp = datetime.fromisoformat(newest).astimezone(UTC).timestamp() if newest else None
    return int(count or 0), stamp


def training_needed(catalogue, model: str | None = None,
                    home: Path | None = None) -> tuple[bool, str]:
    """Whether a night's training has work, and why: the scheduler's ``work_waiting``."""
    home = home or data_home()
    model = model or ModelCatalogue(home).default_name()
    if unfinished_run(model, home) is not None:
        return True, "a paused run to finish"
    if any(r.get("status") == "trained" for r in list_runs(home)):
        return True, "a trained adapter to register"  # trained while the app was closed
    own, newest = own_email_counts(catalogue)
    if own < MIN_OWN_EMAILS:
        return False, f"only {own} of your own emails are imported (at least {MIN_OWN_EMAILS})"
    pending = len(pending_feedback(trained_feedback_ids(home), home))
    finished = [r for r in list_runs(home) if r.get("model") == model
                and r.get("status") == "finished"]
    if not finished:
        return True, "no adapter has been trained yet"
    if pending:
        return True, f"{pending} accepted drafts to learn from"
    last = max(r.get("created") or 0 for r in finished)
    if newest is not None and newest > last:
        return True, "new mail of yours was imported since the last run"
    changed = own_mail_changed_at(catalogue)
    if changed is not None and changed > last:
        return True, "your mail was cleaned again since the last run (its text changed)"
    return False, "nothing new since the last run"


def overview(catalogue, model: str | None = None, home: Path | None = None) -> Overview:
    home = home or data_home()
    model = model or ModelCatalogue(home).default_name()
    runs = [r for r in list_runs(home) if r.get("model") == model]
    runs.sort(key=lambda r: r.get("created") or 0)
    adapters = list_adapters(model, home)
    latest_eval, report = _latest_eval(adapters)
    plot = report.parent / "scores.png" if report else None
    return Overview(
        model=model, own_emails=own_email_counts(catalogue)[0],
        pending_feedback=len(pending_feedback(trained_feedback_ids(home), home)),
        last_run=run_summary(runs[-1], home) if runs else None,
        adapters=adapters, latest_eval=latest_eval,
        latest_eval_plot=plot if plot and plot.exists() else None, latest_eval_report=report)


def _latest_eval(adapters: list[dict]) -> tuple[dict | None, Path | None]:
    """The newest evaluation's summary and the path of its report."""
    for entry in reversed(adapters):
        report = entry.get("eval_report")
        if not report:
            continue
        try:
            summary = json.loads((Path(report).parent / "summary.json").read_text())
        except (OSError, ValueError):
            continue
        return summary, Path(report)
    return None, None


# --- what the desktop's views ask and do (they import nothing of store or trainer) --------
def read_overview(home: Path | None = None) -> Overview:
    """The training view's data, read from the catalogue and the run files."""
    from store.api import Store

    with Store(home) as store:
        return overview(store.catalogue, home=home)


def work_waiting(home: Path | None = None) -> tuple[bool, str]:
    """The scheduler's question: is there a night's work, and why (or why not)."""
    from store.api import Store

    with Store(home) as store:
        return training_needed(store.catalogue, home=home)


def current_progress(home: Path | None = None) -> tuple[int | None, str]:
    """The newest unfinished run's percentage, or what it is doing before it has steps."""
    runs = [r for r in list_runs(home) if r.get("status") in ("frozen", "prepared", "running")]
    if not runs:
        return None, "preparing the training data"
    summary = run_summary(max(runs, key=lambda r: r.get("created") or 0), home)
    if summary.total_steps:
        return summary.percent, f"training: step {summary.step} of {summary.total_steps}"
    return None, "loading the model"


def pending_count(home: Path | None = None) -> int:
    """Accepted drafts not yet trained on."""
    return len(pending_feedback(trained_feedback_ids(home), home))


def use_adapter(ident: str, home: Path | None = None) -> None:
    from trainer.registry import activate_adapter

    activate_adapter(ident, home)


def roll_back(model: str, home: Path | None = None) -> str | None:
    from trainer.registry import rollback

    return rollback(model, home)
