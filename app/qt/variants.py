"""Draft variants side by side: one editor per variant in columns, the one last clicked or
typed in is the current one (Copy, Save and Accept act on it).

It answers the few ``QTabWidget`` calls the drafting window makes (``addTab``, ``widget``,
``count``, ``currentIndex``, ``removeTab``, ``setTabText``, ``currentChanged``), so the
window does not care how the variants are laid out.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QSplitter, QVBoxLayout, QWidget

CURRENT = "QFrame#variant { border: 2px solid palette(highlight); border-radius: 4px; }"
OTHER = "QFrame#variant { border: 2px solid transparent; }"


class VariantPanes(QWidget):
    currentChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._splitter.setChildrenCollapsible(False)
        QVBoxLayout(self).addWidget(self._splitter)
        self.layout().setContentsMargins(0, 0, 0, 0)
        self._frames: list[QFrame] = []
        self._titles: list[QLabel] = []
        self._editors: list[QWidget] = []
        self._current = -1

    def count(self) -> int:
        return len(self._editors)

    def widget(self, index: int) -> QWidget | None:
        return self._editors[index] if 0 <= index < len(self._editors) else None

    def currentIndex(self) -> int:
        return self._current

    def setCurrentIndex(self, index: int) -> None:
        if index == self._current or not 0 <= index < self.count():
            return
        self._current = index
        for n, frame in enumerate(self._frames):
            frame.setStyleSheet(CURRENT if n == index and self.count() > 1 else OTHER)
        self.currentChanged.emit(index)

    def addTab(self, editor: QWidget, title: str) -> int:
        frame = QFrame(objectName="variant")
        column = QVBoxLayout(frame)
        column.setContentsMargins(2, 2, 2, 2)
        label = QLabel(title)
        label.setStyleSheet("font-weight: bold;")
        column.addWidget(label)
        column.addWidget(editor)
        editor.installEventFilter(self)
        self._frames.append(frame)
        self._titles.append(label)
        self._editors.append(editor)
        self._splitter.addWidget(frame)
        self._titles[0].setVisible(self.count() > 1)
        if self._current < 0:
            self.setCurrentIndex(0)
        else:
            self.setCurrentIndex(self._current)
            self._frames[self._current].setStyleSheet(CURRENT)
        return self.count() - 1

    def removeTab(self, index: int) -> None:
        frame = self._frames.pop(index)
        self._titles.pop(index)
        self._editors.pop(index)
        frame.setParent(None)
        frame.deleteLater()
        if self._titles:
            self._titles[0].setVisible(self.count() > 1)
        if self._current >= self.count():
            self._current = -1
            self.setCurrentIndex(self.count() - 1)
        elif self.count() == 1:
            self._frames[0].setStyleSheet(OTHER)

    def setTabText(self, index: int, text: str) -> None:
        self._titles[index].setText(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and watched in self._editors:
            self.setCurrentIndex(self._editors.index(watched))
        return False
