"""Settings → Get models, offscreen: the machine check, a download clicked, cancelled,
resumed, and the downloaded model appearing on the Models page."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from app.qt.model_downloads import ModelDownloadsPage  # noqa: E402
from app.qt.ops import wait_for_background  # noqa: E402
from app.qt.settings_dialog import SettingsDialog  # noqa: E402
from tests.test_download import catalogue, tiny_gguf  # noqa: E402
from trainer.engine.models import ModelCatalogue  # noqa: E402


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "dl-home"  # its own models folder, not the tests' shared one
    monkeypatch.setenv("AMANUENSIS_HOME", str(home))
    return home


def _page(qtbot, hub, tmp_path, home, **faults) -> ModelDownloadsPage:
    data = tiny_gguf(tmp_path / "source.gguf", rows=16384)  # 4 MB
    hosted = hub.host("test-org/tiny-GGUF", "tiny.gguf", data, **faults)
    page = ModelDownloadsPage(home=home, endpoint=hub.url, measure=False,
                              catalogue=catalogue(tmp_path, sha256=hosted.sha256,
                                                  size_bytes=len(data)))
    qtbot.addWidget(page)
    page.show()
    op = page.refresh()
    qtbot.waitUntil(lambda: op.is_done, timeout=30_000)
    assert op.outcome == "success"
    return page


def test_a_download_clicked_shows_progress_and_adds_the_model(qtbot, hub, tmp_path, home):
    page = _page(qtbot, hub, tmp_path, home)
    assert page.table.rowCount() == 1 and "Tiny" in page.table.item(0, 0).text()
    assert "apache-2.0" in page.table.item(0, 2).text()
    assert "cores" in page.machine.text() and "Suggested" in page.machine.text()
    assert not page.download_button.isEnabled()  # nothing selected yet
    page.table.selectRow(0)
    assert page.download_button.isEnabled() and "licence apache-2.0" in page.terms.text()
    seen = []
    with qtbot.waitSignal(page.models_changed, timeout=60_000) as added:
        qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
        page.download_op.progress(lambda event: seen.append(event.phase))
    assert added.args == ["tiny"]
    assert "checked its SHA-256" in page.status.text()
    assert "tiny" in ModelCatalogue(home).names()
    qtbot.waitUntil(lambda: page.table.item(0, 5).text() == "downloaded", timeout=30_000)
    assert not page.download_button.isEnabled()  # already there
    assert "downloading" in seen or "verifying" in seen
    assert wait_for_background(30_000)


def test_cancel_keeps_what_arrived_and_resume_finishes_it(qtbot, hub, tmp_path, home):
    page = _page(qtbot, hub, tmp_path, home, delay_s=0.02)
    page.table.selectRow(0)
    qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    op = page.download_op
    qtbot.waitUntil(lambda: "MB/s" in page.status.text(), timeout=30_000)
    assert page.cancel_button.isEnabled() and page.progress.isVisible()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: op.is_done, timeout=30_000)
    assert op.outcome == "cancelled" and "paused" in page.status.text()
    qtbot.waitUntil(lambda: "paused at" in page.table.item(0, 5).text(), timeout=30_000)
    page.table.selectRow(0)
    assert page.download_button.text() == "Resume download"
    assert "tiny" not in ModelCatalogue(home).names()
    hub.files[("test-org/tiny-GGUF", "tiny.gguf")].delay_s = 0
    with qtbot.waitSignal(page.models_changed, timeout=60_000):
        qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    assert any(r and r.startswith("bytes=") for r in hub.ranges)  # resumed, not restarted
    assert wait_for_background(30_000)


def test_the_settings_dialog_lists_a_downloaded_model_on_its_models_page(qtbot, hub,
                                                                         tmp_path, home):
    data = tiny_gguf(tmp_path / "source.gguf")
    hub.host("test-org/tiny-GGUF", "tiny.gguf", data)
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded is not None, timeout=30_000)
    dialog.downloads.endpoint, dialog.downloads.measure = hub.url, False
    dialog.downloads.catalogue = catalogue(tmp_path)
    dialog.show_page("Get models")  # showing the page checks the machine
    qtbot.waitUntil(lambda: dialog.downloads.table.rowCount() == 1, timeout=30_000)
    dialog.downloads.table.selectRow(0)
    with qtbot.waitSignal(dialog.downloads.models_changed, timeout=60_000):
        qtbot.mouseClick(dialog.downloads.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(m["name"] == "tiny" for m in dialog.models), timeout=30_000)
    assert "tiny is ready" in dialog.message.text()
    dialog.show_page("Models")
    dialog._select_model("tiny")
    qtbot.mouseClick(dialog.remove_model_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "deleted its downloaded file" in dialog.message.text(),
                    timeout=30_000)
    assert not (home / "models" / "tiny.gguf").exists()
    dialog.close()
    assert wait_for_background(30_000)
