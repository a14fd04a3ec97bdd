"""The pages of the import wizard: source, identity, filters, progress.

Pages only hold widgets; everything that reads files or the store goes through the wizard
(``app.qt.import_wizard``), which runs it off the GUI thread.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from app.paths import display_path
from store.importer import ImportFilters
from store.sources import SourcePreview, ThunderbirdProfile

# (label, pick a folder rather than files, file dialog filter, hint)
SOURCE_KINDS = [
    ("mbox / Gmail Takeout", False, "Mailboxes (*.mbox *.mbx);;All files (*)",
     "An .mbox file, or the Takeout folder that holds them."),
    ("Thunderbird profile", True, "", "Pick a profile found below, or its folder."),
    ("Apple Mail folder", True, "", "~/Library/Mail, or one .mbox folder inside it."),
    ("Maildir", True, "", "A Maildir or Maildir++ folder (with cur/ and new/)."),
    ("Folder of .eml / .msg files", True, "", "A folder of saved messages."),
    ("Outlook .pst", False, "Outlook data files (*.pst);;All files (*)",
     "Needs the optional 'pst' extra (libpff-python)."),
    ("Documents folder", True, "", "Your own .txt, .md, .html, .pdf and .docx files."),
]


def _button(text: str, slot, enabled: bool = True) -> QPushButton:
    button = QPushButton(text, enabled=enabled)
    button.clicked.connect(slot)
    return button


class SourcePage(QWizardPage):
    def __init__(self, wizard):
        super().__init__()
        self.owner = wizard
        self.setTitle("Where is your mail?")
        self.setSubTitle("Choose a kind of source, add files or folders, and check what was "
                         "found. The format is recognised from the content.")
        self.kinds = QListWidget()
        for label, *_ in SOURCE_KINDS:
            self.kinds.addItem(label)
        self.kinds.setCurrentRow(0)
        self.kinds.currentRowChanged.connect(
            lambda row: self.hint.setText(SOURCE_KINDS[row][3]))
        self.hint = QLabel(SOURCE_KINDS[0][3], wordWrap=True)
        self.path_edit = QLineEdit(placeholderText="Type a path, or use Browse…")
        self.path_edit.returnPressed.connect(self._add_typed)
        self.paths = QListWidget()
        self.paths.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.profiles = QListWidget()
        self.profiles.itemDoubleClicked.connect(lambda _: self._add_profile())
        self.profiles_label = QLabel("Looking for Thunderbird profiles…")
        self.folders = QTreeWidget()
        self.folders.setHeaderLabels(["Folder", "Messages", "Format", "Already imported",
                                      "Path"])
        self.folders.setRootIsDecorated(False)
        self.status = QLabel(wordWrap=True)

        grid = QGridLayout(self)
        grid.addWidget(self.kinds, 0, 0, 3, 1)
        grid.addWidget(self.hint, 0, 1)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(_button("Add", self._add_typed))
        row.addWidget(_button("Browse…", self.browse))
        row.addWidget(_button("Remove", self._remove_selected))
        grid.addLayout(row, 1, 1)
        grid.addWidget(self.paths, 2, 1)
        grid.addWidget(self.profiles_label, 3, 0, 1, 2)
        profiles = QHBoxLayout()
        profiles.addWidget(self.profiles, 1)
        self.add_profile_button = _button("Add profile", self._add_profile)
        profiles.addWidget(self.add_profile_button)
        grid.addLayout(profiles, 4, 0, 1, 2)
        scan = QHBoxLayout()
        scan.addWidget(self.status, 1)
        self.scan_button = _button("Scan", self.scan, enabled=False)
        scan.addWidget(self.scan_button)
        grid.addLayout(scan, 5, 0, 1, 2)
        grid.addWidget(self.folders, 6, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(6, 1)

    # --- paths --------------------------------------------------------------------------
    def current_paths(self) -> list[Path]:
        return [Path(self.paths.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.paths.count())]

    def set_paths(self, paths: list[Path | str]) -> None:
        """Replace the chosen paths (and scan them)."""
        self.paths.clear()
        self.add_paths(paths)

    def add_paths(self, paths: list[Path | str]) -> None:
        known = {str(p) for p in self.current_paths()}
        for path in paths:
            text = str(Path(path).expanduser())
            if text and text not in known:
                known.add(text)
                item = QListWidgetItem(display_path(text))
                item.setData(Qt.ItemDataRole.UserRole, text)
                item.setToolTip(text)
                self.paths.addItem(item)
        self._paths_changed()

    def browse(self) -> None:
        label, folder_kind, file_filter, _ = SOURCE_KINDS[max(0, self.kinds.currentRow())]
        apple = Path.home() / "Library" / "Mail"
        start = str(apple if label.startswith("Apple") and apple.is_dir() else Path.home())
        if folder_kind:
            chosen = QFileDialog.getExistingDirectory(self, "Choose a folder", start)
            self.add_paths([chosen] if chosen else [])
        else:
            chosen, _ = QFileDialog.getOpenFileNames(self, "Choose files", start, file_filter)
            self.add_paths(chosen)

    def _add_typed(self) -> None:
        text = self.path_edit.text().strip()
        if text:
            self.path_edit.clear()
            self.add_paths([text])

    def _remove_selected(self) -> None:
        for item in self.paths.selectedItems():
            self.paths.takeItem(self.paths.row(item))
        self._paths_changed()

    def show_profiles(self, profiles: list[ThunderbirdProfile]) -> None:
        self.profiles.clear()
        for profile in profiles:
            label = (f"{profile.name}{'  (default)' if profile.default else ''} — "
                     f"{display_path(profile.path)}")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, [str(p) for p in profile.mail_dirs])
            self.profiles.addItem(item)
        if profiles:
            self.profiles.setCurrentRow(0)
        self.profiles_label.setText(
            f"Thunderbird profiles on this computer ({len(profiles)}):" if profiles
            else "No Thunderbird profile found in the usual places.")

    def _add_profile(self) -> None:
        item = self.profiles.currentItem()
        if item is not None:
            self.add_paths(item.data(Qt.ItemDataRole.UserRole) or [])

    def _paths_changed(self) -> None:
        self.scan_button.setEnabled(self.paths.count() > 0)
        self.folders.clear()
        self.owner.forget_preview()
        if self.paths.count():
            self.scan()
        else:
            self.status.setText("")
        self.completeChanged.emit()

    # --- scanning -----------------------------------------------------------------------
    def scan(self) -> None:
        self.folders.clear()
        self.status.setText("Scanning…")
        self.owner.scan(self.current_paths())

    def show_preview(self, preview: SourcePreview) -> None:
        self.folders.clear()
        for folder in preview.folders:
            name = f"{folder.folder} (sent)" if folder.is_sent else folder.folder
            item = QTreeWidgetItem([name, f"{folder.messages:,}", folder.format,
                                    f"{folder.already_imported:,}", display_path(folder.path)])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
            item.setToolTip(4, folder.path)
            self.folders.addTopLevelItem(item)
        for problem in preview.problems:
            item = QTreeWidgetItem([Path(problem.file).name, "", "problem", "", problem.file])
            item.setToolTip(0, problem.reason)
            item.setText(2, problem.reason)
            item.setForeground(2, Qt.GlobalColor.darkRed)
            self.folders.addTopLevelItem(item)
        for column in range(4):
            self.folders.resizeColumnToContents(column)
        problems = f", {len(preview.problems)} problem(s)" if preview.problems else ""
        self.status.setText(f"{len(preview.folders)} folder(s), {preview.messages:,} "
                            f"message(s){problems}." if preview.folders
                            else f"Nothing to import here{problems}.")
        self.completeChanged.emit()

    def show_error(self, text: str) -> None:
        self.status.setText(text)

    def isComplete(self) -> bool:
        preview = self.owner.preview
        return preview is not None and bool(preview.folders)


class IdentityPage(QWizardPage):
    def __init__(self, wizard):
        super().__init__()
        self.owner = wizard
        self.setTitle("Which addresses are yours?")
        self.setSubTitle("Mail sent from these addresses is what Amanuensis learns your style "
                         "from. Edit an address by double-clicking it.")
        self.list = QListWidget()
        self.new = QLineEdit(placeholderText="another@address.example")
        self.new.returnPressed.connect(self._add)
        self.note = QLabel(wordWrap=True)
        row = QHBoxLayout()
        row.addWidget(self.new, 1)
        row.addWidget(_button("Add", self._add))
        row.addWidget(_button("Remove", self._remove))
        column = QVBoxLayout(self)
        column.addWidget(self.list, 1)
        column.addLayout(row)
        column.addWidget(self.note)
        self._filled_for: object = None

    def initializePage(self) -> None:
        preview = self.owner.preview
        if self._filled_for is preview:  # back and forth keeps the user's edits
            return
        self._filled_for = preview
        self.list.clear()
        for address, why in self.owner.suggested_addresses().items():
            self._add_address(address, why)
        self.note.setText(
            "Found from your sent folders and earlier imports." if self.list.count() else
            "No sent folder found: add your addresses, or leave the list empty and they will "
            "be guessed after the import.")

    def _add_address(self, address: str, why: str = "added by you") -> None:
        item = QListWidgetItem(address)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        item.setToolTip(why)
        self.list.addItem(item)

    def _add(self) -> None:
        text = self.new.text().strip().lower()
        if "@" in text and text not in self.addresses():
            self._add_address(text)
            self.new.clear()

    def _remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def set_addresses(self, addresses: list[str]) -> None:
        self.list.clear()
        for address in addresses:
            self._add_address(address)

    def addresses(self) -> list[str]:
        found = (self.list.item(i).text().strip().lower() for i in range(self.list.count()))
        return list(dict.fromkeys(a for a in found if "@" in a))


class FiltersPage(QWizardPage):
    def __init__(self, wizard):
        super().__init__()
        self.owner = wizard
        self.setTitle("What to import")
        self.setSubTitle("Mail left out now is counted as skipped and can be imported later "
                         "by running the wizard again.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Import")
        today = QDate.currentDate()
        self.from_check = QCheckBox("From")
        self.from_date = QDateEdit(today.addYears(-5), calendarPopup=True, enabled=False)
        self.to_check = QCheckBox("To")
        self.to_date = QDateEdit(today, calendarPopup=True, enabled=False)
        self.from_check.toggled.connect(self.from_date.setEnabled)
        self.to_check.toggled.connect(self.to_date.setEnabled)
        self.any_label = QLabel("Leave both unticked for any date.")
        self.folders = QListWidget()
        self.folders.itemChanged.connect(lambda _: self.completeChanged.emit())
        self.received = QCheckBox("Also import the mail you received (used as context when "
                                  "you reply)", checked=True)
        dates = QHBoxLayout()
        for widget in (self.from_check, self.from_date, self.to_check, self.to_date):
            dates.addWidget(widget)
        dates.addWidget(self.any_label, 1)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Folders:"), 1)
        pick.addWidget(_button("All", lambda: self._check_all(True)))
        pick.addWidget(_button("None", lambda: self._check_all(False)))
        column = QVBoxLayout(self)
        column.addLayout(dates)
        column.addLayout(pick)
        column.addWidget(self.folders, 1)
        column.addWidget(self.received)
        self._filled_for: object = None

    def initializePage(self) -> None:
        preview = self.owner.preview
        if self._filled_for is preview or preview is None:
            return
        self._filled_for = preview
        self.folders.clear()
        for folder in preview.folders:
            sent = " (sent)" if folder.is_sent else ""
            item = QListWidgetItem(f"{folder.folder}{sent} — {folder.messages:,} messages")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, folder.path)
            item.setToolTip(folder.path)
            self.folders.addItem(item)

    def _check_all(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for i in range(self.folders.count()):
            self.folders.item(i).setCheckState(state)

    def set_folder_checked(self, path: Path | str, checked: bool) -> None:
        for i in range(self.folders.count()):
            item = self.folders.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == str(path):
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def chosen_folders(self) -> list[str]:
        return [self.folders.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.folders.count())
                if self.folders.item(i).checkState() == Qt.CheckState.Checked]

    def filters(self) -> ImportFilters | None:
        """None when nothing is left out."""
        chosen = self.chosen_folders()
        folders = None if len(chosen) == self.folders.count() else chosen
        after = self.from_date.date().toPython() if self.from_check.isChecked() else None
        # The "To" day is included: the import's ``before`` is the day after it.
        before = (self.to_date.date().toPython() + timedelta(days=1)
                  if self.to_check.isChecked() else None)
        received = self.received.isChecked()
        if folders is None and after is None and before is None and received:
            return None
        return ImportFilters(after=after, before=before, folders=folders,
                             include_received=received)

    def isComplete(self) -> bool:
        return bool(self.chosen_folders())
