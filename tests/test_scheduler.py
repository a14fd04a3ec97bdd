"""The nightly scheduler's rules for given clocks, power and idle times; the power probe on a
fake sysfs; the training job's process plumbing with a stand-in trainer; the reads the
training view and the scheduler make of the trainer's files."""

from __future__ import annotations

import sqlite3
import sys
import textwrap
import time
from datetime import datetime

import pytest

from app.machine import _linux_ac
from app.schedule_settings import ScheduleSettings
from app.scheduler import Machine, Training, decide, in_window, last_window_start
from app.training_job import TrainingJob, eval_change
from app.training_status import read_metrics, training_needed
from store.settings import SettingsError
from trainer.run import runs_dir, write_state

NIGHT = datetime(2026, 11, 27, 2, 30)
NOON = datetime(2026, 11, 27, 12, 0)
WAITING = Training(work_waiting=True)


def at(now, ac=True, idle=3600.0) -> Machine:
    return Machine(now=now, on_ac_power=ac, idle_s=idle)


@pytest.mark.parametrize(("clock", "start", "end", "inside"), [
    ("01:00", "01:00", "06:00", True), ("05:59", "01:00", "06:00", True),
    ("06:00", "01:00", "06:00", False), ("00:59", "01:00", "06:00", False),
    ("23:30", "22:00", "04:00", True), ("03:00", "22:00", "04:00", True),
    ("12:00", "22:00", "04:00", False), ("12:00", "09:00", "09:00", True),
])
def test_windows_include_their_start_exclude_their_end_and_may_cross_midnight(
        clock, start, end, inside):
    parse = ScheduleSettings(start=start, end=end)
    now = datetime.strptime(clock, "%H:%M").time()
    assert in_window(now, parse.start_time, parse.end_time) is inside


def test_starts_at_night_on_ac_power_when_idle_and_there_is_work():
    decision = decide(ScheduleSettings(), at(NIGHT), WAITING)
    assert decision.action == "start"
    assert decision.until == "06:00"


@pytest.mark.parametrize(("machine", "training", "settings", "why"), [
    (at(NOON), WAITING, ScheduleSettings(), "nightly window (01:00–06:00), next at Sat 01:00"),
    (at(NIGHT, ac=False), WAITING, ScheduleSettings(), "AC power"),
    (at(NIGHT, idle=120), WAITING, ScheduleSettings(), "idle for 10 min"),
    (at(NIGHT), Training(work_waiting=False), ScheduleSettings(), "nothing new"),
    (at(NIGHT), WAITING, ScheduleSettings(enabled=False), "turned off"),
    (at(NIGHT), Training(work_waiting=True, paused_by_user=True), ScheduleSettings(),
     "paused by you"),
])
def test_waits_and_says_why(machine, training, settings, why):
    decision = decide(settings, machine, training)
    assert decision.action == "wait"
    assert why in decision.reason


def test_unknown_power_and_idleness_do_not_block_the_night():
    decision = decide(ScheduleSettings(), Machine(now=NIGHT), WAITING)
    assert decision.action == "start"
    on_battery = decide(ScheduleSettings(require_ac_power=False), at(NIGHT, ac=False), WAITING)
    assert on_battery.action == "start"


@pytest.mark.parametrize(("machine", "settings", "why"), [
    (at(datetime(2026, 11, 27, 6, 0)), ScheduleSettings(), "has closed"),
    (at(NIGHT, ac=False), ScheduleSettings(), "battery"),
    (at(NIGHT, idle=5), ScheduleSettings(), "you are back"),
    (at(NIGHT), ScheduleSettings(enabled=False), "turned off"),
])
def test_a_scheduled_run_pauses_when_the_night_is_over(machine, settings, why):
    running = Training(running=True, started_by="schedule", work_waiting=True)
    decision = decide(settings, machine, running)
    assert decision.action == "pause"
    assert why in decision.reason


def test_a_scheduled_run_keeps_going_in_its_window_and_a_users_run_is_left_alone():
    scheduled = Training(running=True, started_by="schedule")
    assert decide(ScheduleSettings(), at(NIGHT, idle=600), scheduled).action == "continue"
    users = Training(running=True, started_by="user")
    assert decide(ScheduleSettings(), at(NOON, ac=False, idle=1), users).action == "continue"


def test_a_pause_by_the_user_lasts_until_the_next_window_opens():
    settings = ScheduleSettings()
    assert last_window_start(NIGHT, settings) == datetime(2026, 11, 27, 1, 0)
    assert last_window_start(datetime(2026, 11, 27, 0, 30), settings) == datetime(
        2026, 11, 26, 1, 0)


def test_bad_times_in_settings_are_refused_on_load():
    with pytest.raises(SettingsError, match="HH:MM"):
        ScheduleSettings(start="1am")


def _supply(root, name, **files):
    folder = root / name
    folder.mkdir(parents=True)
    for key, value in files.items():
        (folder / key).write_text(value + "\n")


def test_power_is_read_from_sysfs_where_it_can_be(tmp_path):
    laptop = tmp_path / "laptop"
    _supply(laptop, "AC", type="Mains", online="0")
    _supply(laptop, "BAT0", type="Battery", status="Discharging")
    assert _linux_ac(laptop) is False
    (laptop / "AC" / "online").write_text("1\n")
    assert _linux_ac(laptop) is True
    desktop = tmp_path / "desktop"
    _supply(desktop, "hidpp_battery_0", type="Battery", scope="Device", status="Discharging")
    assert _linux_ac(desktop) is None  # a mouse battery says nothing about mains power
    assert _linux_ac(tmp_path / "missing") is None


FAKE_TRAINER = textwrap.dedent("""\
    import json, signal, sys, time
    args = sys.argv[3:]
    if args[0] == "eval":
        scores = {"rag": {"style_distance": 0.63, "rouge_l": 14.5},
                  "lora_rag": {"style_distance": 0.46, "rouge_l": 21.6}}
        print(json.dumps({"scored": 8, "settings": scores, "to_record": {
            "adapter": "20261202-010000", "fields": {"scores": scores}}}))
        sys.exit(0)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    for step in range(200):
        if stop:
            print(json.dumps({"status": "paused", "step": step, "total_steps": 200}))
            sys.exit(3)
        if "--fail" in args:
            print("Cannot train: only 3 emails of yours", file=sys.stderr)
            sys.exit(1)
        if "--quick" in args and step == 3:
            break
        time.sleep(0.02)
    print(json.dumps({"status": "trained", "step": step, "total_steps": 200,
                      "best_eval_loss": 2.93, "start_eval_loss": 3.47, "usable": True}))
""")


@pytest.fixture
def fake_python(tmp_path):
    script = tmp_path / "fake_trainer.py"
    script.write_text(FAKE_TRAINER)
    runner = tmp_path / "python"
    runner.write_text(f"#!/bin/sh\nexec {sys.executable} {script} \"$@\"\n")
    runner.chmod(0o755)
    return str(runner)


@pytest.fixture
def frozen_run(isolated_home):
    """What the owner hands the trainer process: a run folder (the fake trainer ignores it)."""
    run_dir = isolated_home / "trainer" / "runs" / "20261202-010000"
    run_dir.mkdir(parents=True)
    # As the trainer process leaves it once it has exported and verified the adapter.
    (run_dir / "adapter.gguf").write_bytes(b"GGUF")
    write_state(run_dir, model="smollm2-135m", status="trained", usable=True,
                adapter_entry={"model": "smollm2-135m", "path": str(run_dir / "adapter.gguf")})
    return lambda cancel: run_dir


def _job(fake_python, frozen_run, isolated_home, **options) -> TrainingJob:
    return TrainingJob(python=fake_python, prepare=frozen_run, home=isolated_home, **options)


def _until_training(job: TrainingJob, seconds: float = 10) -> None:
    """The desktop polls from a timer; a poll after the preparation starts the trainer."""
    end = time.monotonic() + seconds
    while not job.process_running:
        assert job.poll() is None and time.monotonic() < end, "the trainer never started"
        time.sleep(0.02)


def _wait(job: TrainingJob, seconds: float = 20):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        outcome = job.poll()
        if outcome is not None:
            return outcome
        time.sleep(0.05)
    raise AssertionError("the job did not end")


def test_a_finished_night_is_evaluated_and_reports_the_change(fake_python, frozen_run,
                                                               isolated_home):
    job = _job(fake_python, frozen_run, isolated_home, extra_args=("--quick",))
    job.start()
    outcome = _wait(job)
    assert outcome.status == "finished"
    assert "held-out loss 3.47 → 2.93" in outcome.message
    assert "Style distance 0.63 → 0.46, ROUGE-L 14.5 → 21.6" in outcome.message
    assert outcome.evaluation["scored"] == 8
    assert job.process.args[-1] == "--json"
    # The owner registered the adapter and recorded the scores the evaluation measured.
    from trainer.registry import active_adapter, adapter_entry

    assert active_adapter("smollm2-135m", isolated_home)[0] == "20261202-010000"
    assert adapter_entry("20261202-010000", isolated_home)["scores"]["lora_rag"]["rouge_l"] == 21.6


def test_pause_stops_the_trainer_with_its_checkpoint_exit(fake_python, frozen_run,
                                                          isolated_home):
    job = _job(fake_python, frozen_run, isolated_home, until="06:00")
    job.start()
    _until_training(job)
    time.sleep(0.3)
    assert job.running and job.poll() is None
    job.pause()
    outcome = _wait(job)
    assert outcome.status == "paused"
    assert "continues next time" in outcome.message
    args = list(job.process.args)
    assert args[args.index("--until") + 1] == "06:00"
    assert args[args.index("--run") + 1] == "20261202-010000"


def test_stop_now_kills_the_run_before_a_purge_without_a_last_checkpoint(
        fake_python, frozen_run, isolated_home):
    """Before a forget or a deletion: gone at once (the fake trainer would print its
    "paused" checkpoint on SIGTERM; killed, it writes nothing more)."""
    job = _job(fake_python, frozen_run, isolated_home, until="06:00")
    job.start()
    _until_training(job)
    time.sleep(0.3)
    started = time.monotonic()
    assert job.stop_now("you are forgetting mail")
    assert time.monotonic() - started < 5 and not job.running
    outcome = _wait(job)
    assert outcome.status == "paused" and "you are forgetting mail" in outcome.message
    assert job._output() is None  # nothing written after the kill


def test_a_failure_names_the_trainers_last_words(fake_python, frozen_run, isolated_home):
    job = _job(fake_python, frozen_run, isolated_home, extra_args=("--fail",))
    job.start()
    outcome = _wait(job)
    assert outcome.status == "failed"
    assert "only 3 emails of yours" in outcome.message
    assert outcome.log is not None and outcome.log.exists()


def test_eval_change_needs_both_settings():
    assert eval_change({"settings": {"base": {"rouge_l": 1.0}}}) == ""


def test_metrics_are_read_incrementally_leaving_a_half_written_line(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"step": 0, "eval_loss": 3.4}\n{"step": 1, "loss": 3.2}\n{"step": 2, "lo')
    records, offset = read_metrics(path)
    assert [r["step"] for r in records] == [0, 1]
    with path.open("a") as handle:
        handle.write('ss": 3.1}\n')
    more, _ = read_metrics(path, offset)
    assert more == [{"step": 2, "loss": 3.1}]


class _Catalogue:
    def __init__(self, own: int, imported_at: str):
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute("CREATE TABLE messages (is_own INTEGER, imported_at TEXT,"
                          " body_changed_at TEXT)")
        self.conn.executemany("INSERT INTO messages VALUES (1, ?, NULL)",
                              [(imported_at,)] * own)


def test_training_is_needed_for_new_mail_and_unfinished_runs(isolated_home):
    model = "smollm2-135m"
    assert not training_needed(_Catalogue(5, "2026-11-01T00:00:00+00:00"), model)[0]
    catalogue = _Catalogue(40, "2026-11-01T00:00:00+00:00")
    assert training_needed(catalogue, model) == (True, "no adapter has been trained yet")
    run = runs_dir() / "20261102-010000"
    run.mkdir(parents=True)
    write_state(run, model=model, status="paused", created=time.time() - 3600)
    assert training_needed(catalogue, model) == (True, "a paused run to finish")
    write_state(run, status="finished")
    assert training_needed(catalogue, model) == (False, "nothing new since the last run")
    newer = _Catalogue(41, datetime.now().astimezone().isoformat())
    assert training_needed(newer, model) == (
        True, "new mail of yours was imported since the last run")


def test_the_owner_prepares_the_run_and_says_why_it_cannot(fake_python, isolated_home):
    """The real preparation, in this process with its own store: too little mail is a clear
    failure before any trainer process starts."""
    job = TrainingJob(python=fake_python, home=isolated_home)
    job.start()
    outcome = _wait(job, 60)
    assert outcome.status == "failed" and job.process is None
    assert "only 0 of your own emails are usable for training" in outcome.message


def test_a_pause_while_the_owner_prepares_stops_the_preparation(fake_python, isolated_home):
    """Pause before the trainer starts: the preparation sees its cancel token, and no
    trainer process is started."""
    def slow_prepare(cancel):
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.01)

    job = TrainingJob(python=fake_python, prepare=slow_prepare, home=isolated_home)
    job.start()
    assert job.running and job.poll() is None
    job.pause()
    outcome = _wait(job)
    assert outcome.status == "paused" and "while preparing the data" in outcome.message
    assert job.process is None and not job.running
