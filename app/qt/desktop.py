"""The running desktop app: windows, the tray, and the nightly training they share.

``Desktop`` owns one ``TrainingJob`` at a time and asks ``app.scheduler.decide`` once a
minute whether to start or pause it. Store reads go through the store executor and file
reads through the global pool, so the GUI thread only ever paints and forwards clicks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from app.desktop_usage import DesktopUsage, count_quick_draft, warm_embedder
from app.machine import idle_seconds, on_ac_power
from app.qt.ops import Op, import_executor, store_executor
from app.qt.tray import Tray, TrayMenu
from app.schedule_settings import ScheduleSettings
from app.scheduler import Decision, Machine, Training, decide, last_window_start
from app.shared_drafting import SharedDrafting
from app.training_job import JobOutcome, TrainingJob
from app.training_status import current_progress, work_waiting
from store.owner import held_claim

log = logging.getLogger(__name__)
NO_TRAY = ("No system tray on this desktop: nightly training runs only while a window of "
           "Amanuensis is open.")


def read_machine(now: datetime) -> Machine:
    return Machine(now=now, on_ac_power=on_ac_power(), idle_s=idle_seconds())


class Desktop(QObject):
    state_changed = Signal(str, str, object)  # state, text, percent or None
    job_ended = Signal(object)  # JobOutcome
    notified = Signal(str, str)  # title, message
    settings_changed = Signal()  # saved in the settings dialog: open views reload theirs

    def __init__(self, *, clock: Callable[[], datetime] = datetime.now,
                 probe: Callable[[datetime], Machine] = read_machine,
                 job_factory: Callable[..., TrainingJob] = TrainingJob,
                 work_check: Callable[[], tuple[bool, str]] = work_waiting,
                 tick_ms: int = 60_000, poll_ms: int = 2_000, use_tray: bool = True,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.clock, self.probe, self.job_factory = clock, probe, job_factory
        self.work_check = work_check
        self.settings = ScheduleSettings.load()
        self.menu = TrayMenu(self)
        self.tray = Tray(self.menu, self) if use_tray and Tray.available() else None
        self.job: TrainingJob | None = None
        self.started_by: str | None = None
        self.paused_by_user_at: datetime | None = None
        self.paused = False  # a run waits for its next start
        self.state, self.text, self.percent = "idle", "starting", None
        self.last_decision: Decision | None = None
        self.last_outcome: JobOutcome | None = None
        self.windows: dict[str, QWidget] = {}
        # One drafting service for every window and the local API: one store handle, and
        # each model in memory once.
        self.drafting = SharedDrafting()
        self.api = None  # app.server.DraftServer while this process serves the local API
        self._reopen: list[str] = []
        self._told_about_tray = False  # windows closed while everything was deleted
        self._deciding = False
        self._last_input: float | None = None  # monotonic time of the last input to our windows
        self.warming: Op | None = None
        QApplication.instance().installEventFilter(self)
        self._tick = QTimer(self, interval=tick_ms, timeout=self.tick)
        self._poll = QTimer(self, interval=poll_ms, timeout=self.poll)
        self.menu.quick_draft.connect(self.quick_draft)
        self.menu.train_now.connect(lambda: self.train_now())
        self.menu.pause_or_resume.connect(self.pause_or_resume)
        self.menu.open_window.connect(self.open_window)
        self.menu.open_training.connect(self.open_training)
        self.menu.serve_api.connect(self.serve_api)
        self.menu.quit.connect(self.quit)

    # --- life ---------------------------------------------------------------------------
    def start(self, *, show_window: bool = True) -> None:
        app = QApplication.instance()
        app.setQuitOnLastWindowClosed(self.tray is None)
        app.aboutToQuit.connect(self.shutdown)
        if self.tray is not None:
            self.tray.show()
        elif not show_window:
            log.warning(NO_TRAY)
            show_window = True  # nothing else would be on screen
        if show_window:
            self.open_window()
        elif self.tray is not None and DesktopUsage.load().drafts_from_tray_often:
            # Someone who drafts from the tray gets the embedder loaded before the first one.
            self.warming = Op(self, warm_embedder).run()
        from app.server import ApiSettings

        if ApiSettings.load().serve_in_desktop:
            self.serve_api(True, remember=False)
        self._tick.start()
        self.tick()

    @property
    def has_tray(self) -> bool:
        return self.tray is not None

    def shutdown(self) -> None:
        """On quit: a running job pauses with a checkpoint (it finishes on its own)."""
        self._tick.stop()
        self._poll.stop()
        if self.job is not None and self.job.running:
            self.job.pause()
        if self.api is not None:
            self.api.stop()
            self.api = None
        if self.tray is not None:
            self.tray.hide()

    def quit(self) -> None:
        for window in list(self.windows.values()):
            window.close()
        self.shutdown()
        QApplication.instance().quit()

    # --- the local API ------------------------------------------------------------------
    def serve_api(self, on: bool, *, remember: bool = True) -> None:
        """Serve (or stop serving) the local API from this process: add-ons then draft with
        the model and store the windows already hold, never a second copy."""
        from app.server import ApiSettings, DraftServer

        settings = ApiSettings.load()
        if remember and settings.serve_in_desktop != on:
            settings.serve_in_desktop = on
            settings.save()
        if on and self.api is None:
            try:
                self.api = DraftServer(self.drafting.open, "127.0.0.1", settings.port)
            except OSError as exc:
                self.menu.show_api(False, f"could not serve on port {settings.port}: {exc}")
                self.notify("Local API not started", f"Port {settings.port}: {exc}",
                            error=True)
                return
            self.api.serve_in_thread()
        elif not on and self.api is not None:
            self.api.stop()
            self.api = None
        claim = held_claim()
        if claim is not None:  # `amanuensis draft` meanwhile drafts through it
            claim.serving(self.api.url if self.api else "")
        self.menu.show_api(self.api is not None, f"serving {self.api.url}" if self.api
                           else "Serve drafts to mail-client add-ons on this computer")

    # --- scheduling ---------------------------------------------------------------------
    def reload_settings(self) -> None:
        self.settings = ScheduleSettings.load()
        self.settings_changed.emit()
        self.tick()

    def tick(self) -> None:
        if self._deciding:
            return
        self._deciding = True
        Op(self, self.work_check).on(store_executor()) \
            .success(self._decide) \
            .failure(lambda exc: self._decide((False, f"cannot read your data: {exc}"))) \
            .finished(lambda: setattr(self, "_deciding", False)).run()

    def _tick_done(self) -> bool:
        return not self._deciding

    def _decide(self, work: tuple[bool, str]) -> Decision:
        now = self.clock()
        paused_by_user = (self.paused_by_user_at is not None
                          and self.paused_by_user_at >= last_window_start(now, self.settings))
        training = Training(running=self.job is not None and self.job.running,
                            started_by=self.started_by, work_waiting=work[0],
                            paused_by_user=paused_by_user)
        decision = decide(self.settings, self.machine(now), training)
        self.last_decision = decision
        if decision.action == "start":
            self._start_job("schedule", until=decision.until)
        elif decision.action == "pause":
            self._pause_job(decision.reason)
        elif decision.action == "wait" and self.job is None:
            reason = decision.reason
            if not work[0] and work[1] and "nothing new" in reason:
                reason = work[1]  # the specific reason: too little mail, nothing since …
            self._set_state("paused" if self.paused else self.state_when_idle(), reason)
        return decision

    def machine(self, now: datetime) -> Machine:
        """What the system says; where it cannot tell idleness, input to our own windows
        still shows that the user is here."""
        machine = self.probe(now)
        if machine.idle_s is None and self._last_input is not None:
            machine = replace(machine, idle_s=time.monotonic() - self._last_input)
        return machine

    _INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._INPUT:
            self._last_input = time.monotonic()
        return False

    def state_when_idle(self) -> str:
        return "error" if self.last_outcome and self.last_outcome.status == "failed" else "idle"

    # --- the job ------------------------------------------------------------------------
    def train_now(self, max_steps: int | None = None) -> None:
        self.paused_by_user_at = None
        self._start_job("user", max_steps=max_steps)

    def pause_or_resume(self) -> None:
        if self.job is not None and self.job.running:
            self.paused_by_user_at = self.clock()
            self._pause_job("paused by you")
        else:
            self.train_now()

    def _start_job(self, started_by: str, *, until: str | None = None,
                   max_steps: int | None = None) -> None:
        if self.job is not None and self.job.running:
            return
        self.job = self.job_factory(until=until, max_steps=max_steps)
        self.started_by = started_by
        try:
            self.job.start()
        except OSError as exc:
            self.job = None
            self._set_state("error", f"could not start training: {exc}")
            return
        self.paused = False
        self._set_state("training", "starting the training", None)
        self._poll.start()

    def _pause_job(self, reason: str) -> None:
        if self.job is not None and self.job.running:
            self.job.pause()
            self._set_state("training", f"pausing ({reason}): saving a checkpoint", self.percent)

    def poll(self) -> None:
        if self.job is None:
            self._poll.stop()
            return
        outcome = self.job.poll()
        if outcome is None:
            if self.job.phase == "evaluating":
                self._set_state("training", "evaluating the new adapter", 100)
            else:
                Op(self, current_progress).success(
                    lambda found: self.job is not None and self.job.phase == "training"
                    and self._set_state("training", found[1], found[0])).run()
            return
        self._poll.stop()
        self.job, self.last_outcome = None, outcome
        self.paused = outcome.status == "paused"
        state = {"finished": "idle", "paused": "paused", "failed": "error"}.get(outcome.status,
                                                                             "idle")
        self._set_state(state, outcome.message)
        if outcome.status in ("finished", "failed"):
            self.notify("Training finished" if outcome.status == "finished"
                        else "Training failed", outcome.message, error=outcome.status == "failed")
        self.job_ended.emit(outcome)

    # --- showing state ------------------------------------------------------------------
    def _set_state(self, state: str, text: str, percent: int | None = None) -> None:
        self.state, self.text, self.percent = state, text, percent
        label = f"{text} ({percent}%)" if percent is not None and state == "training" else text
        self.menu.show_state(state, label, running=self.job is not None and self.job.running,
                             paused=self.paused)
        if self.tray is not None:
            self.tray.show_state(state, label, percent)
        self.state_changed.emit(state, label, percent)

    def notify(self, title: str, message: str, error: bool = False) -> None:
        if self.tray is not None:
            self.tray.notify(title, message, error)
        self.notified.emit(title, message)

    # --- windows ------------------------------------------------------------------------
    def _window(self, key: str, make: Callable[[], QWidget]) -> QWidget:
        window = self.windows.get(key)
        if window is None:
            window = make()
            self.windows[key] = window
            window.destroyed.connect(lambda *_, made=window: self._forget_window(key, made))
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def _forget_window(self, key: str, window: QWidget) -> None:
        # Only if it is still that window: a reopened one may hold the key by now.
        if self.windows.get(key) is window:
            del self.windows[key]

    def open_window(self) -> QWidget:
        from app.qt.main_window import make_main_window

        window = self._window("main", lambda: make_main_window(self))
        if self.tray is not None and not getattr(window, "_tray_hint", False):
            window._tray_hint = True
            window.destroyed.connect(self._closed_to_tray)
        return window

    def _closed_to_tray(self, *_) -> None:
        if self.tray is not None and not self._told_about_tray:
            self._told_about_tray = True
            self.tray.notify("Amanuensis is still running",
                             "Nightly training and quick draft stay in the tray; choose Quit "
                             "from its menu to stop them.")

    def quick_draft(self) -> QWidget:
        from app.qt.main_window import make_quick_draft

        if "quick" not in self.windows:
            Op(None, count_quick_draft).on(store_executor()).run()
        return self._window("quick", lambda: make_quick_draft(self))

    def open_training(self) -> QWidget:
        from app.qt.training_view import TrainingView

        return self._window("training", lambda: TrainingView(self))

    def open_import(self) -> QWidget:
        from app.qt.main_window import make_import_wizard

        return self._window("import", lambda: make_import_wizard(self))

    def open_settings(self) -> QWidget:
        from app.qt.main_window import make_settings

        return self._window("settings", lambda: make_settings(self))

    # --- data changes -------------------------------------------------------------------
    def close_data_windows(self) -> None:
        """Before "delete everything": windows holding a Store close (and release it on the
        store thread, ahead of the deletion); they reopen on the empty home afterwards."""
        self.stop_training("you are deleting everything")
        wizard = self.windows.pop("import", None)
        if wizard is not None:  # its import stops after the message in hand
            wizard.close()
        import_executor().waitForDone(60_000)  # imports write beside the store thread
        self._reopen = [key for key in ("main", "quick", "training") if key in self.windows]
        for key in self._reopen:
            self.windows.pop(key).close()
        self.release_drafting()

    def stop_training(self, because: str) -> None:
        """Before a purge: a running training is killed and gone before the purge starts
        (the purge runs next on the store thread), so it writes nothing afterwards."""
        if self.job is not None and self.job.running:
            self.job.stop_now(because)
            self.poll()

    def release_drafting(self) -> None:
        """Close the shared drafting service on the store thread (after the windows' own
        releases): nothing it cached of the old data outlives a forget or a deletion."""
        Op(None, self.drafting.close).on(store_executor()).run()

    def data_changed(self) -> None:
        if not self._reopen:  # a forget: the windows stay, their next draft opens it anew
            self.release_drafting()
        reopen, self._reopen = self._reopen, []
        for key in reopen:
            {"main": self.open_window, "quick": self.quick_draft,
             "training": self.open_training}[key]()
        self.tick()
