"""The desktop on a real X server with a real tray host (Xvfb + trayer), driven by real
pointer and key events (xdotool): the icon appears, its menu opens, Quick draft opens the
small window and drafts with the real model, Train now starts the real trainer and the icon
and tooltip follow it, Pause reaches the trainer, Open and Training… open their windows, and
Quit ends the app. Nothing raised in a Qt slot passes unseen."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.xdisplay import INSTALL_HINT, missing_tools, real_display

pytestmark = pytest.mark.slow


def test_the_tray_on_a_real_display_as_a_person_uses_it(persona_copy, tmp_path):
    missing = missing_tools()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} missing in CI: .ci/run installs them")
        pytest.skip(f"needs {', '.join(missing)}: {INSTALL_HINT}")
    from app.desktop_usage import OFTEN, DesktopUsage

    DesktopUsage(quick_drafts=OFTEN).save()  # someone who drafts from the tray
    out = tmp_path / "tray.json"
    shot = os.environ.get("AMANUENSIS_TRAY_SCREENSHOT")
    with real_display(log_dir=tmp_path) as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
               "AMANUENSIS_HOME": str(persona_copy)}
        command = [sys.executable, "-m", "tests.tray_scenario", "--out", str(out)]
        if shot:
            command += ["--screenshot", shot]
        run = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                             timeout=600)
    assert out.exists(), run.stderr[-4000:]
    result = json.loads(out.read_text())
    print(json.dumps(result, indent=1))
    assert not result["slot_errors"], result["slot_errors"]
    assert "failure" not in result, result["failure"] + "\n" + run.stderr[-3000:]
    # The first item is the status line ("waiting for the nightly window …").
    assert result["menu"][1:] == ["Quick draft", "Train now", "Pause training",
                                  "Open Amanuensis", "Training…", "Local API for add-ons",
                                  "Quit"]
    api = result["api"]
    assert "error" not in api, api
    # One copy of the model in the desktop: the quick draft's, used by the API as well.
    assert [m["name"] for m in api["health"]["memory"]["models"]] == ["smollm2-135m"]
    assert api["chat"].strip()
    assert api["cli"]["code"] == 0 and "drafted by the Amanuensis desktop app" in \
        api["cli"]["stderr"] and api["cli"]["text"].strip(), api["cli"]
    assert result["tray_warms_embedder"]
    assert result["draft"]["text"].strip()
    # The window and the tray loaded the models ahead of the click.
    assert result["draft"]["timings"]["retrieval_s"] < 1.0, result["draft"]["timings"]
    assert result["pause"]["status"] == "paused" and result["pause"]["state"] == "paused"
    assert result["quit_by_menu"] and result["status"] == 0
    assert run.returncode == 0, run.stderr[-3000:]
