"""A small line chart of a training run: the loss per step, its moving average, and the
held-out loss where it was measured. Painted directly, so it needs no chart module and
redraws cheaply as lines arrive from ``metrics.jsonl``."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

TRAIN, SMOOTH, HELD_OUT = QColor("#9bb7d4"), QColor("#1f4e79"), QColor("#c0392b")


def moving_average(values: list[float], window: int = 10) -> list[float]:
    averaged, total = [], 0.0
    for n, value in enumerate(values):
        total += value
        if n >= window:
            total -= values[n - window]
        averaged.append(total / min(n + 1, window))
    return averaged


class LossChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.train: list[tuple[int, float]] = []
        self.held_out: list[tuple[int, float]] = []
        self.total_steps: int | None = None
        self.setMinimumSize(360, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def clear(self) -> None:
        self.train.clear()
        self.held_out.clear()
        self.update()

    def add_records(self, records: list[dict]) -> None:
        for record in records:
            step = int(record.get("step", 0))
            if "loss" in record:
                self.train.append((step, float(record["loss"])))
            if "eval_loss" in record:
                self.held_out.append((step, float(record["eval_loss"])))
        self.update()

    # --- painting -----------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        text = palette.text().color()
        if not self.train and not self.held_out:
            painter.setPen(text)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             "No training steps yet: the curve appears as the run goes.")
            return
        area = QRectF(self.rect()).adjusted(48, 14, -14, -34)
        values = [v for _, v in self.train] + [v for _, v in self.held_out]
        low, high = min(values), max(values)
        pad = (high - low) * 0.08 or 0.1
        low, high = low - pad, high + pad
        last = max([s for s, _ in self.train] + [s for s, _ in self.held_out] + [1])
        right = max(last, self.total_steps or 0, 1)

        def point(step: float, value: float) -> QPointF:
            return QPointF(area.left() + area.width() * step / right,
                           area.bottom() - area.height() * (value - low) / (high - low))

        self._axes(painter, area, low, high, right, text)
        if self.train:
            self._line(painter, [point(s, v) for s, v in self.train], TRAIN, 1.0)
            smooth = moving_average([v for _, v in self.train])
            self._line(painter, [point(s, v) for (s, _), v in zip(self.train, smooth,
                                                                  strict=True)], SMOOTH, 2.2)
        if self.held_out:
            self._line(painter, [point(s, v) for s, v in self.held_out], HELD_OUT, 1.6)
            painter.setBrush(HELD_OUT)
            for step, value in self.held_out:
                painter.drawEllipse(point(step, value), 3.5, 3.5)
        self._legend(painter, area, text)

    def _axes(self, painter, area, low, high, right, text) -> None:
        grid = QColor(text)
        grid.setAlpha(40)
        for n in range(5):
            value = low + (high - low) * n / 4
            y = area.bottom() - area.height() * n / 4
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(text)
            painter.drawText(QRectF(0, y - 8, area.left() - 6, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{value:.2f}")
        painter.drawText(QRectF(area.left(), area.bottom() + 4, area.width(), 16),
                         Qt.AlignmentFlag.AlignLeft, "0")
        painter.drawText(QRectF(area.left(), area.bottom() + 4, area.width(), 16),
                         Qt.AlignmentFlag.AlignRight, f"step {right}")

    def _line(self, painter, points: list[QPointF], colour: QColor, width: float) -> None:
        if len(points) == 1:
            painter.setPen(QPen(colour, width))
            painter.drawPoint(points[0])
            return
        path = QPainterPath(points[0])
        for p in points[1:]:
            path.lineTo(p)
        painter.setPen(QPen(colour, width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)

    def _legend(self, painter, area, text) -> None:
        x = area.left()
        y = area.bottom() + 20
        for colour, label in ((TRAIN, "loss per step"), (SMOOTH, "average of 10"),
                              (HELD_OUT, "held-out loss")):
            painter.setPen(QPen(colour, 3))
            painter.drawLine(QPointF(x, y + 6), QPointF(x + 18, y + 6))
            painter.setPen(text)
            painter.drawText(QPointF(x + 24, y + 11), label)
            x += 40 + painter.fontMetrics().horizontalAdvance(label)
