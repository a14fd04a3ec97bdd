"""Drafting takes every core while nothing trains and leaves one to a running trainer; a
trainer that died leaves nothing behind that looks alive."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.conftest import REPO
from trainer.activity import drafting_threads, lock_path, training_active

HOLD = ("import sys, time; from trainer.activity import training_run\n"
        "with training_run():\n    print('holding', flush=True); time.sleep(60)\n")


def test_a_training_process_is_seen_and_its_death_frees_the_cores(isolated_home):
    cores = os.cpu_count() or 1
    assert not training_active() and drafting_threads() == cores
    trainer = subprocess.Popen([sys.executable, "-c", HOLD], cwd=REPO, stdout=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert trainer.stdout.readline().strip() == "holding"
        assert training_active() and drafting_threads() == max(1, cores - 1)
        assert drafting_threads(requested=3) == 3
    finally:
        trainer.kill()  # no clean exit: the lock goes with the process
        trainer.wait()
    deadline = time.monotonic() + 5
    while training_active() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not training_active() and lock_path().exists()
