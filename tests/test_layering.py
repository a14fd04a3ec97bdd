"""What starts a window, the tray or the command line loads: never the training stack or the
vector store at import (the first draft or the first search loads what it needs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("torch", "peft", "transformers", "sentence_transformers", "chromadb", "trainer.run",
         "trainer.recipe")


def test_the_desktop_tray_and_cli_start_without_the_training_stack():
    code = (
        "import json, sys\n"
        "import app.cli, app.qt.app, app.qt.desktop, app.qt.main_window, app.qt.tray\n"
        "import app.qt.draft_window, app.qt.training_view, app.qt.privacy_page\n"
        "import app.drafting, app.server, app.privacy, app.training_status, app.scheduler\n"
        "import app.shared_drafting, trainer.engine.pool, app.training_job, trainer.snapshot\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
