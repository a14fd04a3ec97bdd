"""Settings and privacy: models, profile, schedule, data location, and what is kept.

Each page edits one layer's typed settings (``DraftSettings``/``TrainSettings`` threads,
``Profile``, ``ScheduleSettings``) and Save writes each through its own ``save()``; the
default model goes to the model catalogue. Every file and store call runs on the store
executor. The dialog owns one ``Store``, opened, used and closed on the store thread only.

    dialog = SettingsDialog(main_window)
    dialog.settings_saved.connect(...)   # after Save wrote settings.toml / models.json
    dialog.data_changed.connect(...)     # after a forget or "delete everything"
    dialog.open()
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTime, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app import autostart
from app.qt.model_downloads import ModelDownloadsPage
from app.qt.ops import Op, StoreHandle, store_executor
from app.qt.privacy_page import PrivacyPage
from app.settings_model import (
    Loaded,
    add_model,
    read_models,
    read_settings,
    remove_model,
    use_model,
)
from store.settings import HOME_ENV

PAGES = ["Models", "Get models", "Profile", "Schedule", "Data location", "Privacy"]


def _time(text: str) -> QTime:
    hours, minutes = text.split(":")
    return QTime(int(hours), int(minutes))


class SettingsDialog(QDialog):
    settings_saved = Signal()
    data_changed = Signal()
    about_to_delete = Signal()
    about_to_forget = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Amanuensis — settings and privacy")
        self._store = StoreHandle()
        self.loaded: Loaded | None = None
        self.op: Op | None = None  # the latest load / save / model action
        self._default_model: str | None = None
        self._build()
        self.reload()

    # --- the store thread ---------------------------------------------------------------
    def _read(self) -> Loaded:
        return read_settings(self._store.get())

    # --- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.pages = QListWidget()
        self.pages.addItems(PAGES)
        self.pages.setFixedWidth(150)
        self.stack = QStackedWidget()
        self.pages.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.stack.addWidget(self._models_page())
        self.downloads = ModelDownloadsPage()
        self.downloads.models_changed.connect(self._model_added)
        self.stack.addWidget(self.downloads)
        self.stack.addWidget(self._profile_page())
        self.stack.addWidget(self._schedule_page())
        self.stack.addWidget(self._location_page())
        self.privacy = PrivacyPage(self._store.get, self._store.close)
        self.privacy.data_changed.connect(self.data_changed)
        self.privacy.about_to_delete.connect(self.about_to_delete)
        self.privacy.about_to_forget.connect(self.about_to_forget)
        self.privacy.data_changed.connect(self.reload)  # a deletion resets the settings too
        self.stack.addWidget(self.privacy)
        self.pages.currentRowChanged.connect(self._page_shown)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        body = QHBoxLayout()
        body.addWidget(self.pages)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.pages.setCurrentRow(0)
        self.resize(860, 560)

    def _models_page(self) -> QWidget:
        self.model_list = QListWidget()
        self.default_button = QPushButton("Make default")
        self.default_button.clicked.connect(self.make_default)
        self.add_model_button = QPushButton("Add a GGUF model…")
        self.add_model_button.clicked.connect(self.ask_add_model)
        self.remove_model_button = QPushButton("Remove")
        self.remove_model_button.setToolTip("Take a model off the list: a model you "
                                            "downloaded here is deleted, a file you added "
                                            "stays where it is")
        self.remove_model_button.clicked.connect(self.remove_model)
        self.model_list.currentItemChanged.connect(lambda *_: self._model_buttons())
        row = QHBoxLayout()
        for button in (self.default_button, self.add_model_button, self.remove_model_button):
            row.addWidget(button)
        row.addStretch(1)
        cores = os.cpu_count() or 1
        self.draft_threads = QSpinBox(minimum=0, maximum=max(64, cores),
                                      specialValueText=f"automatic ({max(1, cores - 1)})")
        self.train_threads = QSpinBox(minimum=0, maximum=max(64, cores),
                                      specialValueText=f"automatic ({max(1, cores - 1)})")
        # GB in the box, MB in the settings; 0 lets the run use 85% of what is free.
        self.train_memory = QDoubleSpinBox(minimum=0.0, maximum=1024.0, singleStep=0.5,
                                           decimals=1, suffix=" GB",
                                           specialValueText="automatic (85% of free memory)")
        self.train_memory.setToolTip("The most memory a training run may plan to use: below "
                                     "what it needs, layers are recomputed (slower); a run "
                                     "that cannot fit at all is refused with what would")
        form = QFormLayout()
        form.addRow("Threads for drafting", self.draft_threads)
        form.addRow("Threads for training", self.train_threads)
        form.addRow("Memory for training", self.train_memory)
        hint = QLabel(f"This computer has {cores} cores. Automatic leaves one free, so drafting "
                      "and a training run do not fight over the processor.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: gray;")
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("<b>Models</b> — the default drafts and trains"))
        layout.addWidget(self.model_list, 1)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(hint)
        return page

    def _profile_page(self) -> QWidget:
        self.name = QLineEdit()
        self.role = QLineEdit(placeholderText="e.g. head of operations at Hollowbrook")
        self.sign_off = QPlainTextEdit(placeholderText="e.g.\nOnward,\nTeddy")
        self.sign_off.setFixedHeight(70)
        self.about = QPlainTextEdit(placeholderText="Anything the model should know when it "
                                    "writes as you: your work, who you write to, how you like "
                                    "to sound.")
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(QLabel("<b>Profile</b> — told to the model in every draft and training "
                           "example"))
        form.addRow("Name", self.name)
        form.addRow("Role", self.role)
        form.addRow("Sign-off", self.sign_off)
        form.addRow("About you", self.about)
        return page

    def _schedule_page(self) -> QWidget:
        self.schedule_enabled = QCheckBox("Train overnight on new mail and accepted drafts")
        self.start = QTimeEdit(displayFormat="HH:mm")
        self.end = QTimeEdit(displayFormat="HH:mm")
        self.require_ac = QCheckBox("Only when plugged in")
        self.idle = QSpinBox(minimum=0, maximum=24 * 60, suffix=" min")
        self.start_at_login = QCheckBox("Start Amanuensis in the tray when I log in, so the "
                                        "night's training needs no open window")
        self.schedule_enabled.toggled.connect(self._schedule_fields)
        page = QWidget()
        form = self.schedule_form = QFormLayout(page)
        form.addRow(QLabel("<b>Schedule</b> — when training may run"))
        form.addRow(self.schedule_enabled)
        form.addRow("From", self.start)
        form.addRow("Until", self.end)
        form.addRow(self.require_ac)
        form.addRow("Idle for at least", self.idle)
        form.addRow(self.start_at_login)
        note = QLabel("A run that reaches the end of the window stops with a checkpoint and "
                      "continues the next night. The window may cross midnight.")
        note.setWordWrap(True)
        note.setStyleSheet("color: gray;")
        form.addRow(note)
        return page

    def _location_page(self) -> QWidget:
        self.home_label = QLabel()
        self.home_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.home_label.setFont(font)
        self.open_home_button = QPushButton("Open in the file manager")
        self.open_home_button.clicked.connect(self.open_home)
        explain = QLabel(
            "Everything Amanuensis keeps lives in this one folder: the catalogue of your mail "
            "and documents, the search index, training data and runs, trained adapters, "
            f"settings and the base model cache. To keep it elsewhere, set the {HOME_ENV} "
            f"environment variable to another folder before starting the app (for example "
            f"<code>{HOME_ENV}=/mnt/private/amanuensis amanuensis</code>); move the folder's "
            "contents there first to keep your data.")
        explain.setWordWrap(True)
        self.override_label = QLabel()
        self.override_label.setWordWrap(True)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("<b>Data location</b>"))
        layout.addWidget(self.home_label)
        layout.addWidget(self.open_home_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.override_label)
        layout.addWidget(explain)
        layout.addStretch(1)
        return page

    # --- loading ------------------------------------------------------------------------
    def reload(self) -> Op:
        self.op = Op(self, self._read).on(store_executor()).success(self.show_loaded) \
            .failure(lambda exc: self._say(f"Could not read the settings: {exc}")).run()
        return self.op

    def show_loaded(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self._default_model = loaded.default_model
        self._show_models(loaded.models)
        self.draft_threads.setValue(loaded.drafting.threads)
        self.train_threads.setValue(loaded.training.threads)
        self.train_memory.setValue(loaded.training.memory_limit_mb / 1024)
        p = loaded.profile
        self.name.setText(p.name)
        self.name.setPlaceholderText(f"from your mail: {loaded.mail_name}" if loaded.mail_name
                                     else "your name as you sign it")
        self.role.setText(p.role)
        self.sign_off.setPlainText(p.sign_off)
        self.about.setPlainText(p.about)
        s = loaded.schedule
        self.schedule_enabled.setChecked(s.enabled)
        self.start.setTime(_time(s.start))
        self.end.setTime(_time(s.end))
        self.require_ac.setChecked(s.require_ac_power)
        self.idle.setValue(s.idle_minutes)
        self.start_at_login.setChecked(loaded.start_at_login)
        self._schedule_fields(s.enabled)
        self.home_label.setText(str(loaded.home))
        override = os.environ.get(HOME_ENV)
        self.override_label.setText(f"Set by {HOME_ENV}." if override else
                                    "The standard place for this system (no override).")
        self.save_button.setEnabled(True)
        self._say("Some settings could not be read and show their defaults: "
                  + "; ".join(loaded.problems) if loaded.problems else "")

    def _show_models(self, models: list[dict]) -> None:
        self.models = models
        self.model_list.clear()
        for model in models:
            mark = "★ " if model["name"] == self._default_model else "   "
            item = QListWidgetItem(mark + model["label"])
            item.setData(Qt.ItemDataRole.UserRole, model["name"])
            if model["name"] == self._default_model:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                item.setToolTip("The default model"
                                + ("" if self.loaded and self._default_model
                                   == self.loaded.default_model else " once you save"))
            if model["error"]:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.model_list.addItem(item)
        self._model_buttons()

    def _model_buttons(self) -> None:
        item = self.model_list.currentItem()
        row = next((m for m in getattr(self, "models", []) if item is not None
                    and m["name"] == item.data(Qt.ItemDataRole.UserRole)), None)
        self.default_button.setEnabled(row is not None and not row["error"]
                                       and row["name"] != self._default_model)
        self.remove_model_button.setEnabled(row is not None and not row["packaged"])

    def _schedule_fields(self, enabled: bool) -> None:
        for widget in (self.start, self.end, self.require_ac, self.idle):
            widget.setEnabled(enabled)

    # --- models -------------------------------------------------------------------------
    def current_model(self) -> str | None:
        item = self.model_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def make_default(self) -> None:
        """Marks the selected model as the default; Save makes it so."""
        name = self.current_model()
        if name:
            self._default_model = name
            self._show_models(self.models)
            self._select_model(name)

    def _select_model(self, name: str) -> None:
        for row in range(self.model_list.count()):
            if self.model_list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.model_list.setCurrentRow(row)

    def ask_add_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a GGUF model", str(Path.home()),
                                              "GGUF models (*.gguf);;All files (*)")
        if path:
            self.add_model(Path(path))

    def add_model(self, path: Path, name: str | None = None) -> Op:
        def add() -> tuple[str, tuple[list[dict], str]]:
            return add_model(path, name), read_models()

        def added(result) -> None:
            added_name, (models, _default) = result
            self._show_models(models)
            self._select_model(added_name)
            self._say(f"Added {added_name}.")

        self.op = Op(self, add).on(store_executor()).success(added) \
            .failure(lambda exc: self._say(f"Could not add it: {exc}")).run()
        return self.op

    def remove_model(self) -> Op | None:
        name = self.current_model()
        if not name:
            return None

        def remove() -> tuple[bool, tuple[list[dict], str]]:
            return remove_model(name), read_models()

        def removed(result) -> None:
            deleted, (models, default) = result
            if self._default_model == name:
                self._default_model = default
            self._show_models(models)
            self._say(f"Removed {name} and deleted its downloaded file." if deleted else
                      f"Removed {name} from the list; its file was not touched.")

        self.op = Op(self, remove).on(store_executor()).success(removed) \
            .failure(lambda exc: self._say(f"Could not remove it: {exc}")).run()
        return self.op

    def _model_added(self, name: str) -> Op:
        """A download finished: show it on the Models page."""
        def shown(result) -> None:
            self._show_models(result[0])
            self._say(f"{name} is ready; select it and Make default to draft with it.")

        self.op = Op(self, read_models).on(store_executor()).success(shown).run()
        return self.op

    def _page_shown(self, row: int) -> None:
        if PAGES[row] == "Privacy":
            self.privacy.refresh()
        elif PAGES[row] == "Get models" and not self.downloads.rows:
            self.downloads.refresh()

    # --- saving -------------------------------------------------------------------------
    def collected(self) -> tuple:
        """The settings as the pages show them, built on what was loaded (other keys kept)."""
        loaded = self.loaded
        assert loaded is not None
        drafting = replace(loaded.drafting, threads=self.draft_threads.value())
        training = replace(loaded.training, threads=self.train_threads.value(),
                           memory_limit_mb=round(self.train_memory.value() * 1024))
        profile = replace(loaded.profile, name=self.name.text().strip(),
                          role=self.role.text().strip(),
                          sign_off=self.sign_off.toPlainText().strip(),
                          about=self.about.toPlainText().strip())
        schedule = replace(loaded.schedule, enabled=self.schedule_enabled.isChecked(),
                           start=self.start.time().toString("HH:mm"),
                           end=self.end.time().toString("HH:mm"),
                           require_ac_power=self.require_ac.isChecked(),
                           idle_minutes=self.idle.value())
        return drafting, training, profile, schedule

    def save(self, close: bool = True) -> Op | None:
        """Write each layer's settings (and the default model), then close unless asked not
        to; ``settings_saved`` is emitted once everything is written."""
        if self.loaded is None:
            return None
        parts = self.collected()
        default = self._default_model
        changed_default = default != self.loaded.default_model
        login = self.start_at_login.isChecked()
        changed_login = login != self.loaded.start_at_login

        def write() -> None:
            for part in parts:
                part.save()
            if changed_default and default:
                use_model(default)
            if changed_login and login:
                autostart.enable()
            elif changed_login:
                autostart.disable()

        def saved(_) -> None:
            self.loaded = replace(self.loaded, drafting=parts[0], training=parts[1],
                                  profile=parts[2], schedule=parts[3],
                                  default_model=default or self.loaded.default_model,
                                  start_at_login=login)
            self._say("Saved.")
            self.settings_saved.emit()
            if close:
                self.accept()

        self.save_button.setEnabled(False)
        self.op = Op(self, write).on(store_executor()).success(saved) \
            .failure(lambda exc: self._say(f"Could not save: {exc}")) \
            .finished(lambda: self.save_button.setEnabled(True)).run()
        return self.op

    # --- the rest -----------------------------------------------------------------------
    def open_home(self) -> None:
        if self.loaded is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.loaded.home)))

    def show_page(self, name: str) -> None:
        self.pages.setCurrentRow(PAGES.index(name))

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def done(self, result: int) -> None:
        super().done(result)
        # Closed: its store is released on the store thread (reopened if shown again).
        self._store.release()
