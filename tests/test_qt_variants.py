"""Variants side by side: every variant visible at once, the one clicked into is current."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtWidgets import QPlainTextEdit  # noqa: E402

from app.qt.variants import VariantPanes  # noqa: E402


def test_variants_are_shown_side_by_side_and_focus_picks_the_current_one(qtbot):
    panes = VariantPanes()
    qtbot.addWidget(panes)
    changes: list[int] = []
    panes.currentChanged.connect(changes.append)
    editors = [QPlainTextEdit(f"variant {n}") for n in range(3)]
    for n, editor in enumerate(editors):
        panes.addTab(editor, f"Variant {n + 1}")
    panes.resize(900, 300)
    panes.show()
    qtbot.waitExposed(panes)
    assert all(editor.isVisible() for editor in editors)
    lefts = [editor.mapTo(panes, editor.rect().topLeft()).x() for editor in editors]
    assert lefts == sorted(lefts) and len(set(lefts)) == 3  # in columns, left to right
    assert panes.currentIndex() == 0
    editors[2].setFocus()
    qtbot.waitUntil(lambda: panes.currentIndex() == 2)
    assert changes == [0, 2]
    assert panes.widget(2) is editors[2]


def test_a_single_draft_has_no_variant_heading(qtbot):
    panes = VariantPanes()
    qtbot.addWidget(panes)
    panes.addTab(QPlainTextEdit(), "Draft")
    panes.addTab(QPlainTextEdit(), "Variant 2")
    panes.removeTab(1)
    assert panes.count() == 1 and panes.currentIndex() == 0
    assert panes._titles[0].isHidden()
