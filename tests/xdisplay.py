"""A real X display with a system-tray host, for the GUI tests that need what offscreen
lacks: Xvfb, the `trayer` panel (an XEmbed tray host) and `xdotool` to click as a person.

`.ci/run` installs them (Debian packages `xvfb`, `trayer`, `xdotool` and the xcb libraries
Qt needs); elsewhere a test that needs them is skipped with the command that installs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

TOOLS = ("Xvfb", "trayer", "xdotool")
INSTALL_HINT = ("apt-get install xvfb trayer xdotool libxcb-cursor0 libxcb-icccm4 "
                "libxcb-keysyms1 (or run `bash scripts/install-display.sh`)")


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _start_xvfb(size: str) -> tuple[subprocess.Popen, str]:
    """Xvfb on the first free display number, which it writes to the pipe once it is ready."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size}x24", "-nolisten", "tcp",
         "-noreset"], pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        raise RuntimeError("Xvfb did not start")
    return server, f":{number}"


def _tray_owned(display: str) -> bool:
    """True once a tray host holds the system-tray selection of screen 0."""
    env = {**os.environ, "DISPLAY": display}
    probe = subprocess.run(["xdotool", "search", "--class", "trayer"], env=env,
                           capture_output=True, text=True)
    return probe.returncode == 0 and bool(probe.stdout.strip())


@contextmanager
def real_display(size: str = "1600x1000", log_dir: Path | None = None):
    """Yields the DISPLAY of a fresh Xvfb with trayer docked at its top right."""
    server, display = _start_xvfb(size)
    env = {**os.environ, "DISPLAY": display}
    log = open(log_dir / "trayer.log", "wb") if log_dir else subprocess.DEVNULL  # noqa: SIM115
    tray = None
    try:
        if shutil.which("xsetroot"):  # a desktop-like background instead of black
            subprocess.run(["xsetroot", "-solid", "#5b6b7f"], env=env, check=False)
        tray = subprocess.Popen(
            ["trayer", "--edge", "top", "--align", "right", "--widthtype", "percent", "--width", "100",
             "--height", "30", "--transparent", "false", "--tint", "0x2e3440",
             "--SetDockType", "true", "--expand", "true"],
            env=env, stdout=log, stderr=log)
        end = time.monotonic() + 20
        while not _tray_owned(display):
            if time.monotonic() > end or tray.poll() is not None:
                raise RuntimeError("trayer did not come up on the virtual display")
            time.sleep(0.2)
        time.sleep(0.5)  # it takes the tray selection just after mapping its window
        yield display
    finally:
        for process in (tray, server):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if log_dir:
            log.close()
