"""The windows the desktop opens, dressed with its menus: the drafting window as the main
window, and the same window in compact form as the quick draft."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QPushButton

from app.qt.draft_window import DraftWindow
from app.qt.tray import state_icon


def make_main_window(desktop) -> DraftWindow:
    window = DraftWindow(drafting=desktop.drafting)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.setWindowIcon(state_icon("idle"))
    desktop.settings_changed.connect(window.reload_settings)
    _install_menus(window, desktop)
    training = TrainingStatusLabel()
    window.statusBar().addPermanentWidget(training)
    # A bound slot of a QObject: Qt drops the connection when the label goes.
    desktop.state_changed.connect(training.show_state)
    if not desktop.has_tray:  # no tray to carry notifications: the window shows them
        desktop.notified.connect(training.show_note)
    training.show_state(desktop.state, desktop.text, desktop.percent)
    if not desktop.has_tray:
        notice = QLabel("No tray: trains only while open")
        notice.setToolTip("This desktop has no system tray, so Amanuensis cannot keep running "
                          "in the background. Nightly training happens only while a window of "
                          "Amanuensis is open.")
        notice.setStyleSheet("color: #a05a00;")
        window.statusBar().addPermanentWidget(notice)
        window.no_tray_notice = notice
    return window


class TrainingStatusLabel(QLabel):
    def __init__(self):
        super().__init__()
        self.setStyleSheet("color: gray;")

    def show_state(self, state: str, text: str, percent) -> None:
        self.setText(f"Training: {_short(text)}")
        self.setToolTip(text)

    def show_note(self, title: str, text: str) -> None:
        self.setText(f"{title}: {_short(text)}")
        self.setToolTip(text)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def make_quick_draft(desktop) -> DraftWindow:
    window = DraftWindow(compact=True, drafting=desktop.drafting)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.setWindowIcon(state_icon("idle"))
    desktop.settings_changed.connect(window.reload_settings)
    full = QPushButton("Full window…", flat=True)
    full.setToolTip("Open the drafting window with every option")
    full.clicked.connect(desktop.open_window)
    window.statusBar().addPermanentWidget(full)
    window.full_window_button = full
    return window


def _install_menus(window: DraftWindow, desktop) -> None:
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction("&Import mail…", desktop.open_import, QKeySequence("Ctrl+I"))
    file_menu.addAction("&Settings…", desktop.open_settings,
                        QKeySequence.StandardKey.Preferences)
    file_menu.addSeparator()
    file_menu.addAction("&Close window", window.close, QKeySequence.StandardKey.Close)
    file_menu.addAction("&Quit", desktop.quit, QKeySequence.StandardKey.Quit)
    training = bar.addMenu("&Training")
    training.addAction(desktop.menu.training_action)
    training.addAction(desktop.menu.train_action)
    training.addAction(desktop.menu.pause_action)
    bar.addMenu("&Window").addAction(desktop.menu.quick_action)


def make_import_wizard(desktop):
    from app.qt.import_wizard import ImportWizard

    wizard = ImportWizard()
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.finished_import.connect(lambda report: desktop.data_changed())
    return wizard


def make_settings(desktop):
    from app.qt.settings_dialog import SettingsDialog

    dialog = SettingsDialog()
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.settings_saved.connect(desktop.reload_settings)
    dialog.about_to_delete.connect(desktop.close_data_windows)
    dialog.about_to_forget.connect(lambda: desktop.stop_training("you are forgetting mail"))
    dialog.data_changed.connect(desktop.data_changed)
    return dialog
