"""The settings and privacy dialog, offscreen, on a copy of the imported sample persona:
settings written through each layer's dataclass, the privacy table, forgetting a sender,
export, and "delete everything" behind its typed confirmation."""

from __future__ import annotations

import json
import tomllib
import zipfile

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QTime, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app import autostart  # noqa: E402
from app.drafting import DraftSettings  # noqa: E402
from app.qt import privacy_page  # noqa: E402
from app.qt.ops import wait_for_background  # noqa: E402
from app.qt.privacy_page import DeleteConfirmation  # noqa: E402
from app.qt.settings_dialog import SettingsDialog  # noqa: E402
from app.schedule_settings import ScheduleSettings  # noqa: E402
from store.api import Store  # noqa: E402
from store.retrieval import SearchFilters  # noqa: E402
from trainer.config import TrainSettings  # noqa: E402
from trainer.engine.models import ModelCatalogue, packaged_models  # noqa: E402
from trainer.engine.prompts import Profile  # noqa: E402

pytestmark = pytest.mark.slow  # the sample persona's mail is really imported (session-wide)

STAN = "stan@kglazing.example"


@pytest.fixture
def home(persona_copy):
    return persona_copy


@pytest.fixture
def dialog(qtbot, home):
    made = SettingsDialog()
    qtbot.addWidget(made)
    made.show()
    qtbot.waitUntil(lambda: made.loaded is not None, timeout=30_000)
    yield made
    made.close()
    assert wait_for_background(30_000)


def _done(qtbot, op, timeout=60_000):
    qtbot.waitUntil(lambda: op.is_done, timeout=timeout)
    assert op.outcome == "success", op.outcome


def _answer_modal(kind, act):
    """Answer the next modal dialog of ``kind`` (opened with exec()) once it shows."""
    timer = QTimer(interval=50)

    def poll():
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind) and widget.isVisible():
            timer.stop()
            act(widget)

    timer.timeout.connect(poll)
    timer.start()
    return timer


def test_settings_round_trip_through_the_dialog_to_settings_toml(qtbot, home, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # start at login goes here
    DraftSettings(temperature=0.3).save()  # a key the dialog does not show must survive
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded is not None, timeout=30_000)
    assert dialog.home_label.text() == str(home)
    assert "Teddy" in dialog.name.placeholderText()  # learned from the sample's sent mail
    assert dialog.model_list.count() == len(packaged_models())

    # Add a model (the packaged file under another name) and make it the default.
    smol = ModelCatalogue().info().path
    _done(qtbot, dialog.add_model(smol, "my-smol"))
    assert dialog.current_model() == "my-smol" and dialog.default_button.isEnabled()
    dialog.make_default()
    assert dialog.model_list.currentItem().text().startswith("★")

    dialog.draft_threads.setValue(1)
    dialog.train_threads.setValue(3)
    dialog.train_memory.setValue(3.0)
    dialog.name.setText("Teddy Quill")
    dialog.role.setText("head of operations at Hollowbrook Community Gardens")
    dialog.sign_off.setPlainText("Onward,\nTeddy")
    dialog.about.setPlainText("Short sentences, lots of dashes.")
    dialog.schedule_enabled.setChecked(True)
    dialog.start.setTime(QTime(23, 30))
    dialog.end.setTime(QTime(5, 15))
    dialog.require_ac.setChecked(False)
    dialog.idle.setValue(25)
    assert not dialog.start_at_login.isChecked()
    dialog.start_at_login.setChecked(True)
    with qtbot.waitSignal(dialog.settings_saved, timeout=30_000):
        dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)

    table = tomllib.loads((home / "settings.toml").read_text())
    assert table["drafting"]["threads"] == 1 and table["drafting"]["temperature"] == 0.3
    assert table["training"]["threads"] == 3 and table["training"]["memory_limit_mb"] == 3072
    assert table["profile"] == {"name": "Teddy Quill", "role": "head of operations at "
                                "Hollowbrook Community Gardens", "sign_off": "Onward,\nTeddy",
                                "about": "Short sentences, lots of dashes."}
    assert ScheduleSettings.load() == ScheduleSettings(enabled=True, start="23:30", end="05:15",
                                                       require_ac_power=False, idle_minutes=25)
    assert TrainSettings.load().threads == 3 and DraftSettings.load().temperature == 0.3
    assert ModelCatalogue().default_name() == "my-smol"
    assert autostart.is_enabled() and str(home) in autostart.autostart_path().read_text()

    again = SettingsDialog()  # and back into a new dialog
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.loaded is not None, timeout=30_000)
    assert again.name.text() == "Teddy Quill" and again.sign_off.toPlainText() == "Onward,\nTeddy"
    assert again.start.time() == QTime(23, 30) and again.idle.value() == 25
    assert not again.require_ac.isChecked() and again.draft_threads.value() == 1
    assert again.start_at_login.isChecked()
    assert any(again.model_list.item(i).text().startswith("★ my-smol")
               for i in range(again.model_list.count()))
    assert Profile.load().about == "Short sentences, lots of dashes."
    again.close()
    assert wait_for_background(30_000)


def test_privacy_table_lists_the_sources_with_counts_and_exports(qtbot, home, dialog, tmp_path):
    with Store(home) as store:
        stats = store.stats()
    dialog.show_page("Privacy")
    page = dialog.privacy
    qtbot.waitUntil(lambda: page.summary is not None, timeout=30_000)
    assert page.table.rowCount() == len(stats["sources"]) == 2
    rows = {page.table.item(r, 0).text(): page.table.item(r, 2).text()
            for r in range(page.table.rowCount())}
    assert rows == {s["path"]: str(s["messages"]) for s in stats["sources"]}
    assert {p.rsplit("/", 1)[-1] for p in rows} == {"Inbox.mbox", "Sent.mbox"}
    assert f"{stats['messages']} emails ({stats['own_messages']} yours" in page.totals.text()
    assert not page.forget_source_button.isEnabled()
    page.table.selectRow(0)
    assert page.forget_source_button.isEnabled()

    op = page.export(tmp_path / "everything.zip")
    _done(qtbot, op)
    with zipfile.ZipFile(tmp_path / "everything.zip") as archive:
        lines = archive.read("mail.jsonl").splitlines()
        assert len(lines) == stats["messages"]
        assert json.loads(archive.read("catalogue.json"))["summary"]["sources"]
    assert "Exported" in page.status.text()


def test_forgetting_a_sender_through_the_dialog_removes_their_mail(qtbot, home, dialog,
                                                                  monkeypatch):
    with Store(home) as store:
        before = store.stats()
        theirs = [r for r in store.records() if r["from"] == STAN]
    assert len(theirs) == 10
    asked = []
    monkeypatch.setattr(privacy_page, "confirm", lambda _p, _t, text: asked.append(text) or True)
    dialog.show_page("Privacy")
    page = dialog.privacy
    qtbot.waitUntil(lambda: page.summary is not None, timeout=30_000)

    def choose(picker):
        picker.filter.setText("kglazing")
        visible = [picker.list.item(i) for i in range(picker.list.count())
                   if not picker.list.item(i).isHidden()]
        assert len(visible) == 1
        picker.list.setCurrentItem(visible[0])
        picker.accept()

    timer = _answer_modal(privacy_page.PickDialog, choose)
    with qtbot.waitSignal(dialog.data_changed, timeout=60_000):
        page.forget_sender_button.click()
    timer.stop()
    assert asked and "10 emails from stan@kglazing.example" in asked[0]
    qtbot.waitUntil(lambda: page.summary["messages"] == before["messages"] - 10, timeout=30_000)
    assert "Forgot 10 emails" in page.status.text()
    with Store(home) as store:
        after = store.stats()
        assert after["other_messages"] == before["other_messages"] - 10
        assert not [r for r in store.records() if r["from"] == STAN]
        assert store.search("glazing quote greenhouse", k=5,
                            filters=SearchFilters(sender=STAN)) == []
        hits = store.search(theirs[0]["subject"], k=10)
        assert hits and all(hit.sender != STAN for hit in hits)


def test_delete_everything_asks_for_the_word_then_leaves_an_empty_store(qtbot, home, dialog):
    dialog.show_page("Privacy")
    page = dialog.privacy
    qtbot.waitUntil(lambda: page.summary is not None, timeout=30_000)
    count = page.summary["messages"]
    assert count > 0
    seen = {}

    def type_the_word(confirmation: DeleteConfirmation):
        seen["text"] = confirmation.findChildren(privacy_page.QLabel)[0].text()
        seen["enabled_before"] = confirmation.delete_button.isEnabled()
        confirmation.word.setText("delete")
        confirmation.delete_button.click()

    timer = _answer_modal(DeleteConfirmation, type_the_word)
    with qtbot.waitSignal(dialog.data_changed, timeout=60_000):
        page.delete_button.click()
    timer.stop()
    assert seen["enabled_before"] is False
    assert f"{count} emails" in seen["text"] and "catalogue" in seen["text"]
    qtbot.waitUntil(lambda: page.summary["messages"] == 0, timeout=30_000)
    assert page.table.rowCount() == 0 and "all your data is gone" in page.status.text()
    assert {p.name for p in home.iterdir()} <= {"models", "catalogue.sqlite3",
                                                "catalogue.sqlite3-wal", "catalogue.sqlite3-shm"}
    assert (home / "models").is_symlink()
    with Store(home) as store:
        stats = store.stats()
        assert stats["messages"] == stats["documents"] == 0 and stats["sources"] == []
        assert store.search("greenhouse glazing", k=5) == []
