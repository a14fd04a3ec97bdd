"""An interrupted import (cancelled, or killed outright) resumes without loss or duplicates."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.api import Store
from store.jobs import CancelToken
from tests.conftest import REPO, require_shared_account

pytestmark = pytest.mark.slow


def _snapshot(home: Path) -> dict:
    with Store(home) as store:
        conn = store.catalogue.conn
        return {
            "messages": sorted(r[0] for r in conn.execute("SELECT uid FROM messages")),
            "chunks": sorted(r[0] for r in conn.execute("SELECT id FROM chunks")),
            "unindexed": conn.execute("SELECT COUNT(*) FROM chunks WHERE indexed=0").fetchone()[0],
            "indexed": conn.execute("SELECT COUNT(*) FROM chunks WHERE indexed=1").fetchone()[0],
            "vectors": store.index.count(),
        }


def test_cancel_midway_then_resume_matches_an_uninterrupted_import(tmp_path):
    account = require_shared_account()
    paths = [account / "sent_items.mbox", account / "notes_inbox.mbox"]
    reference = tmp_path / "reference"
    with Store(reference) as store:
        assert store.import_paths(paths).status == "completed"

    home = tmp_path / "resumed"
    token = CancelToken()

    def cancel_after_some(event):
        if event.phase == "reading" and event.done >= 150:
            token.cancel()

    with Store(home) as store:
        first = store.import_paths(paths, progress=cancel_after_some, cancel=token)
        assert first.status == "cancelled"
        assert store.stats()["messages"] > 0
        second = store.import_paths(paths)
    assert second.status == "completed"
    assert second.already_imported >= 150
    assert _snapshot(home) == _snapshot(reference)


def test_killed_import_resumes_without_duplicates(tmp_path):
    account = require_shared_account()
    paths = [str(account / "sent_items.mbox"), str(account / "inbox.mbox")]
    home = tmp_path / "killed"
    env = dict(os.environ, AMANUENSIS_HOME=str(home), PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "app", "import", *paths],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    catalogue = home / "catalogue.sqlite3"
    deadline = time.monotonic() + 180
    indexed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if not catalogue.exists():
            continue
        try:
            with sqlite3.connect(catalogue, timeout=1) as conn:
                indexed = conn.execute("SELECT COUNT(*) FROM chunks WHERE indexed=1").fetchone()[0]
        except sqlite3.Error:
            continue
        if indexed >= 64:
            break
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert indexed >= 64

    result = subprocess.run([sys.executable, "-m", "app", "import", *paths, "--json"],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    reference = tmp_path / "reference"
    with Store(reference) as store:
        store.import_paths([Path(p) for p in paths])
    resumed = _snapshot(home)
    assert resumed["unindexed"] == 0
    assert resumed["vectors"] == resumed["indexed"]
    assert resumed == _snapshot(reference)
