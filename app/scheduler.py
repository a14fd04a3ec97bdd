"""When the nightly training starts and when it stops: one pure decision over what the
machine reports, so that every rule can be tested with a given clock, power and idle time.

The desktop asks ``decide`` once a minute and acts on the answer; nothing here starts a
process or reads the system (``app.machine`` reads power and idle time, ``app.training_job``
runs the trainer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from app.schedule_settings import ScheduleSettings

# Input within this many seconds means the user is back: a scheduled run pauses.
BACK_AT_KEYBOARD_S = 60.0

Action = Literal["start", "pause", "continue", "wait"]


@dataclass(frozen=True)
class Machine:
    """What the scheduler can observe. ``None`` means the system could not say."""

    now: datetime
    on_ac_power: bool | None = None
    idle_s: float | None = None


@dataclass(frozen=True)
class Training:
    running: bool = False
    started_by: Literal["schedule", "user"] | None = None
    # An unfinished run to continue, new own mail since the last adapter, or accepted drafts.
    work_waiting: bool = False
    # The user pressed Pause: the schedule leaves it alone until the next night.
    paused_by_user: bool = False


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    until: str | None = None  # HH:MM: when a started run must pause itself


def in_window(now: time, start: time, end: time) -> bool:
    """Whether ``now`` lies in [start, end); a window may run past midnight, and a window
    that starts and ends at the same time is open all day."""
    if start == end:
        return True
    if start < end:
        return start <= now < end
    return now >= start or now < end


def next_window_start(now: datetime, settings: ScheduleSettings) -> datetime:
    start = datetime.combine(now.date(), settings.start_time)
    return start if start > now else start + timedelta(days=1)


def last_window_start(now: datetime, settings: ScheduleSettings) -> datetime:
    """When the most recent window opened (a pause by the user lasts until the next one)."""
    start = datetime.combine(now.date(), settings.start_time)
    return start if start <= now else start - timedelta(days=1)


def decide(settings: ScheduleSettings, machine: Machine, training: Training) -> Decision:
    window = f"{settings.start}–{settings.end}"
    open_now = in_window(machine.now.time().replace(second=0, microsecond=0),
                         settings.start_time, settings.end_time)
    on_battery = settings.require_ac_power and machine.on_ac_power is False
    user_active = machine.idle_s is not None and machine.idle_s < BACK_AT_KEYBOARD_S

    if training.running:
        if training.started_by == "user":
            return Decision("continue", "training you started runs until it finishes or you "
                                        "pause it")
        if not settings.enabled:
            return Decision("pause", "nightly training was turned off")
        if not open_now:
            return Decision("pause", f"the night's window ({window}) has closed")
        if on_battery:
            return Decision("pause", "the computer is running on battery")
        if user_active:
            return Decision("pause", "you are back at the computer")
        return Decision("continue", f"training in tonight's window ({window})")

    if not settings.enabled:
        return Decision("wait", "nightly training is turned off")
    if training.paused_by_user:
        return Decision("wait", "paused by you until tomorrow night")
    if not training.work_waiting:
        return Decision("wait", "nothing new to train on")
    if not open_now:
        start = next_window_start(machine.now, settings)
        return Decision("wait", f"waiting for the nightly window ({window}), next at "
                                f"{start:%a %H:%M}")
    if on_battery:
        return Decision("wait", "waiting for AC power")
    needed_s = settings.idle_minutes * 60
    if machine.idle_s is not None and machine.idle_s < needed_s:
        return Decision("wait", f"waiting until the computer has been idle for "
                                f"{settings.idle_minutes} min")
    return Decision("start", f"the nightly window ({window}) is open and the computer is idle",
                    until=settings.end if settings.start != settings.end else None)
