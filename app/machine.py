"""What the operating system says about power and idleness, where it says anything.

Each probe returns ``None`` when it cannot tell, and the scheduler then neither waits nor
pauses for that rule: a desktop without a battery, or a Wayland session that hides input
idleness from applications, still trains at night.
"""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
from pathlib import Path

POWER_SUPPLY = Path("/sys/class/power_supply")


def on_ac_power(power_supply: Path = POWER_SUPPLY) -> bool | None:
    if sys.platform.startswith("linux"):
        return _linux_ac(power_supply)
    if sys.platform == "darwin":
        return _mac_ac()
    if sys.platform == "win32":
        return _windows_ac()
    return None


def _linux_ac(root: Path) -> bool | None:
    if not root.is_dir():
        return None
    mains_online: list[bool] = []
    battery_discharging = False
    for supply in root.iterdir():
        kind = _read(supply / "type")
        if kind == "Mains":
            mains_online.append(_read(supply / "online") == "1")
        elif kind == "Battery" and _read(supply / "scope") != "Device":
            battery_discharging |= _read(supply / "status") == "Discharging"
    if mains_online:
        return any(mains_online)
    if battery_discharging:
        return False
    return None  # no mains adapter listed: a desktop or a VM, nothing to go on


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _mac_ac() -> bool | None:
    output = _run(["pmset", "-g", "batt"])
    if output is None:
        return None
    if "AC Power" in output:
        return True
    return False if "Battery Power" in output else None


def _windows_ac() -> bool | None:
    class PowerStatus(ctypes.Structure):
        _fields_ = [("ACLineStatus", ctypes.c_ubyte), ("BatteryFlag", ctypes.c_ubyte),
                    ("BatteryLifePercent", ctypes.c_ubyte), ("Reserved1", ctypes.c_ubyte),
                    ("BatteryLifeTime", ctypes.c_ulong), ("BatteryFullLifeTime", ctypes.c_ulong)]

    status = PowerStatus()
    if not ctypes.windll.kernel32.GetSystemPowerStatus(ctypes.byref(status)):  # type: ignore[attr-defined]
        return None
    return {0: False, 1: True}.get(status.ACLineStatus)


def idle_seconds() -> float | None:
    """Seconds since the last keyboard or mouse input anywhere on the desktop."""
    if sys.platform == "darwin":
        output = _run(["ioreg", "-c", "IOHIDSystem"])
        match = re.search(r'"HIDIdleTime" = (\d+)', output or "")
        return int(match.group(1)) / 1e9 if match else None
    if sys.platform == "win32":
        return _windows_idle()
    if os.environ.get("DISPLAY"):
        seconds = _x11_idle()
        if seconds is not None:
            return seconds
    return _logind_idle()


def _windows_idle() -> float | None:
    class LastInput(ctypes.Structure):
        _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]

    info = LastInput(ctypes.sizeof(LastInput), 0)
    if not ctypes.windll.user32.GetLastInputInfo(ctypes.byref(info)):  # type: ignore[attr-defined]
        return None
    return (ctypes.windll.kernel32.GetTickCount() - info.dwTime) / 1000  # type: ignore[attr-defined]


def _x11_idle() -> float | None:
    """The X screensaver extension's idle time, through libXss if it is installed."""
    try:
        xlib = ctypes.cdll.LoadLibrary("libX11.so.6")
        xss = ctypes.cdll.LoadLibrary("libXss.so.1")
    except OSError:
        return None

    class ScreenSaverInfo(ctypes.Structure):
        _fields_ = [("window", ctypes.c_ulong), ("state", ctypes.c_int), ("kind", ctypes.c_int),
                    ("til_or_since", ctypes.c_ulong), ("idle", ctypes.c_ulong),
                    ("eventMask", ctypes.c_ulong)]

    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XDefaultRootWindow.restype = ctypes.c_ulong
    xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(ScreenSaverInfo)
    xss.XScreenSaverQueryInfo.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                                          ctypes.POINTER(ScreenSaverInfo)]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = xlib.XOpenDisplay(None)
    if not display:
        return None
    try:
        info = xss.XScreenSaverAllocInfo()
        if not xss.XScreenSaverQueryInfo(display, xlib.XDefaultRootWindow(display), info):
            return None
        return info.contents.idle / 1000
    finally:
        xlib.XCloseDisplay(display)


def _logind_idle() -> float | None:
    """systemd-logind's idle hint for this session (set by most desktops and by screen locks)."""
    session = os.environ.get("XDG_SESSION_ID")
    if not session:
        return None
    output = _run(["loginctl", "show-session", session, "-p", "IdleHint",
                   "-p", "IdleSinceHintMonotonic"])
    if not output:
        return None
    values = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    if values.get("IdleHint") != "yes":
        return 0.0
    since = int(values.get("IdleSinceHintMonotonic") or 0)
    if not since:
        return None
    return max(0.0, _monotonic_us() / 1e6 - since / 1e6)


def _monotonic_us() -> float:
    import time

    return time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6


def _run(command: list[str]) -> str | None:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=5,
                              check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
