"""Start the desktop app: one process per data home, holding the windows, the tray and the
nightly training.

A second ``amanuensis`` (``gui``, ``tray`` or ``quick-draft``) finds the first through a
local socket that only this user can open, asks it to show the window or the quick draft,
and exits: bind ``amanuensis quick-draft`` to a key in the desktop's keyboard settings and it
becomes a global shortcut that opens in a blink, with the model already loaded.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMessageBox

from app.qt.collector import collect_on_gui_thread
from app.qt.desktop import NO_TRAY, Desktop
from app.qt.ops import wait_for_background
from store.owner import HomeOwned, claim_home
from store.settings import data_home

COMMANDS = {"gui": "open_window", "quick-draft": "quick_draft", "tray": None}


def instance_name() -> str:
    """Per user and per data home: two homes are two independent apps."""
    home = str(data_home().resolve())
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "user"
    return f"amanuensis-{user}-{hashlib.sha256(home.encode()).hexdigest()[:12]}"


def ask_running_instance(command: str, timeout_ms: int = 1000) -> bool:
    """Hand ``command`` to an Amanuensis already running on this data home, if there is one."""
    socket = QLocalSocket()
    socket.connectToServer(instance_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(command.encode() + b"\n")
    socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    def __init__(self, desktop: Desktop):
        super().__init__(desktop)
        self.desktop = desktop
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(instance_name())  # a socket left by a crashed run
        self.server.listen(instance_name())
        self.server.newConnection.connect(self._on_connection)

    def _on_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._on_command(s))

    def _on_command(self, socket: QLocalSocket) -> None:
        command = bytes(socket.readAll()).decode(errors="replace").strip()
        method = COMMANDS.get(command)
        if method:
            getattr(self.desktop, method)()
        socket.disconnectFromServer()


def run_gui(argv: list[str] | None = None, command: str = "gui",
            started: Callable[[Desktop], None] | None = None) -> int:
    """Open the window (``gui``), only the tray (``tray``) or the quick draft, and run until
    the user quits; returns the exit status. ``started`` gets the desktop once it shows
    (scripts that drive the real app, such as the real-display test, start there)."""
    argv = list(sys.argv[:1] if argv is None else argv) or ["amanuensis"]
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("Amanuensis")
    app.setOrganizationName("Amanuensis")
    collect_on_gui_thread()
    if ask_running_instance(command):
        print("Amanuensis is already running; it was asked to "
              f"{'show itself' if command != 'tray' else 'stay in the tray'}.")
        return 0
    try:
        claim_home(role="desktop")  # held until this process ends
    except HomeOwned as exc:
        print(f"Amanuensis cannot open: {exc}.", file=sys.stderr)
        QMessageBox.critical(None, "Amanuensis", f"Amanuensis cannot open yet: {exc}.")
        return 3
    desktop = Desktop()
    InstanceServer(desktop)
    if command == "tray" and not desktop.has_tray:
        print(NO_TRAY, file=sys.stderr)
    desktop.start(show_window=command == "gui")
    if command == "quick-draft":
        desktop.quick_draft()
    if started is not None:
        started(desktop)
    status = app.exec()
    wait_for_background()  # the windows' work ends before the model and the store close
    desktop.drafting.shut_down()
    return status
