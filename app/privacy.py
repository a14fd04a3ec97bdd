"""What Amanuensis keeps about the user, and the three things a user can do about it:
see it (``data_summary``), take it away (``export_everything``), remove it
(``forget`` and ``delete_everything``). No Qt here: the settings dialog and the CLI call it.

What an export holds (``EXPORT_README`` below is written into it and says the same):

- ``mail.jsonl`` and ``mail.mbox``: every message in the catalogue, cleaned, exactly as the
  assistant sees it (``store.export``), yours and others'; ``documents.jsonl``: imported
  documents' text; ``catalogue.json``: sources with their counts, your addresses, and what
  you asked to forget (forgotten senders, threads and message keys stay listed there so the
  next import keeps them out; they are yours to see).
- ``settings.toml`` and ``models.json`` (the models you added and the default).
- ``trainer/feedback.jsonl`` (drafts you accepted), ``trainer/playback.jsonl`` (the
  instruction made for each of your emails), ``trainer/runs/<id>/state.json`` and
  ``metrics.jsonl`` (each run's settings, dataset summary and loss curve),
  ``trainer/eval/**`` (evaluation reports).
- ``adapters/registry.json`` and, unless ``include_adapters=False``, each adapter's GGUF
  file (a few MB each: your trained style is yours to keep).

Left out on purpose: base models (public, large, recreated from packages), training
checkpoints and the frozen training data of runs (``pairs.json`` and ``data.json``: the mail
that is already in ``mail.jsonl``, as pairs and as token ids), the vector index (derived from the catalogue and rebuilt on
import) and the local API's bearer token (a secret, not data).

What ``delete_everything`` removes: every entry Amanuensis writes in the data home
(``APP_ENTRIES``: catalogue, index, trainer data with feedback and playback cache, adapters,
settings, models list, API token). It keeps ``<home>/models``, the cache of public base
models (assembled and dequantized copies of packaged models, nothing learned from the user),
unless ``include_model_cache=True``; a symlinked cache is unlinked, never followed. Entries
it does not know are left in place and listed in the result, so a data home pointed at a
shared folder (``AMANUENSIS_HOME``) never loses the user's other files.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from store.api import Store
from store.export import to_jsonl, to_mbox
from store.forget import ForgetResult
from store.jobs import CancelToken, Progress, ProgressCallback, ignore_progress
from store.owner import LOCK_FILE, OWNER_FILE
from store.settings import SETTINGS_FILE
from trainer.feedback import drop_quotes_from, feedback_file, pending_feedback
from trainer.playback_run import playback_cache, playback_cache_file
from trainer.registry import load_registry, registry_file, trained_feedback_ids
from trainer.run_files import FROZEN_DATA, UNFINISHED, discard_run, list_runs, runs_dir

MODEL_CACHE = "models"
# Everything Amanuensis writes directly under the data home. A new file or folder written
# there by any layer belongs in this list, or "delete everything" leaves it (and says so).
APP_ENTRIES = (
    "catalogue.sqlite3", "catalogue.sqlite3-wal", "catalogue.sqlite3-shm",
    "catalogue.sqlite3-journal", "index", "trainer", "adapters", SETTINGS_FILE, "settings.tmp",
    "settings.lock",
    "models.json", "models.tmp", "models.lock", "api-token",
)
OWNER_ENTRIES = (LOCK_FILE, OWNER_FILE, "owner.tmp")
# Run files that are metadata (exported); the rest of a run folder is data or weights.
RUN_METADATA = ("state.json", "metrics.jsonl")
EXPORT_README = __doc__.split("What an export holds", 1)[1].split("What ``delete_everything``")[0]


# --- sizes -------------------------------------------------------------------------------
def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def disk_bytes(path: Path) -> int:
    """Bytes under ``path`` (a file or folder; links inside are not followed)."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            item = Path(root, name)
            if not item.is_symlink():
                total += item.stat().st_size
    return total


# --- what is kept ------------------------------------------------------------------------
def _playback_pairs(home: Path) -> int:
    if not playback_cache_file(home).exists():
        return 0
    cache = playback_cache(home)
    try:
        return cache.count()
    finally:
        cache.close()


def data_summary(store: Store) -> dict:
    """What is indexed and kept, for the privacy page: sources with counts, own/other mail,
    training data, adapters, pending feedback and the size of each part on disk."""
    home = store.home
    stats = store.stats()
    conn = store.catalogue.conn
    runs = list_runs(home)
    last = next((run for run in reversed(runs) if run.get("dataset")), None)
    registry = load_registry(home)
    adapters = registry.get("adapters", {})
    sizes = {
        "catalogue": stats["catalogue_bytes"],
        "index": stats["index_bytes"],
        "trainer": disk_bytes(home / "trainer") if (home / "trainer").exists() else 0,
        "adapters": disk_bytes(home / "adapters") if (home / "adapters").exists() else 0,
        "settings": sum(disk_bytes(home / name) for name in (SETTINGS_FILE, "models.json")
                        if (home / name).exists()),
    }
    cache = home / MODEL_CACHE
    return {
        "home": str(home),
        "messages": stats["messages"],
        "own_messages": stats["own_messages"],
        "other_messages": stats["other_messages"],
        "documents": stats["documents"],
        "threads": stats["threads"],
        "senders": store.catalogue.count("SELECT COUNT(DISTINCT from_addr) FROM messages"),
        "first_date": stats["first_date"],
        "last_date": stats["last_date"],
        "identity": stats["identity"],
        "forgotten": conn.execute("SELECT COUNT(*) FROM suppressions").fetchone()[0],
        "sources": stats["sources"],
        "training": {
            "playback_pairs": _playback_pairs(home),
            "runs": len(runs),
            "last_run_train_examples": (last or {}).get("dataset", {}).get("train_examples"),
            "last_run_held_out_examples": (last or {}).get("dataset", {}).get(
                "held_out_examples"),
            "adapters": len(adapters),
            "active_adapters": len(registry.get("active", {})),
            "pending_feedback": len(pending_feedback(trained_feedback_ids(home), home)),
        },
        "sizes": sizes,
        "personal_bytes": sum(sizes.values()),
        "model_cache_bytes": disk_bytes(cache) if cache.exists() else 0,
    }


def senders(store: Store) -> list[dict]:
    """Everyone whose mail is kept: address, name, messages, most first."""
    return [dict(row) for row in store.catalogue.conn.execute(
        """SELECT from_addr AS address, MAX(from_name) AS name, COUNT(*) AS messages,
                  SUM(is_own) AS own FROM messages GROUP BY from_addr
           ORDER BY messages DESC, from_addr""")]


def threads(store: Store) -> list[dict]:
    """Conversations kept: id, subject, messages, newest date (unix seconds), newest first."""
    return [dict(row) for row in store.catalogue.conn.execute(
        """SELECT thread_id AS thread, MIN(subject) AS subject, COUNT(*) AS messages,
                  MAX(date) AS last_date, GROUP_CONCAT(DISTINCT from_addr) AS people
           FROM messages GROUP BY thread_id ORDER BY last_date DESC""")]


# --- forgetting --------------------------------------------------------------------------
@dataclass
class Forgotten:
    result: ForgetResult
    playback_pairs_removed: int = 0
    runs_discarded: list[str] = field(default_factory=list)
    run_data_removed: list[str] = field(default_factory=list)
    feedback_quotes_removed: int = 0
    eval_samples_removed: int = 0  # forgotten emails quoted in evaluation reports


def forget(store: Store, **what: str) -> Forgotten:
    """``Store.forget`` (sender= / thread= / source= / message=), then the training data
    derived from the forgotten mail (see ``purge_training_data``). Forgetting a sender also
    removes their emails quoted in accepted drafts (the user's own text stays)."""
    result = store.forget(**what)
    outcome = purge_training_data(store, Forgotten(result))
    if what.get("sender"):
        outcome.feedback_quotes_removed = drop_quotes_from(what["sender"], store.home)
    return outcome


def purge_training_data(store: Store, outcome: Forgotten | None = None) -> Forgotten:
    """Remove what the trainer keeps of mail no longer in the catalogue.

    - The playback cache (``trainer/playback.sqlite``) is keyed by content, so a forgotten
      email would never be *trained on* from it (each run rebuilds its dataset from the
      store's emails), but its row still holds the instruction with facts copied from the
      email: those rows are deleted.
    - A run folder freezes its pairs (``pairs.json``: the mail, its instructions and the
      retrieved context) and their token ids (``data.json``) when it is prepared; a paused
      run resumed after a forget would still train on the forgotten mail. A run not yet
      registered that holds a forgotten email is discarded (its data, checkpoint and any
      adapter it exported removed, status ``discarded``: the next run starts afresh from
      the store); a finished run's frozen data is only ever read by its own training, so it
      is removed.
    - Evaluation reports quote held-out emails as samples: a forgotten one is taken out
      and the report written again (the scores stay as measured).
    - Adapters already trained keep what they learned; only a new run without the mail
      changes that.
    """
    outcome = outcome or Forgotten(ForgetResult())
    home = store.home
    kept = {row[0] for row in store.catalogue.conn.execute("SELECT uid FROM messages")}
    if playback_cache_file(home).exists():
        cache = playback_cache(home)
        try:
            outcome.playback_pairs_removed = cache.keep_only(kept)
        finally:
            cache.close()
    for run in list_runs(home):
        run_dir = runs_dir(home) / run["id"]
        frozen = [run_dir / name for name in FROZEN_DATA if (run_dir / name).exists()]
        if not frozen:
            continue
        if run.get("status") in NOT_REGISTERED:
            if not any(_holds_forgotten(path, kept) for path in frozen):
                continue
            discard_run(run_dir, "mail it was prepared from was forgotten")
            outcome.runs_discarded.append(run["id"])
        for path in frozen:
            path.unlink(missing_ok=True)
        outcome.run_data_removed.append(run["id"])
    from trainer.report import scrub_reports

    outcome.eval_samples_removed = scrub_reports(home / "trainer" / "eval", kept)
    return outcome


# The states in which a run has not reached drafting.
NOT_REGISTERED = (*UNFINISHED, "trained")


def _holds_forgotten(data: Path, kept: set[str]) -> bool:
    frozen = json.loads(data.read_text())
    return any(not item["email_id"].startswith("fb-") and item["email_id"] not in kept
               for part in ("train", "held_out") for item in frozen.get(part, []))


# --- export ------------------------------------------------------------------------------
class _Sink:
    """Files into a folder or a zip, by relative name."""

    def __init__(self, destination: Path):
        self.destination = destination
        self.zip: zipfile.ZipFile | None = None
        if destination.suffix.lower() == ".zip":
            destination.parent.mkdir(parents=True, exist_ok=True)
            self.zip = zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED)
        else:
            if destination.exists() and any(destination.iterdir()):
                raise FileExistsError(f"{destination}: choose an empty or new folder")
            destination.mkdir(parents=True, exist_ok=True)
        self.names: list[str] = []

    def write_text(self, name: str, pieces: Iterable[str]) -> None:
        self.names.append(name)
        if self.zip is not None:
            with self.zip.open(name, "w") as raw, io.TextIOWrapper(raw, "utf-8") as out:
                out.writelines(pieces)
        else:
            path = self.destination / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as out:
                out.writelines(pieces)

    def copy(self, name: str, source: Path) -> None:
        self.names.append(name)
        if self.zip is not None:
            self.zip.write(source, name)
        else:
            path = self.destination / name
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, path)

    def close(self, keep: bool = True) -> None:
        if self.zip is not None:
            self.zip.close()
            if not keep:
                self.destination.unlink(missing_ok=True)
        elif not keep:
            shutil.rmtree(self.destination, ignore_errors=True)


@dataclass
class ExportResult:
    destination: Path
    files: list[str]
    messages: int
    documents: int


def export_everything(store: Store, destination: Path, *,
                      progress: ProgressCallback = ignore_progress,
                      cancel: CancelToken | None = None,
                      include_adapters: bool = True) -> ExportResult:
    """Write everything the user's data home holds about them (see the module docstring) to
    ``destination``: a ``.zip`` file, or else a new or empty folder. A cancelled export
    leaves nothing behind."""
    home = store.home
    destination = Path(destination).expanduser()
    sink = _Sink(destination)
    counted = {"messages": 0}
    steps = ["mail", "mbox", "documents", "catalogue", "settings", "trainer", "adapters"]

    def step(index: int, detail: str) -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(Progress("export", index, len(steps), detail=detail))

    def checked(pieces: Iterable[str], count: bool = False) -> Iterable[str]:
        for number, piece in enumerate(pieces):
            if cancel is not None and number % 200 == 0:
                cancel.raise_if_cancelled()
            counted["messages"] += count
            yield piece

    ok = False
    try:
        sink.write_text("README.txt", ["Amanuensis export of ", str(home), "\n",
                                       "What an export holds", EXPORT_README])
        step(0, "your mail as JSON lines")
        sink.write_text("mail.jsonl", checked(to_jsonl(store.records()), count=True))
        step(1, "your mail as mbox")
        sink.write_text("mail.mbox", checked(to_mbox(store.records())))
        step(2, "documents")
        documents = [dict(row) for row in store.catalogue.conn.execute(
            "SELECT uid AS id, path, title, date, text FROM documents ORDER BY date, id")]
        sink.write_text("documents.jsonl",
                        (json.dumps(d, ensure_ascii=False) + "\n" for d in documents))
        step(3, "sources, addresses and what was forgotten")
        summary = data_summary(store)
        forgotten = [dict(row) for row in store.catalogue.conn.execute(
            "SELECT kind, value, created_at FROM suppressions ORDER BY created_at")]
        sink.write_text("catalogue.json", [json.dumps(
            {"summary": summary, "forgotten": forgotten}, indent=2, ensure_ascii=False)])
        step(4, "settings")
        for name in (SETTINGS_FILE, "models.json"):
            if (home / name).is_file():
                sink.copy(name, home / name)
        step(5, "training data and runs")
        if feedback_file(home).is_file():
            sink.copy("trainer/feedback.jsonl", feedback_file(home))
        if playback_cache_file(home).is_file():
            sink.write_text("trainer/playback.jsonl", _playback_rows(home))
        for run in list_runs(home):
            for name in RUN_METADATA:
                source = runs_dir(home) / run["id"] / name
                if source.is_file():
                    sink.copy(f"trainer/runs/{run['id']}/{name}", source)
        evals = home / "trainer" / "eval"
        for source in sorted(evals.rglob("*")) if evals.is_dir() else []:
            if source.is_file():
                sink.copy(f"trainer/eval/{source.relative_to(evals).as_posix()}", source)
        step(6, "adapters")
        if registry_file(home).is_file():
            sink.copy("adapters/registry.json", registry_file(home))
        if include_adapters:
            for ident, entry in load_registry(home).get("adapters", {}).items():
                path = Path(entry.get("path", ""))
                if not path.is_absolute():
                    path = registry_file(home).parent / path
                if path.is_file():
                    sink.copy(f"adapters/{ident}/{path.name}", path)
        progress(Progress("export", len(steps), len(steps), detail="done"))
        ok = True
    finally:
        sink.close(keep=ok)
    return ExportResult(destination, sink.names, counted["messages"], len(documents))


def _playback_rows(home: Path) -> Iterable[str]:
    cache = playback_cache(home)
    try:
        for row in cache.rows():
            yield json.dumps(row, ensure_ascii=False) + "\n"
    finally:
        cache.close()


# --- delete ------------------------------------------------------------------------------
@dataclass
class Deleted:
    removed: list[str]
    kept: list[str]  # entries left in the data home, each with the reason


def planned_deletion(home: Path, include_model_cache: bool = False) -> tuple[list[str], list[str]]:
    """(what ``delete_everything`` would remove, what it would leave), for the confirmation."""
    removed, kept = [], []
    for entry in sorted(home.iterdir()) if home.exists() else []:
        if entry.name in OWNER_ENTRIES:
            continue  # the running app's claim on the home: nothing of the user's
        if entry.name == MODEL_CACHE and not include_model_cache:
            kept.append(f"{entry.name} (public base models, nothing learned from you)")
        elif entry.name in APP_ENTRIES or entry.name == MODEL_CACHE:
            removed.append(entry.name)
        else:
            kept.append(f"{entry.name} (not written by Amanuensis)")
    return removed, kept


def delete_everything(home: Path, *, include_model_cache: bool = False,
                      before: Callable[[], None] | None = None) -> Deleted:
    """Remove every file Amanuensis keeps under ``home`` (see the module docstring).

    Close every ``Store`` on this home first (``before`` is called first for that): the
    catalogue and the index are deleted underneath it otherwise, and chromadb keeps a
    per-process cache of the index it has opened, which is cleared here.
    """
    if before is not None:
        before()
    home = Path(home)
    names, kept = planned_deletion(home, include_model_cache)
    for name in names:
        path = home / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        else:
            shutil.rmtree(path)
    _forget_open_indexes(home)
    return Deleted(names, kept)


def _forget_open_indexes(home: Path) -> None:
    """chromadb caches one client system per path for the process; a fresh index at the same
    path must not reuse the deleted one's."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:  # pragma: no cover - another chromadb layout
        return
    index = str(home / "index")
    cache = getattr(SharedSystemClient, "_identifier_to_system", {})
    for identifier in [key for key in cache if str(key) == index]:
        getattr(SharedSystemClient, "_identifier_to_refcount", {}).pop(identifier, None)
        system = cache.pop(identifier)
        with contextlib.suppress(Exception):  # its files are gone already
            system.stop()
