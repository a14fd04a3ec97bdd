"""When the overnight training may run: the ``[schedule]`` table of settings.toml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path

from store.settings import SettingsError, load_section, save_section


def parse_clock(text: str) -> time:
    """``"01:00"`` → ``time(1, 0)``; a clear error for anything else."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise SettingsError(f"[schedule] expected a time as HH:MM, got {text!r}") from exc


@dataclass
class ScheduleSettings:
    enabled: bool = True
    start: str = "01:00"
    end: str = "06:00"
    # Where the power source can be read; where it cannot, training is allowed.
    require_ac_power: bool = True
    # Minutes without keyboard or mouse input before a night's training may start.
    idle_minutes: int = 10

    def __post_init__(self) -> None:
        parse_clock(self.start), parse_clock(self.end)  # fail on load, not at 1 a.m.
        if self.idle_minutes < 0:
            raise SettingsError("[schedule] idle_minutes cannot be negative")

    @property
    def start_time(self) -> time:
        return parse_clock(self.start)

    @property
    def end_time(self) -> time:
        return parse_clock(self.end)

    @classmethod
    def load(cls, home: Path | None = None) -> ScheduleSettings:
        return load_section("schedule", cls, home)

    def save(self, home: Path | None = None) -> None:
        save_section("schedule", self, home)
