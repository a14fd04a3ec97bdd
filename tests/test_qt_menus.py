"""Every menu item and button a person can press, pressed, and its effect checked: the
drafting window's menus, the tray menu (the same actions, without an icon offscreen), the
quick draft and the training view. A slot that raises fails the test (pytest-qt's exception
capture is on for the whole suite; the last test proves it)."""

from __future__ import annotations

import textwrap

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtGui import QGuiApplication  # noqa: E402

import app.qt.desktop as desktop_module  # noqa: E402
from app.desktop_usage import DesktopUsage  # noqa: E402
from app.drafting import DraftSettings  # noqa: E402
from app.qt.desktop import Desktop  # noqa: E402
from app.qt.ops import wait_for_background  # noqa: E402
from tests.qt_helpers import url_catcher  # noqa: E402, F401 - the `urls` fixture
from tests.test_qt_desktop import FakeJob  # noqa: E402
from trainer.feedback import load_feedback  # noqa: E402

pytest_plugins = ["pytester"]


class QuitRecorder:
    """``QApplication.instance()`` for ``Desktop.quit``: records the quit, forwards the rest
    (quitting the test's own application would end the session's event loops)."""

    def __init__(self):
        self.quits = 0

    def instance(self):
        from PySide6.QtWidgets import QApplication

        recorder = self

        class App:
            def quit(self):
                recorder.quits += 1

            def __getattr__(self, name):
                return getattr(QApplication.instance(), name)

        return App()


@pytest.fixture
def desktop(qtbot, monkeypatch):
    FakeJob.made.clear()
    quitter = QuitRecorder()
    monkeypatch.setattr(desktop_module, "QApplication", quitter)
    made = Desktop(use_tray=False, job_factory=FakeJob, tick_ms=3_600_000,
                   work_check=lambda: (False, "nothing new"))
    made.quitter = quitter
    yield made
    for window in list(made.windows.values()):
        window.close()
    made.shutdown()
    assert wait_for_background(60_000)


def menu_action(window, menu_title: str, item: str):
    """The QAction a person clicks: menu bar → menu → item, by their visible texts."""
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == menu_title:
            for action in top.menu().actions():
                if action.text().replace("&", "") == item:
                    return action
    raise AssertionError(f"no {menu_title} → {item} in the menu bar")


def test_every_item_of_the_drafting_windows_menus_does_what_it_says(qtbot, desktop):
    window = desktop.open_window()
    qtbot.waitUntil(lambda: window.service is not None, timeout=60_000)
    items = {top.text().replace("&", ""): [a.text().replace("&", "") for a in
                                           top.menu().actions() if a.text()]
             for top in window.menuBar().actions()}
    assert items == {"File": ["Import mail…", "Settings…", "Close window", "Quit"],
                     "Training": ["Training…", "Train now", "Pause training"],
                     "Window": ["Quick draft"]}

    menu_action(window, "File", "Import mail…").trigger()
    qtbot.waitUntil(lambda: "import" in desktop.windows and desktop.windows["import"].isVisible())
    menu_action(window, "File", "Settings…").trigger()
    qtbot.waitUntil(lambda: "settings" in desktop.windows
                    and desktop.windows["settings"].isVisible())
    menu_action(window, "Training", "Training…").trigger()
    qtbot.waitUntil(lambda: "training" in desktop.windows
                    and desktop.windows["training"].isVisible())
    menu_action(window, "Window", "Quick draft").trigger()
    qtbot.waitUntil(lambda: "quick" in desktop.windows and desktop.windows["quick"].isVisible())

    pause = menu_action(window, "Training", "Pause training")
    assert not pause.isEnabled()  # nothing runs yet
    menu_action(window, "Training", "Train now").trigger()
    assert len(FakeJob.made) == 1 and FakeJob.made[0].running
    assert desktop.started_by == "user" and desktop.state == "training"
    assert pause.isEnabled() and not menu_action(window, "Training", "Train now").isEnabled()
    pause.trigger()
    assert FakeJob.made[0].paused
    assert "paused by you" in desktop.text

    menu_action(window, "File", "Close window").trigger()
    qtbot.waitUntil(lambda: "main" not in desktop.windows)
    assert "quick" in desktop.windows  # the other windows stay

    again = desktop.open_window()
    menu_action(again, "File", "Quit").trigger()
    assert desktop.quitter.quits == 1
    qtbot.waitUntil(lambda: not desktop.windows)
    assert not desktop._tick.isActive()


def test_every_item_of_the_tray_menu_does_what_it_says(qtbot, desktop):
    menu = desktop.menu
    actions = {a.text(): a for a in menu.menu.actions() if a.text()}
    assert list(actions)[1:] == ["Quick draft", "Train now", "Pause training",
                                 "Open Amanuensis", "Training…", "Local API for add-ons",
                                 "Quit"]
    assert not actions[list(actions)[0]].isEnabled()  # the status line

    # The local API, served by this process: an add-on's request reaches it with the token.
    import json
    import urllib.request

    from app.server import ApiSettings, api_token

    ApiSettings(port=0).save()  # any free port
    actions["Local API for add-ons"].trigger()
    assert desktop.api is not None and actions["Local API for add-ons"].isChecked()
    assert ApiSettings.load().serve_in_desktop
    health = urllib.request.Request(desktop.api.url + "/health",
                                    headers={"Authorization": f"Bearer {api_token()}"})
    with urllib.request.urlopen(health, timeout=60) as response:
        assert json.loads(response.read())["status"] == "ok"
    url = desktop.api.url
    actions["Local API for add-ons"].trigger()
    assert desktop.api is None and not actions["Local API for add-ons"].isChecked()
    assert not ApiSettings.load().serve_in_desktop
    with pytest.raises(OSError):
        urllib.request.urlopen(health.__class__(url + "/health"), timeout=5)

    actions["Quick draft"].trigger()
    qtbot.waitUntil(lambda: "quick" in desktop.windows)
    assert desktop.windows["quick"].compact
    # Counted, so that a tray started later loads the embedder for someone who drafts often.
    qtbot.waitUntil(lambda: DesktopUsage.load().quick_drafts == 1, timeout=10_000)
    actions["Open Amanuensis"].trigger()
    qtbot.waitUntil(lambda: "main" in desktop.windows)
    actions["Training…"].trigger()
    qtbot.waitUntil(lambda: "training" in desktop.windows)

    actions["Train now"].trigger()
    assert FakeJob.made and FakeJob.made[-1].running
    actions["Pause training"].trigger()
    assert FakeJob.made[-1].paused

    actions["Quit"].trigger()
    assert desktop.quitter.quits == 1
    qtbot.waitUntil(lambda: not desktop.windows)


def test_the_training_views_buttons_start_and_pause_through_the_same_actions(qtbot, desktop):
    view = desktop.open_training()
    qtbot.waitUntil(lambda: view.data is not None, timeout=20_000)
    buttons = {b.text(): b for b in view.findChildren(type(view.report_button))}
    assert {"Train now", "Pause training", "Use selected", "Roll back",
            "Open the full report"} <= set(buttons)
    assert not buttons["Pause training"].isEnabled()
    buttons["Train now"].click()
    assert FakeJob.made and FakeJob.made[-1].running
    assert not buttons["Train now"].isEnabled() and buttons["Pause training"].isEnabled()
    buttons["Pause training"].click()
    assert FakeJob.made[-1].paused
    # Nothing trained yet: these have nothing to act on and say so by being disabled.
    for name in ("Use selected", "Roll back", "Open the full report"):
        assert not buttons[name].isEnabled(), name
    # An evaluation's scores, what was asked kept among them, one row per setting.
    view._show_eval({"scored": 4, "adapter": "a1", "settings": {
        "base": {"rouge_l": 26.5, "fact_recall": 1.0, "act_recall": 0.75,
                 "invented_facts": 0.25, "borrowed_facts": 0.5, "length_ratio": 0.8},
        "lora": {"rouge_l": 32.0, "fact_recall": 1.0, "act_recall": None,
                 "invented_facts": 0.0, "right_recipient": 1.0}}}, None)
    headers = [view.scores.horizontalHeaderItem(c).text()
               for c in range(view.scores.columnCount())]
    assert view.scores.rowCount() == 2

    def column(title: str) -> list[str]:
        return [view.scores.item(r, headers.index(title)).text() for r in range(2)]
    assert column("Asks kept ↑") == ["0.75", "—"]
    # The checks of what each setting made up, whom it greeted and how long it ran.
    assert column("Made up ↓") == ["0.25", "0.00"]
    assert column("Borrowed ↓") == ["0.50", "—"]
    assert column("Right person ↑") == ["—", "1.00"]
    assert column("Length vs. real") == ["0.80", "—"]


@pytest.mark.slow
def test_the_quick_draft_drafts_copies_opens_the_mail_client_and_accepts(
        qtbot, persona_copy, desktop, urls):
    DraftSettings(short_tokens=40).save()
    quick = desktop.quick_draft()
    assert quick.statusBar().currentMessage() == "Loading the model…"
    qtbot.waitUntil(lambda: quick.warmed is not None, timeout=120_000)
    assert quick.statusBar().currentMessage() == "Ready"
    assert set(quick.warmed) == {"model_s", "retrieval_s", "prefill_s"}
    assert not quick.copy_button.isEnabled()
    quick.compose.instruction.setPlainText("tell Stan the panes arrived; ask if Thursday suits")
    quick.compose.recipient.setText("stan@example.org")
    # A pause in typing reads the prompt ahead (bench/bench_first_draft.py times the gain).
    qtbot.waitUntil(lambda: quick._prefilled is not None and not quick._prefilling,
                    timeout=30_000)
    assert quick._prefilled == quick.build_request()
    quick.draft_button.click()
    assert quick.busy and quick.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not quick.busy, timeout=180_000)
    draft = quick.drafts[0]
    assert draft.text.strip()
    # Warm: the embedder and the index were loaded before the click.
    assert draft.timings["retrieval_s"] < 1.0, draft.timings

    quick.copy_button.click()
    assert QGuiApplication.clipboard().text() == draft.text
    quick.mail_button.click()
    assert urls.urls and urls.urls[-1].startswith("mailto:stan@example.org?subject=")
    before = len(load_feedback())
    quick.accept_button.click()
    qtbot.waitUntil(lambda: len(load_feedback()) == before + 1, timeout=20_000)
    quick.full_window_button.click()
    qtbot.waitUntil(lambda: "main" in desktop.windows)


def test_a_slot_that_raises_fails_the_test(pytester):
    """The guarantee the GUI tests lean on: an exception inside a Qt slot is not just
    printed. The dead-action bug (``QAction(triggered=<Signal>)``) is the example."""
    pytester.makepyfile(textwrap.dedent("""
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtGui import QAction

        class Menu(QObject):
            chosen = Signal()

            def __init__(self):
                super().__init__()
                self.action = QAction("Quick draft", self, triggered=self.chosen)

        def test_dead_action(qtbot):
            menu = Menu()
            menu.action.trigger()
    """))
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*not callable*"])
