"""The privacy page of the settings dialog: what is indexed, forgetting, export, delete.

Store work runs on the store executor through ``store()``, the dialog's store-thread-only
``Store`` (see ``SettingsDialog``); this page never opens one itself. Confirmations go
through ``confirm`` and ``DeleteConfirmation`` so that tests can answer them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import privacy
from app.paths import display_path
from app.privacy import human_bytes
from app.qt.ops import Op, store_executor

CONFIRM_WORD = "delete"


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes
                                  | QMessageBox.StandardButton.Cancel,
                                  QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Yes





def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"

class PickDialog(QDialog):
    """Choose one row (a sender, a thread) from a filterable list; ``value`` once accepted."""

    def __init__(self, title: str, rows: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.filter = QLineEdit(placeholderText="Filter…", clearButtonEnabled=True)
        self.list = QListWidget()
        for label, value in rows:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, value)
            self.list.addItem(item)
        self.filter.textChanged.connect(self._filter)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Forget…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(520, 460)

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(bool(needle) and needle not in item.text().lower())

    @property
    def value(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


class DeleteConfirmation(QDialog):
    """Names what goes and what stays; the button only works once "delete" is typed."""

    def __init__(self, summary: dict, removed: list[str], kept: list[str],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Delete everything")
        training = summary.get("training", {})
        text = QLabel(
            f"<p><b>This removes everything Amanuensis keeps about you from "
            f"{summary.get('home', '')}</b> — it cannot be undone:</p><ul>"
            f"<li>{summary.get('messages', 0)} emails and {summary.get('documents', 0)} "
            f"documents in the catalogue and the search index</li>"
            f"<li>training data: {training.get('playback_pairs', 0)} instruction pairs, "
            f"{training.get('runs', 0)} training runs, {training.get('pending_feedback', 0)} "
            f"accepted drafts waiting</li>"
            f"<li>{training.get('adapters', 0)} trained style adapters</li>"
            f"<li>your settings, profile, schedule, added models list and the local API "
            f"token</li></ul>"
            f"<p>Removed: {', '.join(removed) or 'nothing'}.<br>Kept: "
            f"{'; '.join(kept) or 'nothing'}.</p>"
            "<p>Your original mail archives and documents are not touched. Export everything "
            f"first if you want a copy. Type <b>{CONFIRM_WORD}</b> to confirm.</p>")
        text.setWordWrap(True)
        self.word = QLineEdit(placeholderText=CONFIRM_WORD)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = self.buttons.addButton("Delete everything",
                                                    QDialogButtonBox.ButtonRole.DestructiveRole)
        self.delete_button.setEnabled(False)
        self.word.textChanged.connect(lambda t: self.delete_button.setEnabled(
            t.strip().lower() == CONFIRM_WORD))
        self.delete_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.word)
        layout.addWidget(self.buttons)
        self.resize(560, 380)


class PrivacyPage(QWidget):
    data_changed = Signal()
    # Before "delete everything" starts: every other open Store on this home must close
    # first (on the store thread, ahead of the deletion), or it keeps reading deleted files.
    about_to_delete = Signal()
    # Before a forget starts: a running training stops first, so nothing it writes after
    # the purge holds the forgotten mail.
    about_to_forget = Signal()
    COLUMNS = ["Source", "Format", "Emails", "Documents", "Items seen", "Complete"]

    def __init__(self, store: Callable, release: Callable[[], None],
                 parent: QWidget | None = None):
        """``store()`` gives the dialog's Store and ``release()`` closes it; both are only
        ever called on the store thread."""
        super().__init__(parent)
        self._store, self._release = store, release
        self.summary: dict | None = None
        self.op: Op | None = None  # the latest action, for tests and for busy state
        self.picker: PickDialog | None = None
        self.totals = QLabel("Loading…")
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.status = QLabel()
        self.status.setWordWrap(True)

        def button(text: str, slot, tip: str = "") -> QPushButton:
            made = QPushButton(text, toolTip=tip)
            made.clicked.connect(slot)
            return made

        self.forget_sender_button = button("Forget sender…", self.ask_forget_sender,
                                           "Remove every email from one address")
        self.forget_thread_button = button("Forget thread…", self.ask_forget_thread,
                                           "Remove a whole conversation")
        self.forget_source_button = button("Forget source", self.ask_forget_source,
                                           "Remove what was imported from the selected source")
        self.forget_source_button.setEnabled(False)
        self.table.itemSelectionChanged.connect(lambda: self.forget_source_button.setEnabled(
            bool(self.table.selectedItems())))
        self.export_button = button("Export everything…", self.ask_export)
        self.delete_button = button("Delete everything…", self.ask_delete)
        self.delete_button.setStyleSheet("color: #b00020;")
        forget_row = QHBoxLayout()
        for made in (self.forget_sender_button, self.forget_thread_button,
                     self.forget_source_button):
            forget_row.addWidget(made)
        forget_row.addStretch(1)
        all_row = QHBoxLayout()
        all_row.addWidget(self.export_button)
        all_row.addStretch(1)
        all_row.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>What is indexed</b> — kept only on this computer"))
        layout.addWidget(self.totals)
        layout.addWidget(self.table, 1)
        layout.addLayout(forget_row)
        note = QLabel("Forgotten senders, threads and emails stay out when the same mail is "
                      "imported again; training data made from them is removed too. Adapters "
                      "already trained keep what they learned until the next training run.")
        note.setWordWrap(True)
        note.setStyleSheet("color: gray;")
        layout.addWidget(note)
        layout.addLayout(all_row)
        layout.addWidget(self.status)

    # --- what is kept -------------------------------------------------------------------
    def refresh(self) -> Op:
        store = self._store
        self.op = Op(self, lambda: privacy.data_summary(store())).on(store_executor()) \
            .success(self.show_summary) \
            .failure(lambda exc: self._say(f"Could not read your data: {exc}")).run()
        return self.op

    def show_summary(self, summary: dict) -> None:
        self.summary = summary
        t = summary["training"]
        span = ""
        if summary["first_date"]:
            span = f", {summary['first_date'][:10]} to {summary['last_date'][:10]}"
        self.totals.setText(
            f"{summary['messages']} emails ({summary['own_messages']} yours, "
            f"{summary['other_messages']} from others{span}) in {summary['threads']} threads "
            f"from {summary['senders']} senders; {summary['documents']} documents.<br>"
            f"Training: {_count(t['playback_pairs'], 'instruction pair')}, "
            f"{_count(t['runs'], 'run')}, {_count(t['adapters'], 'adapter')}, "
            f"{_count(t['pending_feedback'], 'accepted draft')} waiting.<br>"
            f"On disk: {human_bytes(summary['personal_bytes'])} of your data "
            f"(catalogue {human_bytes(summary['sizes']['catalogue'])}, index "
            f"{human_bytes(summary['sizes']['index'])}, trainer "
            f"{human_bytes(summary['sizes']['trainer'] + summary['sizes']['adapters'])}); "
            f"base model cache {human_bytes(summary['model_cache_bytes'])}.")
        self.table.setRowCount(0)
        for source in summary["sources"]:
            row = self.table.rowCount()
            self.table.insertRow(row)
            cells = [display_path(source["path"]), source["format"], str(source["messages"]),
                     str(source["documents"]), str(source["items"]),
                     "yes" if source["completed"] else "interrupted"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
            self.table.item(row, 0).setToolTip(source["path"])
            self.table.item(row, 0).setData(Qt.ItemDataRole.UserRole, source["path"])
        self.forget_source_button.setEnabled(bool(self.table.selectedItems()))

    def selected_source(self) -> str | None:
        rows = {item.row() for item in self.table.selectedItems()}
        return self.table.item(rows.pop(), 0).data(Qt.ItemDataRole.UserRole) if rows else None

    # --- forgetting ---------------------------------------------------------------------
    def ask_forget_sender(self) -> Op:
        store = self._store
        return Op(self, lambda: privacy.senders(store())).on(store_executor()) \
            .success(self._pick_sender).run()

    def _pick_sender(self, rows: list[dict]) -> None:
        choices = [(f"{r['address']}" + (f" — {r['name']}" if r["name"] else "")
                    + f" ({r['messages']} emails{', yours' if r['own'] else ''})", r["address"])
                   for r in rows]
        address = self._pick("Forget a sender", choices)
        count = next((r["messages"] for r in rows if r["address"] == address), 0)
        if address and confirm(self, "Forget a sender",
                               f"Forget all {count} emails from {address}? They will also "
                               "stay out when the same mail is imported again."):
            self.forget(sender=address)

    def ask_forget_thread(self) -> Op:
        store = self._store
        return Op(self, lambda: privacy.threads(store())).on(store_executor()) \
            .success(self._pick_thread).run()

    def _pick_thread(self, rows: list[dict]) -> None:
        def label(r: dict) -> str:
            date = datetime.fromtimestamp(r["last_date"], UTC).strftime("%Y-%m-%d") \
                if r["last_date"] else "undated"
            return f"{r['subject'] or '(no subject)'} — {r['messages']} emails, {date}"

        thread = self._pick("Forget a thread", [(label(r), r["thread"]) for r in rows])
        chosen = next((r for r in rows if r["thread"] == thread), None)
        if chosen and confirm(self, "Forget a thread",
                              f"Forget the {chosen['messages']} emails of “{chosen['subject']}”"
                              f"? They will also stay out when imported again."):
            self.forget(thread=thread)

    def _pick(self, title: str, rows: list[tuple[str, str]]) -> str | None:
        self.picker = PickDialog(title, rows, self)
        chosen = self.picker.value if self.picker.exec() == QDialog.DialogCode.Accepted \
            else None
        self.picker = None
        return chosen

    def ask_forget_source(self) -> Op | None:
        path = self.selected_source()
        if path and confirm(self, "Forget a source",
                            f"Forget everything imported from {path}? Emails that another "
                            "source also holds stay. Importing it again brings it back."):
            return self.forget(source=path)
        return None

    def forget(self, **what: str) -> Op:
        """Forget one sender= / thread= / source= / message=, without asking."""
        store = self._store
        self.about_to_forget.emit()
        self._busy(True)
        self._say("Forgetting…")
        self.op = Op(self, lambda: privacy.forget(store(), **what)).on(store_executor()) \
            .success(self._forgotten) \
            .failure(lambda exc: self._say(f"Could not forget it: {exc}")) \
            .finished(lambda: self._busy(False)).run()
        return self.op

    def _forgotten(self, outcome: privacy.Forgotten) -> None:
        result = outcome.result
        extra = ""
        if outcome.playback_pairs_removed or outcome.run_data_removed:
            extra = (f" Removed {outcome.playback_pairs_removed} training pairs made from it"
                     + (f"; discarded the unfinished training run {', '.join(outcome.runs_discarded)}"
                        if outcome.runs_discarded else "") + ".")
        if outcome.eval_samples_removed:
            extra += (" Took it out of the evaluation reports' samples "
                      f"({outcome.eval_samples_removed}).")
        if outcome.feedback_quotes_removed:
            drafts = _count(outcome.feedback_quotes_removed, "accepted draft")
            extra += f" Removed their email from {drafts} (your own text stays)."
        self._say(f"Forgot {result.messages} emails and {result.documents} documents.{extra}")
        self.data_changed.emit()
        self.refresh()

    # --- export and delete --------------------------------------------------------------
    def ask_export(self) -> Op | None:
        name = f"amanuensis-export-{datetime.now():%Y%m%d}.zip"
        path, _ = QFileDialog.getSaveFileName(self, "Export everything", str(Path.home() / name),
                                              "Zip archive (*.zip)")
        if not path:
            return None
        return self.export(Path(path if path.lower().endswith(".zip") else path + ".zip"))

    def export(self, destination: Path) -> Op:
        """A ``.zip`` file, or a new or empty folder."""
        store = self._store
        progress = QProgressDialog("Exporting everything…", "Cancel", 0, 0, self)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(500)

        def job(cancel):
            return privacy.export_everything(store(), destination, cancel=cancel)

        self._busy(True)
        self.op = Op(self, job).on(store_executor()) \
            .success(lambda r: self._say(f"Exported {r.messages} emails, {r.documents} "
                                         f"documents and {len(r.files)} files to "
                                         f"{r.destination}.")) \
            .failure(lambda exc: self._say(f"Could not export: {exc}")) \
            .cancelled(lambda: self._say("Export cancelled; nothing was written.")) \
            .finished(lambda: (progress.reset(), progress.deleteLater(),
                               self._busy(False))).run()
        progress.canceled.connect(self.op.cancel)
        return self.op

    def ask_delete(self) -> Op:
        store = self._store

        def plan() -> tuple[dict, list[str], list[str]]:
            summary = privacy.data_summary(store())
            return (summary, *privacy.planned_deletion(Path(summary["home"])))

        return Op(self, plan).on(store_executor()).success(self._confirm_delete).run()

    def _confirm_delete(self, planned: tuple[dict, list[str], list[str]]) -> None:
        dialog = DeleteConfirmation(*planned, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.delete_everything()

    def delete_everything(self) -> Op:
        """Delete everything, without asking: the store is closed first, on its thread."""
        store, release = self._store, self._release

        def job() -> privacy.Deleted:
            home = store().home
            return privacy.delete_everything(home, before=release)

        self.about_to_delete.emit()
        self._busy(True)
        self._say("Deleting…")
        self.op = Op(self, job).on(store_executor()) \
            .success(self._deleted) \
            .failure(lambda exc: self._say(f"Could not delete everything: {exc}")) \
            .finished(lambda: self._busy(False)).run()
        return self.op

    def _deleted(self, result: privacy.Deleted) -> None:
        left = f" Left in place: {'; '.join(result.kept)}." if result.kept else ""
        self._say(f"Deleted {len(result.removed)} items: all your data is gone.{left}")
        self.data_changed.emit()
        self.refresh()

    # --- state --------------------------------------------------------------------------
    def _busy(self, busy: bool) -> None:
        for made in (self.forget_sender_button, self.forget_thread_button,
                     self.export_button, self.delete_button):
            made.setEnabled(not busy)
        self.forget_source_button.setEnabled(not busy and bool(self.table.selectedItems()))

    def _say(self, text: str) -> None:
        self.status.setText(text)
