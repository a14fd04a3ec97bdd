"""One owner per data home: a second writer is refused with the owner named, a lock left
by a dead process is taken over, the owner's own training process works for it, and a
draft asked for on the command line goes through the owner's local API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.owner import OWNER_ENV, HomeOwned, claim_home, delegate_env, read_owner, release_home

ROOT = Path(__file__).resolve().parents[1]


def _cli(home: Path, *args: str, env: dict | None = None, timeout: float = 120):
    environment = {k: v for k, v in os.environ.items() if k != OWNER_ENV}
    environment.update({"AMANUENSIS_HOME": str(home), **(env or {})})
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=timeout)
    return done, time.monotonic() - started


@pytest.fixture
def owned(tmp_path):
    claim = claim_home(tmp_path, role="desktop")
    yield tmp_path, claim
    release_home(tmp_path)


def test_a_second_writer_is_refused_with_the_owner_named(owned):
    home, claim = owned
    assert claim_home(home) is claim  # the owner asking again is not a second writer
    done, seconds = _cli(home, "identity", "--set", "me@example.org")
    assert done.returncode == 3, done.stderr
    assert f"pid {os.getpid()}" in done.stderr and "desktop app" in done.stderr
    assert "quit it from its tray menu" in done.stderr
    assert not (home / "catalogue.sqlite3").exists()  # refused before opening anything
    print(f"refused in {seconds:.2f} s")
    # Reading is not writing: stats opens the catalogue read-only and answers.
    reading, _ = _cli(home, "stats", "--json")
    assert reading.returncode == 0, reading.stderr
    assert read_owner(home).pid == os.getpid() and read_owner(home).role == "desktop"


def test_a_process_the_owner_starts_works_for_it_and_no_other_does(owned):
    home, _ = owned
    code = ("import sys; from store.owner import claim_home, HomeOwned\n"
            "try:\n    claim_home(sys.argv[1], 'train'); print('worked')\n"
            "except HomeOwned as exc:\n    print('refused', exc)\n")
    env = {k: v for k, v in os.environ.items() if k != OWNER_ENV}
    stranger = subprocess.run([sys.executable, "-c", code, str(home)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
    assert stranger.stdout.startswith("refused"), stranger.stderr
    delegate = subprocess.run([sys.executable, "-c", code, str(home)], cwd=ROOT,
                              env={**env, **delegate_env(home)}, capture_output=True,
                              text=True, timeout=60)
    assert delegate.stdout.startswith("worked"), delegate.stderr
    forged = subprocess.run([sys.executable, "-c", code, str(home)], cwd=ROOT,
                            env={**env, OWNER_ENV: f"{home.resolve()}|not-the-key"},
                            capture_output=True, text=True, timeout=60)
    assert forged.stdout.startswith("refused")


def test_a_home_left_by_a_dead_owner_is_taken_over(tmp_path):
    code = ("import sys, time; from store.owner import claim_home\n"
            "claim_home(sys.argv[1], 'import'); print('owned', flush=True); time.sleep(600)\n")
    owner = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout.readline().strip() == "owned"
        with pytest.raises(HomeOwned, match=f"amanuensis import` \\(pid {owner.pid}"):
            claim_home(tmp_path)
        os.kill(owner.pid, signal.SIGKILL)  # no clean-up: its owner.json stays behind
        owner.wait(30)
        assert (tmp_path / "owner.json").exists() and read_owner(tmp_path) is None
        claim = claim_home(tmp_path, role="import")
        assert json.loads((tmp_path / "owner.json").read_text())["pid"] == os.getpid()
        assert claim.owner.role == "import"
    finally:
        if owner.poll() is None:
            owner.kill()
        release_home(tmp_path)
    assert not (tmp_path / "owner.json").exists()


@pytest.mark.slow
def test_a_command_line_draft_goes_through_the_owners_api(owned):
    from app.drafting import DraftingService
    from app.server import DraftServer

    home, claim = owned
    service = DraftingService(home=home)
    server = DraftServer(service, "127.0.0.1", 0)
    server.serve_in_thread()
    try:
        claim.serving(server.url)
        loads = service.engine.loads
        done, seconds = _cli(home, "draft", "thank Sam for the rota", "--no-rag", "--json",
                             "--temperature", "0", timeout=300)
        assert done.returncode == 0, done.stderr
        assert "drafted by the Amanuensis desktop app" in done.stderr
        draft = json.loads(done.stdout)
        assert draft["text"].strip() and draft["model"] == service.runtime().info.name
        assert service.engine.loads == max(loads, 1)  # the owner's model, loaded once
        print(f"handed off and drafted in {seconds:.2f} s")
    finally:
        server.stop()
        claim.serving("")
