"""The model manager's service, without Qt: the catalogue as the Models page shows it (with
the doctor's estimates, what is downloaded and what is half-downloaded) and a download as a
generator of progress events that ends with the added model."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path

from app.doctor import doctor_report
from store.jobs import CancelToken, Progress
from store.settings import data_home
from trainer.download import download_model, downloads_dir
from trainer.engine.curated import load_curated
from trainer.engine.models import ModelCatalogue, ModelInfo


def library(home: Path | None = None, *, measure: bool = True,
            catalogue: Path | None = None) -> dict:
    """The doctor's report, each catalogue row with ``installed``, ``partial_bytes`` and
    the entry's licence terms, and the rows marked with the recommendation."""
    home = Path(home or data_home())
    report = doctor_report(home, measure=measure, catalogue=catalogue)
    entries = {model.name: model for model in load_curated(catalogue)}
    installed = set(ModelCatalogue(home).names())
    partial = downloads_dir(home)
    for row in report["catalogue"]:
        model = entries[row["name"]]
        parts = list(partial.glob(f"{model.file}.*.part")) if partial.is_dir() else []
        row.update(installed=row["name"] in installed,
                   partial_bytes=sum(path.stat().st_size for path in parts),
                   local_use=model.local_use, license_url=model.license_url,
                   repo=model.repo, hash_confirmed=model.hash_confirmed)
        row["recommended"] = [use for use in ("drafting", "training")
                              if report["recommendation"][use] == row["name"]]
    return report


def download_steps(name: str, home: Path | None = None, *, endpoint: str | None = None,
                   catalogue: Path | None = None,
                   cancel: CancelToken | None = None) -> Iterator[Progress]:
    """``download_model`` as a generator: yields its progress events and returns the added
    model's ``ModelInfo``. Closing the generator (a cancelled op) cancels the download,
    which keeps what arrived for next time."""
    token = (cancel or CancelToken()).child()
    events: queue.Queue = queue.Queue()
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["info"] = download_model(name, home=home, endpoint=endpoint,
                                             catalogue=catalogue, progress=events.put,
                                             cancel=token)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            outcome["error"] = exc
        finally:
            events.put(None)

    worker = threading.Thread(target=run, name=f"download {name}", daemon=True)
    worker.start()
    try:
        while (event := events.get()) is not None:
            yield event
    finally:
        if worker.is_alive():  # closed early: the op was cancelled
            token.cancel()
        worker.join()
    if "error" in outcome:
        raise outcome["error"]
    info: ModelInfo = outcome["info"]
    return info
