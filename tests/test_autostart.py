"""Start at login: the entry each platform reads, naming this interpreter and data home."""

from __future__ import annotations

import plistlib
import shlex

from app.autostart import autostart_path, disable, enable, is_enabled


def test_linux_gets_an_xdg_autostart_entry(tmp_path, monkeypatch, isolated_home):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = enable("linux", python="/opt/venv/bin/python")
    assert path == tmp_path / "config" / "autostart" / "amanuensis-tray.desktop"
    entry = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    assert shlex.split(entry["Exec"]) == ["env", f"AMANUENSIS_HOME={isolated_home}",
                                          "/opt/venv/bin/python", "-m", "app", "tray"]
    assert is_enabled("linux")
    disable("linux")
    assert not is_enabled("linux") and not path.exists()


def test_macos_gets_a_launch_agent(tmp_path, monkeypatch):
    monkeypatch.delenv("AMANUENSIS_HOME")
    path = enable("darwin", home=tmp_path, python="/usr/bin/python3")
    agent = plistlib.loads(path.read_bytes())
    assert agent["ProgramArguments"] == ["/usr/bin/python3", "-m", "app", "tray"]
    assert agent["RunAtLoad"] and "EnvironmentVariables" not in agent


def test_windows_gets_a_startup_command(tmp_path, monkeypatch, isolated_home):
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    path = enable("win32", python=r"C:\Python\python.exe")
    assert path == autostart_path("win32")
    assert path.parent.name == "Startup"
    text = path.read_text()
    assert f'set "AMANUENSIS_HOME={isolated_home}"' in text
    assert '"C:\\Python\\python.exe" "-m" "app" "tray"' in text
