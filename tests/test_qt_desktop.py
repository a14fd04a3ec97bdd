"""The desktop shell offscreen: it runs without a system tray and says so; the scheduler
starts and pauses a night's run for given clocks and idle times; and, through the real parts,
"Train now" runs the trainer as a child process on the sample persona, the training view
shows its loss curve, evaluation and adapter, and roll back returns to the plain model."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.qt.desktop import Desktop  # noqa: E402
from app.qt.ops import wait_for_background  # noqa: E402
from app.scheduler import Machine  # noqa: E402
from app.training_job import TrainingJob  # noqa: E402
from tests.qt_helpers import url_catcher  # noqa: E402, F401 - the `urls` fixture
from trainer.registry import active_adapter, load_registry  # noqa: E402

NIGHT = datetime(2026, 11, 27, 2, 30)


class FakeJob:
    """Stands in for the trainer process in the scheduling tests."""

    made: list[FakeJob] = []

    def __init__(self, until=None, max_steps=None):
        self.until, self.max_steps = until, max_steps
        self.running = False
        self.phase = "training"
        self.paused = False
        FakeJob.made.append(self)

    def start(self):
        self.running = True

    def pause(self):
        self.paused = True

    def stop_now(self, because):
        self.running, self.stopped_because = False, because
        return True

    def poll(self):
        return None


@pytest.fixture
def close_all(qtbot):
    desktops: list[Desktop] = []
    yield desktops
    for desktop in desktops:
        for window in list(desktop.windows.values()):
            window.close()
        desktop.shutdown()
    wait_for_background()


def test_without_a_tray_the_app_still_opens_and_says_so(qtbot, close_all):
    desktop = Desktop(work_check=lambda: (False, "nothing new"))
    close_all.append(desktop)
    assert not desktop.has_tray  # offscreen has no tray host
    desktop.start(show_window=False)  # `amanuensis tray` where there is no tray
    window = desktop.windows["main"]
    assert window.isVisible()
    assert "No tray" in window.no_tray_notice.text()
    assert "no system tray" in window.no_tray_notice.toolTip()
    assert QApplication.instance().quitOnLastWindowClosed()
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&File", "&Training", "&Window"]
    qtbot.waitUntil(lambda: desktop.last_decision is not None, timeout=10_000)
    assert desktop.state == "idle"
    quick = desktop.quick_draft()
    assert quick.compact and not quick.context_list.isVisible()
    quick.full_window_button.click()
    assert desktop.windows["main"] is window


def test_the_schedule_starts_a_run_at_night_and_pauses_it_when_the_user_returns(
        qtbot, close_all):
    FakeJob.made.clear()
    machine = {"idle": 3600.0}
    desktop = Desktop(clock=lambda: NIGHT, job_factory=FakeJob, use_tray=False,
                      probe=lambda now: Machine(now, on_ac_power=True, idle_s=machine["idle"]),
                      work_check=lambda: (True, "new mail"))
    close_all.append(desktop)
    with qtbot.waitSignal(desktop.state_changed, timeout=10_000):
        desktop.tick()
    assert len(FakeJob.made) == 1 and FakeJob.made[0].until == "06:00"
    assert desktop.started_by == "schedule" and desktop.state == "training"
    assert not desktop.menu.train_action.isEnabled()

    machine["idle"] = 5.0
    qtbot.waitUntil(lambda: desktop._tick_done(), timeout=10_000)
    desktop.tick()
    qtbot.waitUntil(lambda: FakeJob.made[0].paused, timeout=10_000)
    assert "you are back" in desktop.text


def test_input_to_our_windows_counts_where_the_system_hides_idleness(qtbot, close_all):
    from PySide6.QtWidgets import QLineEdit

    FakeJob.made.clear()
    desktop = Desktop(clock=lambda: NIGHT, job_factory=FakeJob, use_tray=False,
                      probe=lambda now: Machine(now, on_ac_power=None, idle_s=None),
                      work_check=lambda: (True, "new mail"))
    close_all.append(desktop)
    with qtbot.waitSignal(desktop.state_changed, timeout=10_000):
        desktop.tick()
    assert desktop.state == "training"  # nothing known: the night is not blocked
    field = QLineEdit()
    qtbot.addWidget(field)
    qtbot.keyClick(field, "a")
    desktop.tick()
    qtbot.waitUntil(lambda: FakeJob.made[0].paused, timeout=10_000)
    assert "you are back" in desktop.text


def test_train_now_is_not_paused_by_the_schedule(qtbot, close_all):
    FakeJob.made.clear()
    desktop = Desktop(clock=lambda: datetime(2026, 11, 27, 12, 0), job_factory=FakeJob,
                      use_tray=False, work_check=lambda: (True, "new mail"),
                      probe=lambda now: Machine(now, on_ac_power=False, idle_s=1.0))
    close_all.append(desktop)
    desktop.train_now()
    assert desktop.started_by == "user"
    desktop.tick()
    qtbot.waitUntil(lambda: desktop.last_decision is not None, timeout=10_000)
    assert desktop.last_decision.action == "continue"
    assert not FakeJob.made[0].paused


def test_delete_everything_closes_the_windows_holding_data_and_reopens_them(
        qtbot, close_all, isolated_home):
    from tests.mailfactory import message

    mail = isolated_home.parent / "mail"
    mail.mkdir()
    (mail / "one.eml").write_bytes(bytes(message(
        1, sender="me@example.org", to="sam@example.org", subject="Rota",
        body="The rota is attached. Tuesday suits me.")))
    from store.api import Store

    with Store() as store:
        store.import_paths([mail], me=["me@example.org"])
    desktop = Desktop(use_tray=False, tick_ms=3_600_000, work_check=lambda: (False, ""),
                      job_factory=FakeJob)
    close_all.append(desktop)
    view = desktop.open_training()
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    assert view.data.own_emails == 1
    dialog = desktop.open_settings()
    # A running training is stopped before any purge starts: forget, then delete.
    desktop.train_now()
    forgetting = desktop.job
    with qtbot.waitSignal(dialog.data_changed, timeout=30_000):
        dialog.privacy.forget(sender="nobody@example.org")
    assert forgetting.stopped_because == "you are forgetting mail"
    desktop.job = None
    desktop.train_now()
    deleting = desktop.job
    with qtbot.waitSignal(dialog.data_changed, timeout=30_000):
        dialog.privacy.delete_everything()
    assert deleting.stopped_because == "you are deleting everything"
    reopened = desktop.windows["training"]
    assert reopened is not view
    qtbot.waitUntil(lambda: reopened.data is not None, timeout=10_000)
    assert reopened.data.own_emails == 0


@pytest.mark.slow
def test_train_now_runs_the_real_trainer_and_the_view_shows_the_night(
        qtbot, close_all, persona_copy, urls):
    from trainer.config import TrainSettings

    TrainSettings(eval_at_start=False).save()  # one held-out pass (at the end) is enough here
    desktop = Desktop(use_tray=False, job_factory=partial(TrainingJob, eval_limit=2),
                      tick_ms=3_600_000)
    close_all.append(desktop)
    view = desktop.open_training()
    states: list[tuple[str, str, object]] = []
    desktop.state_changed.connect(lambda *state: states.append(state))
    notes: list[tuple[str, str]] = []
    desktop.notified.connect(lambda title, text: notes.append((title, text)))
    with qtbot.waitSignal(desktop.job_ended, timeout=900_000) as ended:
        desktop.train_now(max_steps=2)
    outcome = ended.args[0]
    assert outcome.status == "finished", outcome.message
    assert outcome.train["step"] == 2
    assert notes and notes[0][0] == "Training finished"
    assert "held-out loss" in notes[0][1] and "against the plain model" in notes[0][1], notes
    assert any(state == "training" for state, _, _ in states)
    assert desktop.state == "idle" and desktop.menu.train_action.isEnabled()

    qtbot.waitUntil(lambda: view.adapters.rowCount() == 1 and view.scores.rowCount() == 4,
                    timeout=30_000)
    qtbot.waitUntil(lambda: len(view.chart.train) == 2, timeout=10_000)
    assert [step for step, _ in view.chart.held_out] == [2]
    assert view.adapters.item(0, 5).text() == "✓"
    assert view.report_button.isEnabled()
    assert "2 training" not in view.facts["dataset"].text()  # the real counts, not the steps
    model = load_registry()["adapters"][outcome.train["run"]]["model"]
    assert active_adapter(model) is not None

    view.report_button.click()
    assert urls.urls and urls.urls[-1].startswith("file://"), urls.urls
    view.adapters.selectRow(0)
    view.activate_button.click()
    qtbot.waitUntil(lambda: "Drafts now use adapter" in view.statusBar().currentMessage(),
                    timeout=10_000)
    view.rollback_button.click()
    qtbot.waitUntil(lambda: view.adapters.rowCount() == 1
                    and view.adapters.item(0, 5).text() == "", timeout=10_000)
    assert active_adapter(model) is None
