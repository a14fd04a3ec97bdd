"""The import wizard: source → your addresses → what to import → progress and summary.

    wizard = ImportWizard(parent)
    wizard.finished_import.connect(on_report)  # store.importer.ImportReport, also when stopped
    wizard.show()

The wizard owns one ``Store``, opened, used and closed on the store executor's thread only
(``StoreHandle``); the GUI thread never waits on it. Scanning and importing are ``Op`` jobs
there; the import's progress events come back through a queued signal, and Stop sets the
job's cancel token, so the import ends after the message in hand. Imports are resumable and
incremental: running the wizard again on the same source takes only what is new.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.qt.import_pages import FiltersPage, IdentityPage, SourcePage
from app.qt.ops import Op, StoreHandle, import_executor
from app.qt.widgets import human_duration
from store.importer import ImportFilters, ImportReport
from store.jobs import CancelToken, Progress
from store.sources import SourcePreview, thunderbird_profiles

_PHASES = {"reading": ("Reading your mail", "messages"), "indexing": ("Indexing for search",
                                                                       "passages")}


class _ProgressRelay(QObject):
    """Lives on the GUI thread; the import emits on the import thread, slots run queued."""

    event = Signal(object)


# --- the import thread (never touches a widget) ---------------------------------------------
def _scan(handle: StoreHandle, paths: list[Path], cancel: CancelToken):
    store = handle.get()
    return store.preview(paths, cancel=cancel), store.catalogue.identity(), \
        store.suggest_identity()


def _import(handle: StoreHandle, paths: list[Path], me: list[str],
            filters: ImportFilters | None, relay: _ProgressRelay,
            cancel: CancelToken) -> ImportReport:
    def progress(event: Progress) -> None:
        with suppress(RuntimeError):  # Qt is shutting down; the token stops the import
            relay.event.emit(event)

    return handle.get().import_paths(paths, me=me or None, filters=filters,
                                     progress=progress, cancel=cancel)


def summary_lines(report: ImportReport) -> list[str]:
    """The summary the progress page shows, one line per count."""
    if report.status == "cancelled":
        head = (f"Import stopped after {report.elapsed_s:.1f} s. What was read is kept: run "
                "the wizard again on the same source to continue where it stopped.")
    else:
        head = f"Import finished in {report.elapsed_s:.1f} s from {report.sources} source(s)."
    by = ", ".join(f"{how}: {n:,}" for how, n in sorted(report.duplicates_by.items()))
    skipped = sum(report.skipped.values())
    reasons = ", ".join(f"{reason}: {n:,}" for reason, n in sorted(report.skipped.items()))
    lines = [
        head,
        f"Imported: {report.imported:,} messages, {report.documents:,} documents",
        f"Duplicates: {report.duplicates:,}" + (f" ({by})" if by else ""),
        f"Already imported: {report.already_imported:,}",
        f"Skipped: {skipped:,}" + (f" ({reasons})" if reasons else ""),
        f"Errors: {len(report.errors):,}",
    ]
    if report.indexed_chunks:
        lines.append(f"Indexed for search: {report.indexed_chunks:,} passages")
    addresses = report.identity.get("addresses") or []
    if addresses:
        guessed = " (guessed from your sent folders)" if report.identity.get(
            "origin") == "suggested" else ""
        lines.append("You are: " + ", ".join(addresses) + guessed)
    return lines


class ProgressPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.owner = wizard
        self.setTitle("Importing")
        self.phase = QLabel("Starting…")
        self.bar = QProgressBar()
        self.rate = QLabel()
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the message in hand; a later run continues")
        self.stop_button.clicked.connect(self.stop)
        self.summary = QLabel(wordWrap=True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errors = QTreeWidget()
        self.errors.setHeaderLabels(["File", "Problem"])
        self.errors.setRootIsDecorated(False)
        self.errors_label = QLabel("Problems (each names its file):")
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.stop_button)
        column = QVBoxLayout(self)
        column.addWidget(self.phase)
        column.addLayout(row)
        column.addWidget(self.rate)
        column.addWidget(self.summary)
        column.addWidget(self.errors_label)
        column.addWidget(self.errors, 1)
        self.report: ImportReport | None = None
        self.failed = False
        self.last: Progress | None = None
        self.events = 0

    def initializePage(self) -> None:
        self.report, self.failed, self.last, self.events = None, False, None, 0
        self.phase.setText("Starting…")
        self.bar.setRange(0, 0)
        self.rate.clear()
        self.summary.clear()
        self.errors.clear()
        for widget in (self.errors, self.errors_label):
            widget.hide()
        self.stop_button.setEnabled(True)
        self.owner.start_import()

    def stop(self) -> None:
        if self.owner.stop_import():
            self.stop_button.setEnabled(False)
            self.phase.setText("Stopping after the message in hand…")

    def show_progress(self, event: Progress) -> None:
        if self.report is not None:
            return
        self.events += 1
        self.last = event
        title, unit = _PHASES.get(event.phase, (event.phase.capitalize(), "items"))
        if not self.stop_button.isEnabled():
            title = "Stopping"
        detail = f" — {event.detail}" if event.detail else ""
        self.phase.setText(f"{title}{detail}")
        if event.total:
            self.bar.setRange(0, event.total)
            self.bar.setValue(min(event.done, event.total))
            self.bar.setFormat(f"%v of %m {unit} (%p%)")
        else:
            self.bar.setRange(0, 0)
        eta = f" · about {human_duration(event.eta_s)} left" if event.eta_s is not None else ""
        self.rate.setText(f"{event.rate:,.0f} {unit}/s{eta}")

    def show_report(self, report: ImportReport) -> None:
        self.report = report
        self.stop_button.setEnabled(False)
        done = report.status != "cancelled"
        self.phase.setText("Done." if done else "Stopped.")
        if done and self.bar.maximum() == 0:
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
        self.rate.clear()
        self.summary.setText("\n".join(summary_lines(report)))
        for error in report.errors:
            item = QTreeWidgetItem([error["file"], error["reason"]])
            item.setToolTip(0, error["file"])
            self.errors.addTopLevelItem(item)
        for widget in (self.errors, self.errors_label):
            widget.setVisible(bool(report.errors))
        self.completeChanged.emit()

    def show_failure(self, exc: BaseException) -> None:
        self.failed = True
        self.stop_button.setEnabled(False)
        self.phase.setText("The import failed.")
        self.summary.setText(f"{type(exc).__name__}: {exc}")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.report is not None or self.failed


class ImportWizard(QWizard):
    """Signals: ``finished_import(ImportReport)`` once an import ends (finished or stopped)."""

    finished_import = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, home: Path | None = None,
                 profiles_home: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import mail — Amanuensis")
        self._handle = StoreHandle(home, import_executor)
        self.preview: SourcePreview | None = None
        self._identity: dict[str, str] = {}
        self._store_suggestions: list = []
        self.report: ImportReport | None = None
        self.scan_op: Op | None = None
        self.import_op: Op | None = None
        self._scan_run = 0
        self._released = False
        self.source_page = SourcePage(self)
        self.identity_page = IdentityPage(self)
        self.filters_page = FiltersPage(self)
        self.progress_page = ProgressPage(self)
        for page in (self.source_page, self.identity_page, self.filters_page,
                     self.progress_page):
            self.addPage(page)
        self._relay = _ProgressRelay()
        self._relay.event.connect(self.progress_page.show_progress)
        self.resize(860, 640)
        Op(self, thunderbird_profiles, profiles_home) \
            .success(self.source_page.show_profiles) \
            .failure(lambda exc: self.source_page.show_profiles([])).run()

    # --- scanning -----------------------------------------------------------------------
    def forget_preview(self) -> None:
        self.preview = None
        self._scan_run += 1  # a scan in flight is for other paths now

    def scan(self, paths: list[Path]) -> Op:
        if self.scan_op is not None and not self.scan_op.is_done:
            self.scan_op.cancel()
        self._scan_run += 1
        run = self._scan_run
        self.scan_op = Op(self, _scan, self._handle, list(paths)).on(import_executor()) \
            .success(lambda result: self._scanned(run, result)) \
            .failure(lambda exc: self._scan_failed(run, exc)).run()
        return self.scan_op

    def _scanned(self, run: int, result) -> None:
        if run != self._scan_run:
            return
        self.preview, self._identity, self._store_suggestions = result
        self.source_page.show_preview(self.preview)

    def _scan_failed(self, run: int, exc: BaseException) -> None:
        if run == self._scan_run:
            self.source_page.show_error(f"Could not scan: {exc}")

    @property
    def scanning(self) -> bool:
        return self.scan_op is not None and not self.scan_op.is_done

    def suggested_addresses(self) -> dict[str, str]:
        """Addresses to pre-fill, each with why: confirmed before, then suggested."""
        found: dict[str, str] = {}
        for address, origin in sorted(self._identity.items()):
            if origin == "user":
                found[address] = "you said so in an earlier import"
        for suggestion in (self.preview.suggested if self.preview else []):
            found.setdefault(suggestion.address,
                             f"{suggestion.reason} ({suggestion.messages} messages)")
        for suggestion in self._store_suggestions:
            found.setdefault(suggestion.address, f"{suggestion.reason} ({suggestion.messages} "
                                                 "messages already imported)")
        for address in sorted(self._identity):
            found.setdefault(address, "guessed in an earlier import")
        return found

    # --- importing ----------------------------------------------------------------------
    def start_import(self) -> Op:
        self.report = None
        self.import_op = Op(self, _import, self._handle, self.source_page.current_paths(),
                            self.identity_page.addresses(), self.filters_page.filters(),
                            self._relay).on(import_executor()) \
            .success(self._imported) \
            .failure(self.progress_page.show_failure).run()
        return self.import_op

    @property
    def importing(self) -> bool:
        return self.import_op is not None and not self.import_op.is_done

    def stop_import(self) -> bool:
        """Ask the running import to stop (it keeps what it has read); False if none runs."""
        if not self.importing:
            return False
        self.import_op.cancel()
        return True

    def _imported(self, report: ImportReport) -> None:
        self.report = report
        self.progress_page.show_report(report)
        self.finished_import.emit(report)

    # --- closing ------------------------------------------------------------------------
    def done(self, result: int) -> None:
        super().done(result)
        self.release()

    def release(self) -> None:
        """Stop what runs and close the store on its thread (after the job in hand)."""
        if self._released:
            return
        self._released = True
        for op in (self.scan_op, self.import_op):
            if op is not None and not op.is_done:
                op.cancel()
        self._handle.release()


def open_import_wizard(parent: QWidget | None = None, **kwargs) -> ImportWizard:
    """Show a new import wizard (deleted when closed) and return it."""
    wizard = ImportWizard(parent, **kwargs)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.show()
    return wizard
