"""Start the desktop app: a QApplication with the drafting window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from app.qt.draft_window import DraftWindow
from app.qt.ops import wait_for_background


def run_gui(argv: list[str] | None = None) -> int:
    """Open the drafting window and run until it is closed; returns the exit status."""
    argv = list(sys.argv[:1] if argv is None else argv) or ["amanuensis"]
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("Amanuensis")
    app.setOrganizationName("Amanuensis")
    window = DraftWindow()
    window.show()
    status = app.exec()
    wait_for_background()  # close the model and the store before Qt goes away
    return status
