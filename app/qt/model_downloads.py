"""Settings → Get models: what this machine has, the curated catalogue with what fits it,
and downloads with progress, rate, time left and cancel.

The machine check and the download run as ops off the GUI thread (``app.model_library``);
the page only shows their results. ``models_changed`` fires after a model was added.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.model_library import download_steps, library
from app.qt.ops import Op
from app.qt.widgets import human_duration

COLUMNS = ["Model", "Size", "Licence", "Drafting here", "Training on this CPU", "Status"]


def _size(row: dict) -> str:
    return f"{row['size_bytes'] / 1e9:.1f} GB" if row.get("size_bytes") else "?"


def _drafting(cell: dict) -> str:
    if not cell["fits"]:
        return f"needs {cell['memory_mb'] / 1024:.1f} GB of memory"
    if cell.get("gpu"):
        return "on the GPU"
    if cell.get("tokens_per_s"):
        return f"~{cell['tokens_per_s']:.0f} tokens/s, ~{cell['draft_seconds']:.0f} s a draft"
    return "fits"


def _training(cell: dict) -> str:
    if not cell["fits"]:
        return "not offered yet" if "not offered" in cell.get("why", "") else "does not fit"
    hours = cell.get("hours_per_epoch")
    return f"~{hours:.1f} h per pass over your mail" if hours is not None else "fits"


class ModelDownloadsPage(QWidget):
    models_changed = Signal(str)  # the name of the model just added

    def __init__(self, parent: QWidget | None = None, *, home: Path | None = None,
                 endpoint: str | None = None, catalogue: Path | None = None,
                 measure: bool = True):
        super().__init__(parent)
        self.home, self.endpoint, self.catalogue, self.measure = home, endpoint, catalogue, \
            measure
        self.rows: list[dict] = []
        self.check_op: Op | None = None
        self.download_op: Op | None = None
        self._build()

    def _build(self) -> None:
        self.machine = QLabel("Checking this computer…")
        self.machine.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selected)
        self.terms = QLabel()
        self.terms.setWordWrap(True)
        self.terms.setOpenExternalLinks(False)
        self.terms.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.download_button = QPushButton("Download")
        self.download_button.setEnabled(False)
        self.download_button.clicked.connect(self.download_selected)
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel("Nothing is downloaded unless you ask; drafting and training "
                             "never go online.")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Get models</b> — instruct models sized to this computer"))
        layout.addWidget(self.machine)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.terms)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

    # --- the machine check --------------------------------------------------------------
    def refresh(self) -> Op:
        if self.check_op is not None and not self.check_op.is_done:
            return self.check_op
        self.check_op = Op(self, library, self.home, measure=self.measure,
                           catalogue=self.catalogue) \
            .success(self.show_library) \
            .failure(lambda exc: self.machine.setText(f"Could not check this computer: {exc}"))
        return self.check_op.run()

    def show_library(self, report: dict) -> None:
        hw = report["hardware"]
        gpu = ", ".join(f"{g['name']} ({g['memory_total_mb'] / 1024:.0f} GB)"
                        for g in hw["gpus"]) or "no GPU"
        rec = report["recommendation"]
        self.machine.setText(
            f"{hw['cpu_model']}, {hw['physical_cores']} cores, "
            f"{hw['ram_total_mb'] / 1024:.0f} GB memory ({hw['ram_available_mb'] / 1024:.0f} GB "
            f"free), {gpu}, {hw['disk_free_mb'] / 1024:.0f} GB free disk. "
            f"Suggested: <b>{rec['drafting'] or 'none'}</b> for drafting, "
            f"<b>{rec['training'] or 'none'}</b> for overnight training. "
            "Speeds are estimates for this computer.")
        selected = self.selected_name()
        self.rows = report["catalogue"]
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            name = row["display_name"] + (" ★" if row["recommended"] else "")
            cells = [name, _size(row), row["license"], _drafting(row["drafting"]),
                     _training(row["cpu_training"]), self._status(row)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row["name"])
                if column == 0 and row["recommended"]:
                    item.setToolTip("Suggested for " + " and ".join(row["recommended"]))
                self.table.setItem(index, column, item)
        if selected:
            self.select(selected)
        self._selected()

    @staticmethod
    def _status(row: dict) -> str:
        if row["installed"]:
            return "downloaded"
        if row["partial_bytes"]:
            return f"paused at {row['partial_bytes'] / 2**20:.0f} MB"
        return ""

    # --- selection ----------------------------------------------------------------------
    def selected_name(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def select(self, name: str) -> None:
        for index, row in enumerate(self.rows):
            if row["name"] == name:
                self.table.selectRow(index)

    def _row(self, name: str | None) -> dict | None:
        return next((row for row in self.rows if row["name"] == name), None)

    def _selected(self) -> None:
        row = self._row(self.selected_name())
        busy = self.download_op is not None and not self.download_op.is_done
        self.download_button.setEnabled(row is not None and not row["installed"] and not busy)
        self.download_button.setText("Resume download" if row and row["partial_bytes"]
                                     else "Download")
        if row is None:
            self.terms.setText("")
            return
        self.terms.setText(
            f"{row['display_name']} from {row['repo']} — licence {row['license']} "
            f"({row['license_url']}). {row['local_use']}"
            + ("" if row["hash_confirmed"] else " Its hash is taken from the hub."))

    # --- downloading --------------------------------------------------------------------
    def download_selected(self) -> Op | None:
        name = self.selected_name()
        row = self._row(name)
        if row is None or row["installed"]:
            return None
        self.download_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.status.setText(f"Downloading {row['display_name']}…")
        self.download_op = Op(self, download_steps, name, self.home, endpoint=self.endpoint,
                              catalogue=self.catalogue) \
            .progress(self._show_progress).success(self._downloaded) \
            .failure(lambda exc: self.status.setText(f"Download failed: {exc}")) \
            .cancelled(lambda: self.status.setText(
                "Download paused; what arrived is kept, and Resume download carries on.")) \
            .finished(self._download_over)
        return self.download_op.run()

    def cancel_download(self) -> None:
        if self.download_op is not None:
            self.download_op.cancel()
            self.cancel_button.setEnabled(False)

    def _show_progress(self, event) -> None:
        if event.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * event.done / event.total))
        mb = 2**20
        what = "Checking" if event.phase == "verifying" else "Downloading"
        total = f" of {event.total / mb:,.0f}" if event.total else ""
        left = human_duration(event.eta_s) if event.eta_s is not None else "--"
        self.status.setText(f"{what}: {event.done / mb:,.0f}{total} MB · "
                            f"{event.rate / mb:.1f} MB/s · {left} left")

    def _downloaded(self, info) -> None:
        self.status.setText(f"Downloaded {info.name} and checked its SHA-256; it is in your "
                            "models list.")
        self.models_changed.emit(info.name)

    def _download_over(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setEnabled(False)
        self.refresh()
