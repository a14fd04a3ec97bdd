"""Parts of the drafting window: the compose panel with its "reply to" box, the list of
emails used as context, and a viewer for one stored message.

The email replied to comes from one of three places: text pasted into the box (sent to the
drafting service as ``DraftRequest.reply_text``), an ``.eml``/``.msg`` file dropped on the
box or chosen with Browse (sent as a path), or a received message picked from the indexed
inbox (sent as its catalogue id). A dropped file or a picked message wins over pasted text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
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
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.drafting import DraftRequest
from app.qt.ops import Op, store_executor
from store.retrieval import SearchFilters


def human_duration(seconds: float) -> str:
    """A time left as people read it: "45 s", "3 min 05 s", "1 h 20 min"."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


MAIL_SUFFIXES = (".eml", ".msg", ".emlx")
TONES = ["", "warm", "friendly", "formal", "firm", "apologetic", "enthusiastic", "brief"]


def mail_files(mime) -> list[str]:
    """Local mail files among dropped URLs."""
    return [u.toLocalFile() for u in mime.urls()
            if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in MAIL_SUFFIXES]


class DropEdit(QPlainTextEdit):
    """A text box that takes pasted mail, and hands dropped mail files on as ``fileDropped``."""

    fileDropped = Signal(str)

    def dragEnterEvent(self, event) -> None:
        if mail_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if mail_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        files = mail_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.fileDropped.emit(files[0])
        else:
            super().dropEvent(event)


class ReplyBox(QWidget):
    changed = Signal()

    def __init__(self, inbox: Callable, parent: QWidget | None = None):
        """``inbox()`` returns the window's Store; it is only ever called on the store thread."""
        super().__init__(parent)
        self._inbox = inbox
        self._reply_to: str | None = None
        self._search_seq = 0
        self.chosen = QLabel()
        self.chosen.setWordWrap(True)
        self.clear_button = QToolButton(text="Clear", toolTip="Not a reply")
        self.clear_button.clicked.connect(self.clear)
        chosen_row = QHBoxLayout()
        chosen_row.addWidget(self.chosen, 1)
        chosen_row.addWidget(self.clear_button)

        self.paste = DropEdit(placeholderText="Paste the email you are answering, or drop an "
                                              ".eml / .msg file here")
        self.paste.fileDropped.connect(self.set_file)
        self.paste.textChanged.connect(self.changed)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        paste_page = QWidget()
        paste_layout = QVBoxLayout(paste_page)
        paste_layout.setContentsMargins(0, 0, 0, 0)
        paste_layout.addWidget(self.paste)
        paste_layout.addWidget(browse, 0, Qt.AlignmentFlag.AlignRight)

        self.search = QLineEdit(placeholderText="Search the mail you received…",
                                clearButtonEnabled=True)
        self.results = QListWidget()
        self.results.itemActivated.connect(self._pick)
        self.results.itemDoubleClicked.connect(self._pick)
        self.search_status = QLabel()
        use = QPushButton("Reply to this")
        use.clicked.connect(lambda: self._pick(self.results.currentItem()))
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.run_search)
        self.search.textEdited.connect(lambda _: self._debounce.start())
        self.search.returnPressed.connect(self.run_search)
        inbox_page = QWidget()
        inbox_layout = QVBoxLayout(inbox_page)
        inbox_layout.setContentsMargins(0, 0, 0, 0)
        inbox_layout.addWidget(self.search)
        inbox_layout.addWidget(self.results)
        row = QHBoxLayout()
        row.addWidget(self.search_status, 1)
        row.addWidget(use)
        inbox_layout.addLayout(row)

        self.tabs = QTabWidget()
        self.tabs.addTab(paste_page, "Paste or drop")
        self.tabs.addTab(inbox_page, "From your inbox")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(chosen_row)
        layout.addWidget(self.tabs)
        self.setAcceptDrops(True)
        self._show_chosen("")

    # --- the request fields -------------------------------------------------------------
    @property
    def reply_to(self) -> str | None:
        return self._reply_to

    @property
    def reply_text(self) -> str:
        return "" if self._reply_to else self.paste.toPlainText().strip()

    def set_file(self, path: str) -> None:
        self._reply_to = str(Path(path))
        self._show_chosen(f"Replying to the file <b>{Path(path).name}</b>")

    def set_message(self, ident: str, label: str) -> None:
        self._reply_to = ident
        self._show_chosen(f"Replying to <b>{escape(label)}</b>")

    def clear(self) -> None:
        self._reply_to = None
        self.paste.clear()
        self._show_chosen("")

    def _show_chosen(self, html: str) -> None:
        self.chosen.setText(html)
        self.chosen.setVisible(bool(html))
        self.clear_button.setVisible(bool(html))
        self.paste.setEnabled(not self._reply_to)
        self.changed.emit()

    # --- drop on the whole box, browse --------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if mail_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = mail_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.set_file(files[0])

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "The email you are answering", "",
                                              "Email (*.eml *.msg *.emlx);;All files (*)")
        if path:
            self.set_file(path)

    # --- the inbox ----------------------------------------------------------------------
    def run_search(self) -> None:
        query = self.search.text().strip()
        self._search_seq += 1
        seq = self._search_seq
        if not query:
            self.results.clear()
            self.search_status.setText("")
            return
        self.search_status.setText("Searching…")
        inbox = self._inbox

        def search():
            return inbox().search(query, k=25, filters=SearchFilters(own=False, kind="email"))

        Op(self, search).on(store_executor()) \
            .success(lambda hits: self._show_hits(seq, hits)) \
            .failure(lambda exc: self.search_status.setText(f"Search failed: {exc}")).run()

    def _show_hits(self, seq: int, hits: list) -> None:
        if seq != self._search_seq:
            return  # a newer search is on its way
        self.results.clear()
        for hit in hits:
            label = f"{hit.subject or '(no subject)'} — {hit.sender} · {hit.date[:10]}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, hit.message_id)
            item.setToolTip(hit.text[:600])
            self.results.addItem(item)
        self.search_status.setText(f"{len(hits)} found" if hits else "Nothing found")

    def _pick(self, item: QListWidgetItem | None) -> None:
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            self.set_message(item.data(Qt.ItemDataRole.UserRole), item.text())


class ComposePanel(QWidget):
    """What to draft: instruction, recipient, reply-to, tone, length, variants, model, toggles.
    ``form`` is its layout, for the window to add its buttons."""

    def __init__(self, inbox: Callable, parent: QWidget | None = None):
        super().__init__(parent)
        self.instruction = QPlainTextEdit(placeholderText="What should the email say? e.g. "
                                          "tell Sam the rota is attached; ask if Tuesday suits")
        self.recipient = QLineEdit(placeholderText="name or address (optional)")
        self.reply = ReplyBox(inbox)
        self.tone = QComboBox(editable=True)
        self.tone.addItems(TONES)
        self.tone.lineEdit().setPlaceholderText("as usual")
        self.length = QComboBox()
        self.length.addItems(["short", "medium", "long"])
        self.length.setCurrentText("medium")
        self.variants = QSpinBox(minimum=1, maximum=3, value=1)
        self.model = QComboBox()
        self.use_rag = QCheckBox("Show the model my past emails", checked=True)
        self.use_adapter = QCheckBox("Use my trained style", checked=True)
        self.form = QFormLayout(self)
        self.form.addRow("Instruction", self.instruction)
        self.form.addRow("To", self.recipient)
        self.form.addRow("Reply to", self.reply)
        row = QHBoxLayout()
        for label, widget in (("Tone", self.tone), ("Length", self.length),
                              ("Variants", self.variants)):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        self.form.addRow(row)
        self.form.addRow("Model", self.model)
        self.form.addRow(self.use_rag)
        self.form.addRow(self.use_adapter)

    def set_models(self, found: tuple[list[str], str, dict[str, bool]]) -> None:
        """(names, the default, whether each has a trained adapter), from the catalogue."""
        names, default, adapters = found
        self.model.clear()
        for name in names:
            self.model.addItem(name + ("" if adapters[name] else "  (no trained style yet)"),
                               name)
        if default in names:
            self.model.setCurrentIndex(names.index(default))

    def request(self, channel: str | None = None) -> DraftRequest:
        return DraftRequest(
            instruction=self.instruction.toPlainText().strip(),
            reply_to=self.reply.reply_to, reply_text=self.reply.reply_text,
            recipient=self.recipient.text().strip(), tone=self.tone.currentText().strip() or None,
            length=self.length.currentText(), variants=self.variants.value(),
            use_rag=self.use_rag.isChecked(), use_adapter=self.use_adapter.isChecked(),
            model=self.model.currentData(), channel=channel,
        )


class ContextList(QTreeWidget):
    """The user's own emails a draft was shown as examples, with score and snippet.
    Double-click opens one, read with ``inbox()`` on the store thread."""

    notice = Signal(str)

    def __init__(self, inbox: Callable, parent: QWidget | None = None):
        super().__init__(parent)
        self._inbox = inbox
        self.dialog: MessageDialog | None = None
        self.setHeaderLabels(["Score", "Subject", "Date", "Snippet"])
        self.setRootIsDecorated(False)
        self.itemDoubleClicked.connect(self.open_item)

    def show_context(self, context: list) -> None:
        self.clear()
        for email in context:
            item = QTreeWidgetItem([f"{email.score:.3f}", email.subject or "(no subject)",
                                    email.date, " ".join(email.snippet.split())[:160]])
            item.setData(0, Qt.ItemDataRole.UserRole, email.message_id)
            item.setToolTip(3, email.snippet)
            self.addTopLevelItem(item)

    def open_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        ident, inbox = item.data(0, Qt.ItemDataRole.UserRole), self._inbox

        def fetch() -> dict | None:
            row = inbox().message(ident)
            return dict(row) if row is not None else None

        Op(self, fetch).on(store_executor()).success(self._show) \
            .failure(lambda exc: self.notice.emit(f"Could not open it: {exc}")).run()

    def _show(self, row: dict | None) -> None:
        if row is None:
            self.notice.emit("That email is no longer in your catalogue.")
            return
        self.dialog = MessageDialog(row, self)
        self.dialog.show()


class MessageDialog(QDialog):
    """One stored message, read-only (``row``: the catalogue's columns as a dict)."""

    def __init__(self, row: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(row.get("subject") or "(no subject)")
        sender = row.get("from_name") or ""
        address = row.get("from_addr") or ""
        date = datetime.fromtimestamp(row["date"], UTC).strftime("%Y-%m-%d %H:%M") \
            if row.get("date") else ""
        head = QLabel(f"<b>{escape(row.get('subject') or '(no subject)')}</b><br>"
                      f"{escape(sender)} &lt;{escape(address)}&gt; · {date}")
        head.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body = QTextBrowser()
        self.body.setPlainText(row.get("body") or row.get("full_text") or "")
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.body)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(640, 520)
