"""The drafting window: compose, watch the draft stream in, edit, then copy, save or accept.

Every store, file and model call runs through ``app.qt.ops.Op``: the store and the feedback
file on the one-thread store executor, drafting on the global pool. The window keeps two
store handles apart: its own for the inbox list and the message viewer (store thread only),
and the drafting service's, which the service guards itself.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.draft_actions import keep_accepted, model_choices
from app.drafting import Draft, DraftEvent, DraftingService, DraftRequest
from app.outbox import mailto_url, save_eml
from app.qt.ops import Op, StoreHandle, store_executor
from app.qt.variants import VariantPanes
from app.qt.widgets import ComposePanel, ContextList
from app.shared_drafting import SharedDrafting
from app.training_status import pending_count
from store.jobs import CancelToken


def _button(text: str, slot, enabled: bool = False) -> QPushButton:
    button = QPushButton(text, enabled=enabled)
    button.clicked.connect(slot)
    return button


class DraftWindow(QMainWindow):
    # Load the model and the embedder as the window opens, so the first draft starts as
    # fast as the second (bench/bench_first_draft.py turns it off to measure the cold case).
    warm_start = True
    prefill_after_ms = 400

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False,
                 drafting: SharedDrafting | None = None):
        """``drafting`` is the desktop's shared service; a window on its own opens one."""
        super().__init__(parent)
        self.compact = compact  # the quick-draft window: instruction, To, the draft, Copy
        self.setWindowTitle("Amanuensis — quick draft" if compact else "Amanuensis — draft")
        self.channel = f"draft-window-{id(self):x}"
        self._service: Future = Future()  # workers wait on it; the GUI only asks if it is done
        self._own_drafting = drafting is None
        self._drafting = drafting or SharedDrafting()
        self._cancel = CancelToken()  # the running draft's: Stop and closing set it
        self._inbox = StoreHandle()  # the inbox list and the message viewer
        self._request: DraftRequest | None = None
        self.drafts: dict[int, Draft] = {}
        self._subjects: dict[int, str] = {}
        self.op: Op | None = None  # the running draft
        self._run = 0
        self._stop_requested = False
        self.token_events = 0  # text pieces received in the current run
        self.pending: int | None = None
        self.warmed: dict | None = None  # the warm-up's timings once the model is ready
        self._released = False
        self._build()
        self._start()

    # --- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.compose = ComposePanel(self._inbox.get)
        self.draft_button = _button("Draft", lambda: self.start_draft(), enabled=True)
        self.stop_button = _button("Stop", self.stop)
        self.regenerate_button = _button("Regenerate", lambda: self.start_draft(regenerate=True))
        QShortcut(QKeySequence("Ctrl+Return"), self, self.start_draft)
        # A pause in typing reads the prompt ahead, so Draft's first token comes at once.
        self._prefill_timer = QTimer(self, singleShot=True, interval=self.prefill_after_ms,
                                     timeout=self._prefill)
        self.compose.instruction.textChanged.connect(lambda: self._prefill_timer.start())
        self.compose.recipient.textChanged.connect(lambda _: self._prefill_timer.start())
        self._prefilled: DraftRequest | None = None
        self._prefilling = False
        QShortcut(QKeySequence("Escape"), self, self.stop)

        buttons = QHBoxLayout()
        for button in (self.draft_button, self.stop_button, self.regenerate_button):
            buttons.addWidget(button)
        self.compose.form.addRow(buttons)

        self.subject = QLineEdit(placeholderText="Subject")
        self.subject.textEdited.connect(
            lambda text: self._subjects.__setitem__(self.outputs.currentIndex(), text))
        self.outputs = VariantPanes()
        self.outputs.currentChanged.connect(self._show_subject)
        self.context_list = ContextList(self._inbox.get)
        self.context_list.notice.connect(lambda text: self._say(text, 5000))
        self.context_label = QLabel("Emails used as context (double-click to read)")
        actions = QHBoxLayout()
        self.copy_button = _button("Copy", self.copy)
        self.save_button = _button("Save as .eml…", self._save_dialog)
        self.mail_button = _button("Open in mail client", self.open_in_mail_client)
        self.accept_button = _button("Accept", self.accept_draft)
        self.accept_button.setToolTip("Keep your edited text: tonight's training learns from it")
        for button in (self.copy_button, self.save_button, self.mail_button, self.accept_button):
            actions.addWidget(button)
        self.pending_label = QLabel()
        self.check_label = QLabel()  # what the shown draft left out of the request
        self.check_label.setWordWrap(True)
        output = QWidget()
        column = QVBoxLayout(output)
        column.addWidget(self.subject)
        column.addWidget(self.outputs, 3)
        column.addWidget(self.check_label)
        column.addLayout(actions)
        column.addWidget(self.pending_label)
        column.addWidget(self.context_label)
        column.addWidget(self.context_list, 1)

        splitter = QSplitter(Qt.Orientation.Vertical if self.compact else Qt.Orientation.Horizontal)
        splitter.addWidget(self.compose)
        splitter.addWidget(output)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)
        self.timings = QLabel()
        self.timings.setStyleSheet("color: gray;")
        self.statusBar().addPermanentWidget(self.timings)
        self.resize(1100, 720)
        self._editor(0)
        if self.compact:
            self._make_compact()

    def _make_compact(self) -> None:
        """Keep what a quick note needs; the settings of the full window still apply."""
        for row in (2, 3, 4, 5, 6):  # reply-to, tone/length/variants, model, the two toggles
            self.compose.form.setRowVisible(row, False)
        for widget in (self.context_label, self.context_list, self.save_button,
                       self.regenerate_button):
            widget.hide()
        self.compose.length.setCurrentText("short")
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.resize(560, 480)

    def _start(self) -> None:
        self._say("Loading the model…")
        Op(self, self._open_service).on(store_executor()) \
            .success(self._service_opened) \
            .failure(lambda exc: self._say(f"Could not open your data: {exc}")).run()
        Op(self, model_choices).success(self.compose.set_models).run()
        self.refresh_pending()

    # --- worker side (never touches a widget) -------------------------------------------
    def _open_service(self) -> DraftingService:
        try:
            service = self._drafting.open()
        except BaseException as exc:
            self._service.set_exception(exc)
            raise
        self._service.set_result(service)
        return service

    def _warm_up(self, model: str | None) -> dict:
        return self._drafting.open().warm_up(model)

    def _prefill(self) -> None:
        if self.busy or self._prefilling or self.warmed is None:
            return
        request = self.build_request()
        if not request.instruction.strip() or request == self._prefilled:
            return
        self._prefilled, self._prefilling = request, True
        Op(self, lambda: self._drafting.open().prefill(request)) \
            .finished(lambda: setattr(self, "_prefilling", False)).run()

    def _stream(self, request: DraftRequest):
        # The service open now: after a forget, the desktop reopened it on the new data.
        return self._drafting.open().stream_draft(request)

    # --- GUI side -----------------------------------------------------------------------
    @property
    def service(self) -> DraftingService | None:
        """The drafting service once it is open (asking never blocks)."""
        ready = self._service.done() and self._service.exception() is None
        return self._drafting.current() if ready else None

    def _service_opened(self, _service) -> None:
        if not self.warm_start:
            self._say("Ready", 3000)
            return
        Op(self, self._warm_up, self.compose.model.currentData()).success(self._warmed) \
            .failure(lambda exc: self._say(f"Could not load the model: {exc}")).run()

    def _warmed(self, timings: dict) -> None:
        self.warmed = timings
        if not self.busy:
            self._say("Ready", 3000)

    def _say(self, text: str, msecs: int = 0) -> None:
        self.statusBar().showMessage(text, msecs)

    def reload_settings(self) -> None:
        """Saved in the settings dialog: the model list and its default (the drafting
        service reloads its own settings as they are saved)."""
        Op(self, model_choices).success(self.compose.set_models).run()

    def refresh_pending(self) -> None:
        Op(self, pending_count).on(store_executor()).success(self._show_pending).run()

    def _show_pending(self, count: int) -> None:
        self.pending = count
        self.pending_label.setText(f"{count} example{'s' if count != 1 else ''} waiting for "
                                   "tonight's training")

    def build_request(self) -> DraftRequest:
        return self.compose.request(self.channel)

    @property
    def busy(self) -> bool:
        return self.op is not None and not self.op.is_done

    def start_draft(self, regenerate: bool = False) -> None:
        if self.busy:
            return
        request = self._request if regenerate and self._request else self.build_request()
        if not request.instruction:
            self._say("Write what the email should say first.", 4000)
            self.compose.instruction.setFocus()
            return
        self._request = request
        self._run += 1
        run = self._run
        self._stop_requested = False
        self.token_events = 0
        self.drafts.clear()
        self._subjects.clear()
        self.subject.clear()
        self.context_list.clear()
        while self.outputs.count() > request.variants:
            self.outputs.removeTab(self.outputs.count() - 1)
        for variant in range(request.variants):
            editor = self._editor(variant)
            editor.clear()
            editor.setReadOnly(True)
        self.timings.clear()
        self.check_label.clear()
        self._say("Drafting…")
        self._set_busy(True)
        self._cancel = CancelToken()
        request = replace(request, cancel=self._cancel)
        self.op = Op(self, self._stream, request) \
            .progress(lambda event: self._on_event(run, event)) \
            .failure(lambda exc: self._on_failed(run, exc)) \
            .finished(lambda: self._on_finished(run)).run()

    def stop(self) -> None:
        """Stop the generation itself (between two tokens), not just the display."""
        if not self.busy:
            return
        self._stop_requested = True
        self._say("Stopping…")
        self._cancel.cancel()

    def _on_event(self, run: int, event: DraftEvent) -> None:
        if run != self._run:
            return
        if event.kind == "context":
            self._show_context(event.context or [])
        elif event.kind == "token":
            self.token_events += 1
            cursor = QTextCursor(self._editor(event.variant).document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(event.text)
        elif event.kind == "checking":
            self._say("Checking other drafts for what you asked…")
        elif event.kind == "draft" and event.draft is not None:
            draft = event.draft
            self._show_check(draft)
            self.drafts[event.variant] = draft
            self._subjects[event.variant] = draft.subject
            if draft.to and not self.compose.recipient.text().strip():
                self.compose.recipient.setText(draft.to)  # "email jo@acme.com that …"
            editor = self._editor(event.variant)
            editor.setPlainText(draft.text)
            editor.setReadOnly(False)
            self._show_subject(self.outputs.currentIndex())
            self._show_timings(draft)

    def _on_failed(self, run: int, exc: BaseException) -> None:
        if run == self._run:
            self._say(f"Could not draft: {exc}")

    def _on_finished(self, run: int) -> None:
        if run != self._run:
            return
        self._set_busy(False)
        for variant in range(self.outputs.count()):
            self._editor(variant).setReadOnly(False)
        stopped = any(d.stop_reason == "cancelled" for d in self.drafts.values())
        if self.drafts:
            self._say("Stopped." if stopped else "Done.", 4000)

    def _set_busy(self, busy: bool) -> None:
        self.draft_button.setEnabled(not busy)
        self.regenerate_button.setEnabled(not busy and self._request is not None)
        self.stop_button.setEnabled(busy)
        for button in (self.copy_button, self.save_button, self.mail_button, self.accept_button):
            button.setEnabled(not busy and bool(self.drafts))

    def _editor(self, variant: int) -> QPlainTextEdit:
        while self.outputs.count() <= variant:
            editor = QPlainTextEdit()
            editor.textChanged.connect(lambda: self.accept_button.setEnabled(
                not self.busy and bool(self.drafts)))
            self.outputs.addTab(editor, f"Variant {self.outputs.count() + 1}")
        self.outputs.setTabText(0, "Draft" if self.outputs.count() == 1 else "Variant 1")
        return self.outputs.widget(variant)

    def _show_check(self, draft: Draft) -> None:
        best = f"best of {draft.candidates} drafts · " if draft.candidates > 1 else ""
        if draft.check.get("filled"):
            best += f"put back: {', '.join(draft.check['filled'])} · "
        if draft.check.get("struck"):
            best += f"took out {', '.join(draft.check['struck'])}, which nothing you gave has · "
        if draft.check.get("from_request"):
            best += "written from your request: the model's drafts missed it"
            best += ", then went on in your words · " if draft.check.get("written_on") else " · "
        unasked = (f"check before sending, not from your request: {', '.join(draft.unasked)}"
                   if draft.unasked else "")
        if draft.missing:
            self.check_label.setText(f"{best}did not mention: {', '.join(draft.missing)}"
                                     + (f" · {unasked}" if unasked else ""))
            self.check_label.setStyleSheet("color: #a05a00;")
        elif unasked:
            self.check_label.setText(best + unasked)
            self.check_label.setStyleSheet("color: #a05a00;")
        elif len(draft.check.get("facts_required", [])) > 1:
            self.check_label.setText(f"{best}has every name, number and date you gave")
            self.check_label.setStyleSheet("color: #2e7d32;")
        else:
            self.check_label.setText(best.rstrip(" ·"))
            self.check_label.setStyleSheet("color: gray;")

    def _show_subject(self, index: int) -> None:
        self.subject.setText(self._subjects.get(index, ""))

    def _show_context(self, context: list) -> None:
        self.context_list.show_context(context)
        self.context_label.setText(f"{len(context)} of your emails used as context "
                                   "(double-click to read)" if context else
                                   "No emails of yours used as context")

    def _show_timings(self, draft: Draft) -> None:
        t = draft.timings
        style = f" + {draft.adapter}" if draft.adapter else ""
        stopped = " · stopped" if draft.stop_reason == "cancelled" else ""
        self.timings.setText(
            f"{draft.model}{style} · retrieval {t.get('retrieval_s', 0):.2f} s · first token "
            f"{t.get('ttft_s', 0):.2f} s · {t.get('tokens_per_s', 0):.0f} tok/s · "
            f"{draft.completion_tokens} tokens{stopped}")

    # --- actions ------------------------------------------------------------------------
    def current_draft(self) -> Draft | None:
        """The current tab's draft with the user's edits to its text and subject."""
        index = self.outputs.currentIndex()
        draft = self.drafts.get(index)
        if draft is None:
            return None
        return replace(draft, text=self._editor(index).toPlainText(), subject=self.subject.text())

    def copy(self) -> None:
        draft = self.current_draft()
        if draft is not None:
            QGuiApplication.clipboard().setText(draft.text)
            self._say("Copied.", 3000)

    def _save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the draft", "draft.eml",
                                              "Email (*.eml)")
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> Op | None:
        draft = self.current_draft()
        if draft is None:
            return None
        return Op(self, save_eml, draft, path, to=self.compose.recipient.text().strip()) \
            .success(lambda saved: self._say(f"Saved to {saved}.", 5000)) \
            .failure(lambda exc: self._say(f"Could not save: {exc}")).run()

    def open_in_mail_client(self) -> None:
        draft = self.current_draft()
        if draft is not None:
            url = mailto_url(draft, self.compose.recipient.text().strip())
            QDesktopServices.openUrl(QUrl.fromEncoded(url.encode("ascii")))

    def accept_draft(self) -> Op | None:
        """Keep the final, edited text with its instruction for the next training run."""
        draft, request = self.current_draft(), self._request
        if draft is None or request is None or not draft.text.strip() or self.busy:
            return None
        proposed, drafting = self.drafts[self.outputs.currentIndex()].text, self._drafting

        def keep() -> int:
            return keep_accepted(drafting.open(), request, draft, proposed)

        self.accept_button.setEnabled(False)
        return Op(self, keep).on(store_executor()) \
            .success(self._accepted) \
            .failure(lambda exc: self._say(f"Could not keep it: {exc}")) \
            .run()

    def _accepted(self, count: int) -> None:
        self._show_pending(count)
        self._say("Kept: tonight's training will learn from your text.", 5000)

    # --- closing ------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        super().closeEvent(event)
        if self._released:
            return
        self._released = True
        drafting = self.op if self.busy else None
        if drafting is not None:
            self._cancel.cancel()
            drafting.cancel()
        shared = None if not self._own_drafting else self._drafting
        window = self

        def release() -> None:  # after the draft in flight, then on the store thread
            if drafting is not None:
                drafting.wait(60)
            if shared is not None:  # the desktop's service stays open for its other windows
                shared.close()
            window._inbox.close()

        Op(None, release).on(store_executor()).run()
