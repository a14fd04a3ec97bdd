"""The system-tray icon: a drawn quill-letter badge whose colour and ring say what training
is doing, a tooltip that says why, and the menu the issue asks for.

Icons are painted at run time, so there are no image files to ship per theme or platform.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

STATE_COLOURS = {
    "idle": "#4a6fa5",
    "training": "#2e8b57",
    "paused": "#c08a1e",
    "error": "#b03a2e",
}


def state_icon(state: str, percent: int | None = None, size: int = 64) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(STATE_COLOURS.get(state, STATE_COLOURS["idle"]))
    margin = size * 0.08
    disc = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(disc)
    if state == "training" and percent is not None:
        # A light ring that fills as the night's run goes on.
        pen = QPen(QColor("#d8f3dc"), size * 0.1)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        ring = disc.adjusted(size * 0.06, size * 0.06, -size * 0.06, -size * 0.06)
        painter.drawArc(ring, 90 * 16, -int(360 * 16 * max(0, min(percent, 100)) / 100))
    painter.setPen(QColor("white"))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.5))
    painter.setFont(font)
    painter.drawText(disc, Qt.AlignmentFlag.AlignCenter, "‖" if state == "paused" else
                     "!" if state == "error" else "A")
    painter.end()
    return QIcon(pixmap)


class TrayMenu(QObject):
    """The actions, whether or not a tray shows them: the main window's menu reuses them."""

    quick_draft = Signal()
    train_now = Signal()
    pause_or_resume = Signal()
    open_window = Signal()
    open_training = Signal()
    serve_api = Signal(bool)  # the local API for add-ons, served by this process
    quit = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.menu = QMenu()
        self.status_action = QAction("Amanuensis", self.menu, enabled=False)
        # Each action re-emits its signal. Passing the signal itself as ``triggered=`` makes
        # PySide call it, which raises "native Qt signal instance … is not callable".
        self.quick_action = self._action("Quick draft", self.quick_draft)
        self.train_action = self._action("Train now", self.train_now)
        self.pause_action = self._action("Pause training", self.pause_or_resume)
        self.open_action = self._action("Open Amanuensis", self.open_window)
        self.training_action = self._action("Training…", self.open_training)
        self.api_action = QAction("Local API for add-ons", self.menu, checkable=True)
        self.api_action.setToolTip("Serve drafts to mail-client add-ons on this computer, "
                                   "from the model this app has loaded")
        self.api_action.toggled.connect(self.serve_api.emit)
        self.quit_action = self._action("Quit", self.quit)
        self.pause_action.setEnabled(False)  # until a run starts (or waits paused)
        self.menu.addAction(self.status_action)
        self.menu.addSeparator()
        for action in (self.quick_action, self.train_action, self.pause_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        for action in (self.open_action, self.training_action, self.api_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)

    def _action(self, text: str, signal) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(signal.emit)
        return action

    def show_api(self, serving: bool, text: str) -> None:
        """Tick (or untick) the API action without asking to serve again."""
        self.api_action.blockSignals(True)
        self.api_action.setChecked(serving)
        self.api_action.blockSignals(False)
        self.api_action.setToolTip(text)

    def show_state(self, state: str, text: str, *, running: bool, paused: bool) -> None:
        self.status_action.setText(text)
        self.train_action.setEnabled(not running)
        self.pause_action.setEnabled(running or paused)
        self.pause_action.setText("Resume training" if paused and not running
                                  else "Pause training")


class Tray(QObject):
    """The icon itself; ``Tray.available()`` is False on desktops without a tray host (and
    offscreen), and the desktop then runs without one."""

    def __init__(self, menu: TrayMenu, parent: QObject | None = None):
        super().__init__(parent)
        self.icon = QSystemTrayIcon(state_icon("idle"), parent)
        self.icon.setContextMenu(menu.menu)
        self.icon.setToolTip("Amanuensis")
        self.icon.activated.connect(self._on_activated)
        self._menu = menu
        self.state, self.percent = "idle", None

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def show_state(self, state: str, text: str, percent: int | None = None) -> None:
        if (state, percent) != (self.state, self.percent):
            self.icon.setIcon(state_icon(state, percent))
            self.state, self.percent = state, percent
        self.icon.setToolTip(f"Amanuensis — {text}")

    def notify(self, title: str, message: str, error: bool = False) -> None:
        kind = QSystemTrayIcon.MessageIcon.Warning if error else QSystemTrayIcon.MessageIcon.Information
        self.icon.showMessage(title, message, kind, 15_000)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self._menu.open_window.emit()
