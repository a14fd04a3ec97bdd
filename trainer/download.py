"""Downloading a catalogued model, only when the user asks: resumable, verified, then added.

The transfer goes through ``huggingface_hub`` (its metadata call, HTTP client, retries and
``HF_ENDPOINT``), not a downloader of our own. Its ``hf_hub_download`` deletes a partial file
when a download stops, so a cancelled 5 GB download would start again from nothing; we keep
the partial file ourselves under ``<home>/downloads/`` and hand ``http_get`` the offset.

Nothing half-written ever lies in ``<home>/models/``: the file is moved there only after
its SHA-256 matched. Everything else in the program stays offline; the hub's offline switch
is lifted for this call alone.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.jobs import Cancelled, CancelToken, Progress, ProgressCallback, ignore_progress
from store.settings import data_home
from trainer.engine.curated import CuratedModel, curated_model
from trainer.engine.models import ModelCatalogue, ModelError, ModelInfo, read_gguf_info

_SHA256 = re.compile(r"[0-9a-f]{64}")
DISK_MARGIN = 200 * 2**20  # left free after the download
# The hub reads 10 MB at a time: a dropped connection loses up to that much, and a cancel
# waits for it. 1 MB keeps both small at no measurable cost.
CHUNK_BYTES = 2**20
_online_lock = threading.Lock()


class DownloadError(ModelError):
    """A download that could not finish, with what happened and what was kept."""


def downloads_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / "downloads"


def partial_files(home: Path | None = None) -> list[Path]:
    folder = downloads_dir(home)
    return sorted(folder.glob("*.part")) if folder.is_dir() else []


def download_model(name: str, *, home: Path | None = None, catalogue: Path | None = None,
                   endpoint: str | None = None, token: str | None = None,
                   progress: ProgressCallback = ignore_progress,
                   cancel: CancelToken | None = None) -> ModelInfo:
    """Download catalogue model ``name`` into the data home and add it to the user's models.

    Resumes a partial download of the same file and revision. Raises ``Cancelled`` (the
    partial file is kept for the next try) or ``DownloadError``.
    """
    home = Path(home or data_home())
    model = curated_model(name, catalogue)
    cancel = cancel or CancelToken()
    target = home / "models" / model.file
    installed = _installed(model, home)
    if installed is not None:
        return installed
    endpoint = endpoint or os.environ.get("HF_ENDPOINT") or None
    with _online():
        meta = _metadata(model, endpoint, token)
        expected_sha = _expected_sha(model, meta)
        size = model.size_bytes or meta.size
        part = downloads_dir(home) / f"{model.file}.{(expected_sha or meta.commit_hash)[:16]}.part"
        part.parent.mkdir(parents=True, exist_ok=True)
        done = part.stat().st_size if part.exists() else 0
        if size is not None and done > size:
            part.unlink()
            done = 0
        _check_disk(part.parent, target.parent, (size or 0) - done, model)
        _transfer(meta.location, part, done, size, token, progress, cancel, model)
    digest = _sha256(part, progress, cancel)
    if expected_sha and digest != expected_sha:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"{model.file} from {model.repo}: SHA-256 mismatch (expected {expected_sha}, got "
            f"{digest}); the file was discarded and nothing was added")
    try:
        read_gguf_info(part)  # a file llama.cpp can load, before it joins the models folder
    except ModelError as exc:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{model.file} from {model.repo}: {exc}; the file was discarded "
                            "and nothing was added") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(part, target)
    source = {"repo": model.repo, "revision": meta.commit_hash or model.revision,
              "file": model.file, "sha256": digest, "license": model.license,
              "hash_from": "catalogue" if model.sha256 else "hub" if expected_sha else "download"}
    return ModelCatalogue(home).add(target, name=model.name, source=source)


def _installed(model: CuratedModel, home: Path) -> ModelInfo | None:
    """The model, if it is already downloaded and added with the hash it should have."""
    catalogue = ModelCatalogue(home)
    if model.name not in catalogue.names():
        return None
    try:
        info = catalogue.info(model.name)
    except ModelError:
        return None
    recorded = catalogue.source(model.name) or {}
    if model.sha256 and recorded.get("sha256") != model.sha256:
        return None
    return info


@contextmanager
def _online() -> Iterator[None]:
    """Lift the hub's offline switch (HF_HUB_OFFLINE, set for the whole program) while the
    user's download runs; one download at a time flips it."""
    from huggingface_hub import constants

    with _online_lock:
        before = constants.HF_HUB_OFFLINE, constants.DOWNLOAD_CHUNK_SIZE
        constants.HF_HUB_OFFLINE, constants.DOWNLOAD_CHUNK_SIZE = False, CHUNK_BYTES
        try:
            yield
        finally:
            constants.HF_HUB_OFFLINE, constants.DOWNLOAD_CHUNK_SIZE = before


def _metadata(model: CuratedModel, endpoint: str | None, token: str | None):
    import httpx2
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    where = f"{model.repo}/{model.file}@{(model.revision or 'main')[:12]}"
    url = hf_hub_url(model.repo, model.file, revision=model.revision or "main",
                     endpoint=endpoint)
    try:
        return get_hf_file_metadata(url, token=token, timeout=20)
    except GatedRepoError as exc:
        raise DownloadError(f"{where}: the repository is gated; accept its licence on the "
                            "hub and log in (hf auth login), then try again") from exc
    except RepositoryNotFoundError as exc:
        raise DownloadError(f"{where}: no such repository on the hub") from exc
    except RevisionNotFoundError as exc:
        raise DownloadError(f"{where}: the pinned revision is not on the hub") from exc
    except EntryNotFoundError as exc:
        raise DownloadError(f"{where}: no such file at that revision (404)") from exc
    except HfHubHTTPError as exc:
        raise DownloadError(f"{where}: the hub answered {exc}") from exc
    except (httpx2.HTTPError, OSError) as exc:
        raise DownloadError(f"{where}: cannot reach {url.split('/')[2]} ({exc}); check the "
                            "network connection") from exc


def _expected_sha(model: CuratedModel, meta) -> str | None:
    """The catalogue's hash; where it has none, the one the hub reports for the revision (an
    LFS file's ETag is its SHA-256)."""
    hub = (meta.etag or "").strip('"').lower()
    hub = hub if _SHA256.fullmatch(hub) else None
    if model.sha256 and hub and hub != model.sha256:
        raise DownloadError(
            f"{model.repo}/{model.file}: the hub reports SHA-256 {hub}, the catalogue pins "
            f"{model.sha256}; the file changed at that revision, so nothing was downloaded")
    if model.size_bytes and meta.size and meta.size != model.size_bytes:
        raise DownloadError(
            f"{model.repo}/{model.file}: the hub reports {meta.size} bytes, the catalogue "
            f"pins {model.size_bytes}; nothing was downloaded")
    return model.sha256 or hub


def _check_disk(partial_dir: Path, models_dir: Path, remaining: int, model) -> None:
    models_dir.mkdir(parents=True, exist_ok=True)
    free = min(shutil.disk_usage(partial_dir).free, shutil.disk_usage(models_dir).free)
    if remaining + DISK_MARGIN > free:
        raise DownloadError(
            f"{model.file}: needs {remaining / 2**30:.2f} GB more, {free / 2**30:.2f} GB is "
            f"free in {partial_dir}; free some space and try again")


def _transfer(url: str, part: Path, done: int, size: int | None, token: str | None,
              progress: ProgressCallback, cancel: CancelToken, model: CuratedModel) -> None:
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    def meter(**kwargs):
        return _Meter(kwargs.get("total") or size, kwargs.get("initial", done), progress,
                      cancel)

    try:
        with part.open("ab") as handle:
            http_get(url, handle, resume_size=done, expected_size=size,
                     headers=build_hf_headers(token=token), displayed_filename=model.file,
                     tqdm_class=meter)  # type: ignore[arg-type]
    except Cancelled:
        raise
    except OSError as exc:
        kept = part.stat().st_size if part.exists() else 0
        if exc.errno == errno.ENOSPC:
            raise DownloadError(f"{model.file}: the disk is full ({part.parent}); "
                                f"{kept / 2**20:.0f} MB kept to resume from") from exc
        if "Consistency check failed" in str(exc):
            part.unlink(missing_ok=True)
            raise DownloadError(f"{model.file}: the server sent a different length than it "
                                "announced; the partial file was discarded") from exc
        raise DownloadError(f"{model.file}: {exc}; {kept / 2**20:.0f} MB kept to resume "
                            "from") from exc
    except (httpx2.HTTPError, HfHubHTTPError) as exc:
        kept = part.stat().st_size if part.exists() else 0
        raise DownloadError(f"{model.file}: the connection failed ({exc}); "
                            f"{kept / 2**20:.0f} MB kept, run the download again to resume "
                            "from there") from exc


class _Meter:
    """What ``http_get`` takes for a progress bar: reports bytes, rate and time left, and
    stops the transfer (keeping what arrived) when the token is cancelled."""

    def __init__(self, total: int | None, initial: int, progress: ProgressCallback,
                 cancel: CancelToken):
        self.total, self.done, self.start_bytes = total, initial, initial
        self.progress, self.cancel = progress, cancel
        self.started = self.last = time.monotonic()

    def __enter__(self) -> _Meter:
        return self

    def __exit__(self, *exc) -> None:
        self._emit()

    def update(self, count: int = 1) -> None:
        self.cancel.raise_if_cancelled()
        self.done += count
        if time.monotonic() - self.last >= 0.2:
            self._emit()

    def _emit(self) -> None:
        self.last = time.monotonic()
        rate = (self.done - self.start_bytes) / max(1e-6, self.last - self.started)
        eta = (self.total - self.done) / rate if self.total and rate > 0 else None
        self.progress(Progress("downloading", self.done, self.total, rate, eta))


def _sha256(path: Path, progress: ProgressCallback, cancel: CancelToken) -> str:
    digest = hashlib.sha256()
    size = path.stat().st_size
    done, started = 0, time.monotonic()
    with path.open("rb") as handle:
        while chunk := handle.read(8 * 2**20):
            cancel.raise_if_cancelled()
            digest.update(chunk)
            done += len(chunk)
            rate = done / max(1e-6, time.monotonic() - started)
            progress(Progress("verifying", done, size, rate, (size - done) / rate))
    return digest.hexdigest()
