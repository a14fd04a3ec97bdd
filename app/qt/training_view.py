"""The training view: what the style is learned from, the run's loss curve (live while the
trainer writes it), the latest evaluation, and the adapters with activate / roll back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.qt.loss_chart import LossChart
from app.qt.ops import Op, store_executor
from app.training_status import (
    Overview,
    metrics_path,
    read_metrics,
    read_overview,
    roll_back,
    use_adapter,
)

SETTING_NAMES = {"base": "Plain", "rag": "Plain + emails", "lora": "Style",
                 "lora_rag": "Style + emails"}
SCORE_COLUMNS = (("style_distance", "Style dist. ↓", 3), ("rouge_l", "ROUGE-L ↑", 1),
                 ("fact_recall", "Facts kept ↑", 2), ("act_recall", "Asks kept ↑", 2),
                 ("invented_facts", "Made up ↓", 2), ("borrowed_facts", "Borrowed ↓", 2),
                 ("unasked_talk", "Unasked ↓", 2),
                 ("right_recipient", "Right person ↑", 2),
                 ("structure_defects", "Defects ↓", 2), ("length_ratio", "Length vs. real", 2),
                 ("chrf", "chrF ↑", 1), ("mauve", "MAUVE ↑", 2))


def _when(stamp: float | None) -> str:
    return datetime.fromtimestamp(stamp).strftime("%a %d %b %H:%M") if stamp else "—"


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _cell(text: str, data: object = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


class ActionButton(QPushButton):
    """A button that mirrors a menu action (text, enabled) and triggers it. The action lives
    on in the tray's menu after this view closes; a bound slot is disconnected with it."""

    def __init__(self, action):
        super().__init__(action.text())
        self.action = action
        self.clicked.connect(action.trigger)
        action.changed.connect(self.follow)
        self.follow()

    def follow(self) -> None:
        self.setText(self.action.text())
        self.setEnabled(self.action.isEnabled())


class TrainingView(QMainWindow):
    def __init__(self, desktop, parent: QWidget | None = None):
        super().__init__(parent)
        self.desktop = desktop
        self.setWindowTitle("Amanuensis — training")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.data: Overview | None = None
        self._run_id: str | None = None
        self._offset = 0
        self._reading = False
        self._build()
        desktop.state_changed.connect(self.show_state)
        desktop.job_ended.connect(self.refresh)
        self.show_state(desktop.state, desktop.text, desktop.percent)
        self._follow = QTimer(self, interval=2000, timeout=self.read_new_metrics)
        self._follow.start()
        self.refresh()

    # --- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.facts = {key: QLabel("…") for key in
                      ("model", "emails", "dataset", "pending", "run", "state")}
        form = QFormLayout()
        for key, label in (("state", "Now"), ("model", "Model"), ("emails", "Your emails"),
                           ("dataset", "Last run's data"), ("pending", "Accepted drafts"),
                           ("run", "Last run")):
            self.facts[key].setWordWrap(True)
            form.addRow(label, self.facts[key])
        buttons = QHBoxLayout()
        for action in (self.desktop.menu.train_action, self.desktop.menu.pause_action):
            buttons.addWidget(ActionButton(action))
        buttons.addStretch(1)
        summary = QGroupBox("Learning your style")
        column = QVBoxLayout(summary)
        column.addLayout(form)
        column.addLayout(buttons)

        self.chart = LossChart()
        curve = QGroupBox("Loss")
        QVBoxLayout(curve).addWidget(self.chart)

        self.scores = _table(["Setting"] + [title for _, title, _ in SCORE_COLUMNS])
        self.eval_note = QLabel("No evaluation yet: one runs after each night's training.")
        self.eval_note.setWordWrap(True)
        self.plot = QLabel()
        self.plot.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.report_button = QPushButton("Open the full report", enabled=False)
        self.report_button.clicked.connect(self.open_report)
        evaluation = QGroupBox("Evaluation on held-out emails you wrote")
        column = QVBoxLayout(evaluation)
        column.addWidget(self.eval_note)
        column.addWidget(self.scores)
        column.addWidget(self.plot)
        column.addWidget(self.report_button)

        self.adapters = _table(["Adapter", "Created", "Steps", "Held-out loss",
                                "Verified", "In use"])
        self.activate_button = QPushButton("Use selected", enabled=False)
        self.activate_button.clicked.connect(self.activate_selected)
        self.rollback_button = QPushButton("Roll back", enabled=False)
        self.rollback_button.setToolTip("Go back to the adapter used before this one (or to "
                                        "the plain model)")
        self.rollback_button.clicked.connect(self.roll_back)
        self.adapters.itemSelectionChanged.connect(
            lambda: self.activate_button.setEnabled(bool(self.adapters.selectedItems())))
        adapters = QGroupBox("Adapters")
        column = QVBoxLayout(adapters)
        column.addWidget(self.adapters)
        row = QHBoxLayout()
        row.addWidget(self.activate_button)
        row.addWidget(self.rollback_button)
        row.addStretch(1)
        column.addLayout(row)

        left = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        QVBoxLayout(top).addWidget(summary)
        left.addWidget(top)
        left.addWidget(curve)
        left.addWidget(adapters)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(evaluation)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)
        self.resize(1180, 780)
        splitter.setSizes([600, 580])

    # --- data ---------------------------------------------------------------------------
    def refresh(self, *_) -> Op:
        return Op(self, read_overview).on(store_executor()).success(self.show_overview) \
            .failure(lambda exc: self.statusBar().showMessage(f"Cannot read: {exc}")).run()

    def show_overview(self, data: Overview) -> None:
        self.data = data
        self.facts["model"].setText(data.model)
        self.facts["emails"].setText(f"{data.own_emails} emails you wrote are in your store")
        self.facts["pending"].setText(f"{data.pending_feedback} waiting for the next run")
        run = data.last_run
        if run is None:
            self.facts["dataset"].setText("no run yet")
            self.facts["run"].setText("no run yet")
        else:
            self.facts["dataset"].setText(
                f"{run.train_examples or 0} training pairs, {run.held_out_examples or 0} "
                "held out (your newest mail, never trained on)")
            steps = f"step {run.step} of {run.total_steps}" if run.total_steps else "preparing"
            self.facts["run"].setText(f"{run.id} · {run.status} · {steps} · started "
                                      f"{_when(run.created)}, last change {_when(run.updated)}")
        self._show_adapters(data.adapters)
        self._show_eval(data.latest_eval, data.latest_eval_plot)
        self.report_button.setEnabled(data.latest_eval_report is not None)
        new_run = run.id if run else None
        if new_run != self._run_id:
            self._run_id, self._offset = new_run, 0
            self.chart.clear()
        if run is not None:
            self.chart.total_steps = run.total_steps
        self.read_new_metrics()

    def read_new_metrics(self) -> None:
        if self._run_id is None or self._reading:
            return
        self._reading = True
        path = metrics_path(self._run_id)
        run_id = self._run_id
        Op(self, read_metrics, path, self._offset) \
            .success(lambda found: self._add_metrics(run_id, *found)) \
            .finished(lambda: setattr(self, "_reading", False)).run()

    def _add_metrics(self, run_id: str, records: list[dict], offset: int) -> None:
        if run_id != self._run_id:
            return
        self._offset = offset
        if records:
            self.chart.add_records(records)

    def _show_adapters(self, adapters: list[dict]) -> None:
        self.adapters.setRowCount(0)
        for entry in reversed(adapters):
            row = self.adapters.rowCount()
            self.adapters.insertRow(row)
            metrics = entry.get("metrics", {})
            cosine = entry.get("verification", {}).get("delta_cosine")
            loss = metrics.get("best_eval_loss")
            cells = [_cell(entry["id"], entry["id"]), _cell(entry.get("created", "")),
                     _cell(str(metrics.get("step", ""))),
                     _cell(f"{loss:.3f}" if loss is not None else "—"),
                     _cell(f"{cosine:.2f}" if cosine is not None else "—"),
                     _cell("✓" if entry.get("active") else "")]
            for column, cell in enumerate(cells):
                self.adapters.setItem(row, column, cell)
        self.rollback_button.setEnabled(any(a.get("active") for a in adapters))

    def _show_eval(self, summary: dict | None, plot: Path | None) -> None:
        self.scores.setRowCount(0)
        if not summary:
            self.plot.clear()
            return
        self.eval_note.setText(
            f"{summary.get('scored')} held-out emails, {summary.get('created', '')}, adapter "
            f"{summary.get('adapter') or '—'}. Plain: the model alone; emails: with your own "
            "emails as examples; style: with the trained adapter. Lower style distance means "
            "closer to how you write.")
        for setting, values in summary.get("settings", {}).items():
            row = self.scores.rowCount()
            self.scores.insertRow(row)
            self.scores.setItem(row, 0, _cell(SETTING_NAMES.get(setting, setting)))
            for column, (key, _, digits) in enumerate(SCORE_COLUMNS, start=1):
                value = values.get(key)
                self.scores.setItem(row, column, _cell("—" if value is None else
                                                       f"{value:.{digits}f}"))
        if plot is not None:
            pixmap = QPixmap(str(plot))
            self.plot.setPixmap(pixmap.scaledToWidth(min(460, pixmap.width()),
                                                     Qt.TransformationMode.SmoothTransformation))

    def show_state(self, state: str, text: str, percent) -> None:
        self.facts["state"].setText(text)

    # --- actions ------------------------------------------------------------------------
    def selected_adapter(self) -> str | None:
        items = self.adapters.selectedItems()
        return self.adapters.item(items[0].row(), 0).data(Qt.ItemDataRole.UserRole) \
            if items else None

    def activate_selected(self) -> Op | None:
        ident = self.selected_adapter()
        if ident is None:
            return None
        return Op(self, use_adapter, ident).on(store_executor()) \
            .success(lambda _: self._changed(f"Drafts now use adapter {ident}.")) \
            .failure(lambda exc: self.statusBar().showMessage(f"Could not switch: {exc}")).run()

    def roll_back(self) -> Op | None:
        if self.data is None:
            return None
        return Op(self, roll_back, self.data.model).on(store_executor()) \
            .success(lambda back: self._changed(
                f"Drafts now use adapter {back}." if back else
                "Drafts now use the plain model, without a trained style.")).run()

    def _changed(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        self.refresh()

    def open_report(self) -> None:
        if self.data is not None and self.data.latest_eval_report is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data.latest_eval_report)))
