"""Start ``amanuensis tray`` when the user logs in, so the nightly training needs no window.

One small file in the place each desktop reads at login: an XDG autostart entry on Linux
desktops, a LaunchAgent on macOS, a command file in the Startup folder on Windows. The
entry names this installation's interpreter, so it keeps working inside a virtualenv.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import sys
from pathlib import Path

ENTRY_NAME = "amanuensis-tray"


def autostart_path(platform: str = sys.platform, home: Path | None = None) -> Path:
    home = home or Path.home()
    if platform == "darwin":
        return home / "Library" / "LaunchAgents" / f"org.amanuensis.{ENTRY_NAME}.plist"
    if platform == "win32":
        appdata = Path(os.environ.get("APPDATA", home / "AppData" / "Roaming"))
        return appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / \
            f"{ENTRY_NAME}.cmd"
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return config / "autostart" / f"{ENTRY_NAME}.desktop"


def is_enabled(platform: str = sys.platform, home: Path | None = None) -> bool:
    return autostart_path(platform, home).exists()


def enable(platform: str = sys.platform, home: Path | None = None,
           python: str = sys.executable) -> Path:
    path = autostart_path(platform, home)
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [python, "-m", "app", "tray"]
    data_home = os.environ.get("AMANUENSIS_HOME")
    if platform == "darwin":
        agent = {"Label": f"org.amanuensis.{ENTRY_NAME}", "ProgramArguments": command,
                 "RunAtLoad": True, "ProcessType": "Interactive"}
        if data_home:
            agent["EnvironmentVariables"] = {"AMANUENSIS_HOME": data_home}
        path.write_bytes(plistlib.dumps(agent))
    elif platform == "win32":
        setting = f'set "AMANUENSIS_HOME={data_home}"\r\n' if data_home else ""
        path.write_text(f"@echo off\r\n{setting}start \"\" " +
                        " ".join(f'"{part}"' for part in command) + "\r\n")
    else:
        exec_line = shlex.join(command)
        if data_home:
            exec_line = shlex.join(["env", f"AMANUENSIS_HOME={data_home}", *command])
        path.write_text("[Desktop Entry]\nType=Application\nName=Amanuensis\n"
                        "Comment=Trains your writing style overnight; quick draft from the "
                        f"tray\nExec={exec_line}\nTerminal=false\n"
                        "X-GNOME-Autostart-enabled=true\n")
    return path


def disable(platform: str = sys.platform, home: Path | None = None) -> None:
    autostart_path(platform, home).unlink(missing_ok=True)
