"""Downloading a catalogued model through huggingface_hub, against a hub on loopback."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from store.jobs import Cancelled, CancelToken
from trainer.download import DownloadError, download_model, partial_files
from trainer.engine.models import ModelCatalogue

REPO = "test-org/tiny-GGUF"


def tiny_gguf(path: Path, width: int = 64, rows: int = 4096) -> bytes:
    """A small valid GGUF (one tensor of ``rows x width`` floats) made with the gguf package."""
    import gguf

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(256)
    writer.add_block_count(1)
    writer.add_tensor("token_embd.weight",
                      np.random.default_rng(0).standard_normal((rows, width)).astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path.read_bytes()


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """The hub client's read size, scaled down with the 1 MB test file."""
    monkeypatch.setattr("trainer.download.CHUNK_BYTES", 64 * 1024)


@pytest.fixture
def model_bytes(tmp_path) -> bytes:
    return tiny_gguf(tmp_path / "source.gguf")  # about 1 MB


def catalogue(tmp_path: Path, **entry) -> Path:
    path = tmp_path / "catalogue.json"
    model = {"name": "tiny", "display_name": "Tiny", "architecture": "llama",
             "parameters_b": 0.0003, "quantization": "F32", "repo": REPO, "file": "tiny.gguf",
             "license": "apache-2.0", "chat_format": "chatml", "context_length": 256,
             "fits": ["drafting"], **entry}
    path.write_text(json.dumps({"schema": 1, "models": [model]}))
    return path


def test_a_download_is_verified_added_and_kept_out_of_the_models_folder_until_then(
        hub, model_bytes, tmp_path):
    hosted = hub.host(REPO, "tiny.gguf", model_bytes)
    events = []
    info = download_model("tiny", home=tmp_path / "dl-home", endpoint=hub.url,
                          catalogue=catalogue(tmp_path, sha256=hosted.sha256,
                                              size_bytes=len(model_bytes)),
                          progress=events.append)
    assert Path(info.path) == (tmp_path / "dl-home" / "models" / "tiny.gguf").resolve()
    assert Path(info.path).read_bytes() == model_bytes
    assert info.architecture == "llama"
    source = ModelCatalogue(tmp_path / "dl-home").source("tiny")
    assert source["sha256"] == hosted.sha256 and source["revision"] == hosted.commit
    assert source["hash_from"] == "catalogue"
    downloading = [event for event in events if event.phase == "downloading"]
    assert downloading[-1].done == downloading[-1].total == len(model_bytes)
    assert any(event.phase == "verifying" for event in events)
    assert not partial_files(tmp_path / "dl-home")
    # Asked again, nothing is fetched.
    sent = hub.bytes_sent
    download_model("tiny", home=tmp_path / "dl-home", endpoint=hub.url,
                   catalogue=catalogue(tmp_path, sha256=hosted.sha256))
    assert hub.bytes_sent == sent


def test_a_dropped_connection_resumes_where_it_stopped(hub, model_bytes, tmp_path):
    hosted = hub.host(REPO, "tiny.gguf", model_bytes, drop_after=[300_000])
    info = download_model("tiny", home=tmp_path / "dl-home", endpoint=hub.url,
                          catalogue=catalogue(tmp_path, sha256=hosted.sha256))
    assert Path(info.path).read_bytes() == model_bytes
    # It resumed from the last whole chunk it had written, not from the start.
    assert hub.ranges[0] is None and hub.ranges[1] == f"bytes={4 * 64 * 1024}-"
    assert hub.bytes_sent < len(model_bytes) + 64 * 1024


def test_a_cancelled_download_keeps_its_part_and_the_next_one_resumes(hub, model_bytes,
                                                                      tmp_path):
    hosted = hub.host(REPO, "tiny.gguf", model_bytes, delay_s=0.05)
    token = CancelToken()
    home = tmp_path / "dl-home"
    listed = catalogue(tmp_path)  # no pinned hash: the hub's is taken and recorded

    def cancel_midway(event) -> None:
        if event.phase == "downloading" and event.done > 400_000:
            token.cancel()

    with pytest.raises(Cancelled):
        download_model("tiny", home=home, endpoint=hub.url, catalogue=listed,
                       progress=cancel_midway, cancel=token)
    [part] = partial_files(home)
    kept = part.stat().st_size
    assert 400_000 < kept < len(model_bytes)
    assert not (home / "models" / "tiny.gguf").exists()
    assert "tiny" not in ModelCatalogue(home).names()
    hosted.delay_s = 0
    info = download_model("tiny", home=home, endpoint=hub.url, catalogue=listed)
    assert Path(info.path).read_bytes() == model_bytes
    assert hub.ranges[-1] == f"bytes={kept}-"
    assert ModelCatalogue(home).source("tiny")["hash_from"] == "hub"
    assert not partial_files(home)


def test_a_wrong_hash_is_refused_and_nothing_is_left(hub, model_bytes, tmp_path):
    hub.host(REPO, "tiny.gguf", model_bytes)
    home = tmp_path / "dl-home"
    # The catalogue pins one hash, the hub reports another: refused before any byte.
    with pytest.raises(DownloadError, match="the catalogue pins"):
        download_model("tiny", home=home, endpoint=hub.url,
                       catalogue=catalogue(tmp_path, sha256="0" * 64))
    assert hub.bytes_sent == 0
    # The hub's own report is wrong about the bytes it sends: found after, discarded.
    expected = hashlib.sha256(model_bytes).hexdigest()
    hub.host(REPO, "tiny.gguf", model_bytes[:-4] + b"\0\0\0\0", reported_sha256=expected)
    with pytest.raises(DownloadError, match="SHA-256 mismatch") as refused:
        download_model("tiny", home=home, endpoint=hub.url,
                       catalogue=catalogue(tmp_path, sha256=expected))
    assert "tiny.gguf" in str(refused.value) and "discarded" in str(refused.value)
    assert not partial_files(home)
    assert not (home / "models" / "tiny.gguf").exists()
    assert "tiny" not in ModelCatalogue(home).names()


def test_a_file_that_is_not_a_model_never_joins_the_models_folder(hub, tmp_path):
    not_a_model = b"<html>Sign in to continue</html>" * 100
    hub.host(REPO, "tiny.gguf", not_a_model)  # no pinned hash: the hub's own is taken
    home = tmp_path / "dl-home"
    with pytest.raises(DownloadError, match="not a GGUF model file") as refused:
        download_model("tiny", home=home, endpoint=hub.url, catalogue=catalogue(tmp_path))
    assert "discarded" in str(refused.value)
    assert not partial_files(home) and not (home / "models" / "tiny.gguf").exists()


def test_missing_files_gated_repositories_and_no_network_get_clear_errors(hub, model_bytes,
                                                                          tmp_path):
    hub.host(REPO, "other.gguf", model_bytes)
    home = tmp_path / "dl-home"
    with pytest.raises(DownloadError, match="no such file at that revision"):
        download_model("tiny", home=home, endpoint=hub.url, catalogue=catalogue(tmp_path))
    with pytest.raises(DownloadError, match="revision is not on the hub"):
        hub.host(REPO, "tiny.gguf", model_bytes)
        download_model("tiny", home=home, endpoint=hub.url,
                       catalogue=catalogue(tmp_path, revision="b" * 40))
    with pytest.raises(DownloadError, match="no such repository"):
        download_model("tiny", home=home, endpoint=hub.url,
                       catalogue=catalogue(tmp_path, repo="nobody/nothing"))
    hub.gated.add(REPO)
    with pytest.raises(DownloadError, match="gated"):
        download_model("tiny", home=home, endpoint=hub.url, catalogue=catalogue(tmp_path))
    with pytest.raises(DownloadError, match="cannot reach 127.0.0.1:9"):
        download_model("tiny", home=home, endpoint="http://127.0.0.1:9",
                       catalogue=catalogue(tmp_path))
    assert not (home / "models" / "tiny.gguf").exists()


def test_a_full_disk_is_refused_before_downloading(hub, model_bytes, tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    hub.host(REPO, "tiny.gguf", model_bytes)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9, 50 * 2**20))
    with pytest.raises(DownloadError, match="GB is free"):
        download_model("tiny", home=tmp_path / "dl-home", endpoint=hub.url,
                       catalogue=catalogue(tmp_path))
    assert hub.bytes_sent == 0


def test_removing_a_downloaded_model_deletes_its_file(hub, model_bytes, tmp_path):
    hub.host(REPO, "tiny.gguf", model_bytes)
    home = tmp_path / "dl-home"
    info = download_model("tiny", home=home, endpoint=hub.url, catalogue=catalogue(tmp_path))
    ModelCatalogue(home).remove("tiny")
    assert not Path(info.path).exists()
