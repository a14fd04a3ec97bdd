"""Take the README's screenshots offscreen, from the bundled sample persona only.

    .venv/bin/python scripts/screenshots.py            # after `make demo` (uses .demo-home)
    .venv/bin/python scripts/screenshots.py --home DIR --out docs/screenshots

The main and training windows are shot on the demo's data home, so the training view shows
the demo's run, evaluation and adapter; the wizard imports the sample mailbox into a fresh
temporary home so that every page shows a first import. Never point it at real mail.

Paths show as a person's would: the wizard's source is a copy of the sample mail under a
made-up home folder (``~/Mail/Archive``), and the desktop shots take the sample folder as
the home folder, so the demo's sources read ``~/mail/Sent.mbox``. The tray shot needs a real
X display with a tray host (Xvfb, trayer and xdotool, see scripts/install-display.sh) and
runs the tray test's scenario on a copy of the demo's home.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
REPO = Path(__file__).resolve().parents[1]
SAMPLE_MAIL = REPO / "resources" / "sample" / "mail"
INSTRUCTION = ("tell Stan the board approved the glazing quote; ask when he can start and "
               "whether he needs the shed key")


def wait_until(predicate, timeout: float = 300.0, what: str = "the window") -> None:
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.02)
    for _ in range(20):  # let layouts and paints settle
        QApplication.processEvents()
        time.sleep(0.01)


def save(widget, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")


def shoot_wizard(out: Path) -> None:
    from app.qt.import_wizard import ImportWizard

    with tempfile.TemporaryDirectory(prefix="amanuensis-shots-") as scratch:
        user = Path(scratch) / "robin"
        mail = user / "Mail" / "Archive"
        shutil.copytree(SAMPLE_MAIL, mail)
        home = Path(scratch) / "data"
        home.mkdir()
        previous = os.environ.get("HOME")
        os.environ["HOME"] = str(user)
        wizard = ImportWizard(home=home, profiles_home=user)
        wizard.show()
        wizard.source_page.set_paths([mail])
        wizard.scan([mail])
        wait_until(lambda: wizard.preview is not None, what="the scan")
        save(wizard, out, "wizard-1-source")
        wizard.next()
        wait_until(lambda: True)
        save(wizard, out, "wizard-2-identity")
        wizard.next()
        wait_until(lambda: True)
        save(wizard, out, "wizard-3-filters")
        wizard.next()
        wait_until(lambda: wizard.report is not None, what="the import")
        save(wizard, out, "wizard-4-summary")
        wizard.close()
        wizard.release()
        from app.qt.ops import wait_for_background

        wait_for_background()
        os.environ["HOME"] = previous or ""


def shoot_desktop(out: Path) -> None:
    from datetime import datetime

    from app.qt.desktop import Desktop

    # The demo imported the sample folder: as the home folder, its paths read ~/mail/….
    os.environ["HOME"] = str(SAMPLE_MAIL.parent)

    # A fixed noon: the schedule waits, whenever the script runs, and says so.
    desktop = Desktop(use_tray=False, tick_ms=3_600_000,
                      clock=lambda: datetime.now().replace(hour=12, minute=0))
    desktop.start(show_window=True)
    window = desktop.windows["main"]
    window.compose.instruction.setPlainText(INSTRUCTION)
    window.compose.recipient.setText("Stan Kowalski")
    wait_until(lambda: window.service is not None, what="the model")
    window.start_draft()
    wait_until(lambda: window.op is not None and window.op.is_done, what="the draft")
    save(window, out, "main-window")

    quick = desktop.quick_draft()
    quick.compose.instruction.setPlainText("thank Priya for the seed order; it arrived today")
    wait_until(lambda: quick.service is not None, what="the quick draft's model")
    quick.start_draft()
    wait_until(lambda: quick.op is not None and quick.op.is_done, what="the quick draft")
    save(quick, out, "quick-draft")
    quick.close()

    view = desktop.open_training()
    wait_until(lambda: view.data is not None and view._offset > 0 or (
        view.data is not None and view.data.last_run is None), what="the training view")
    save(view, out, "training-view")
    view.close()

    dialog = desktop.open_settings()
    wait_until(lambda: dialog.pages.count() > 0)
    for page in ("Profile", "Schedule", "Privacy"):
        dialog.show_page(page)
        wait_until(lambda: True)
        time.sleep(1.0)
        wait_until(lambda: True)
        save(dialog, out, f"settings-{page.lower()}")
    dialog.close()
    desktop.quit()
    from app.qt.ops import wait_for_background

    wait_for_background()


def shoot_tray(out: Path, demo_home: Path) -> None:
    """The tray icon with its menu open, on a virtual X display with a tray host."""
    from tests.xdisplay import INSTALL_HINT, missing_tools, real_display

    missing = missing_tools()
    if missing:
        print(f"skipped the tray shot: needs {', '.join(missing)} ({INSTALL_HINT})")
        return
    with tempfile.TemporaryDirectory(prefix="amanuensis-tray-") as scratch:
        home = Path(scratch) / "home"
        shutil.copytree(demo_home, home, symlinks=True,
                        ignore=shutil.ignore_patterns("models"))
        (home / "models").symlink_to((demo_home / "models").resolve(), target_is_directory=True)
        with real_display() as display:
            env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
                   "AMANUENSIS_HOME": str(home)}
            subprocess.run([sys.executable, "-m", "tests.tray_scenario", "--out",
                            str(Path(scratch) / "tray.json"), "--screenshot",
                            str(out / "tray-menu.png")], cwd=REPO, env=env, check=True,
                           timeout=600)
    print(f"wrote {(out / 'tray-menu.png').relative_to(REPO)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=REPO / ".demo-home",
                        help="a data home holding the sample persona (default: .demo-home)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--only", choices=["wizard", "desktop", "tray"])
    args = parser.parse_args()
    if not (args.home / "catalogue.sqlite3").exists() and args.only != "wizard":
        raise SystemExit(f"{args.home} holds no imported mail: run `make demo` first")
    os.environ["AMANUENSIS_HOME"] = str(args.home.resolve())
    args.out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(REPO))
    # Qt and fontconfig write caches under the home folder, which the shots move around.
    scratch = Path(tempfile.mkdtemp(prefix="amanuensis-shots-xdg-"))
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        os.environ.setdefault(name, str(scratch / name.lower()))
    if args.only in (None, "tray"):
        shoot_tray(args.out, args.home.resolve())
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Amanuensis")
    if args.only in (None, "wizard"):
        shoot_wizard(args.out)
    if args.only in (None, "desktop"):
        shoot_desktop(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
