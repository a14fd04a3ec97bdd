"""The tray used as a person uses it, on a real X display with a tray host.

    DISPLAY=:5 QT_QPA_PLATFORM=xcb python -m tests.tray_scenario --out result.json

Runs the real ``amanuensis tray`` (``app.qt.app.run_gui``) and clicks through it with
``xdotool``, which sends real pointer and key events through the X server: right-click the
tray icon, pick menu items, type an instruction into the quick draft, press Draft, Train now,
Pause, Open, Training… and finally Quit, which must end the app's event loop. Every step,
its timing and anything raised inside a Qt slot go to ``--out`` as JSON;
``tests/test_real_display.py`` runs it and reads the verdict.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

INSTRUCTION = "tell Stan the panes arrived; ask if Thursday suits"


class Wait:
    def __init__(self, what: str, condition: Callable[[], object], timeout: float = 30.0):
        self.what, self.condition, self.timeout = what, condition, timeout
        self.since = time.monotonic()


class Driver:
    """Steps a scenario generator from a Qt timer: each ``Wait`` it yields must come true
    within its timeout while the event loop keeps running."""

    def __init__(self, app, steps: Iterator[Wait], result: dict):
        from PySide6.QtCore import QTimer

        self.app, self.steps, self.result = app, steps, result
        self.current: Wait | None = None
        self.timer = QTimer(interval=50, timeout=self.tick)
        self.started = time.monotonic()

    def start(self) -> None:
        self.advance()
        self.timer.start()

    def advance(self) -> None:
        try:
            self.current = next(self.steps)
            self.current.since = time.monotonic()
        except StopIteration:
            self.current = None
            self.timer.stop()
        except BaseException:  # noqa: BLE001 - reported, then the app ends
            self.fail(traceback.format_exc())

    def tick(self) -> None:
        wait = self.current
        if wait is None:
            return
        try:
            done = wait.condition()
        except BaseException:  # noqa: BLE001
            self.fail(f"while waiting for {wait.what}:\n{traceback.format_exc()}")
            return
        if done:
            self.result["steps"].append({"step": wait.what,
                                         "s": round(time.monotonic() - wait.since, 2)})
            self.advance()
        elif time.monotonic() - wait.since > wait.timeout:
            self.fail(f"timed out after {wait.timeout:.0f} s waiting for {wait.what}")

    def fail(self, message: str) -> None:
        self.result["failure"] = message
        self.timer.stop()
        self.current = None
        self.app.exit(1)


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=20)


def click_at(point, button: int = 1) -> None:
    xdotool("mousemove", "--sync", str(point.x()), str(point.y()))
    xdotool("click", str(button))


def click_widget(widget) -> None:
    click_at(widget.mapToGlobal(widget.rect().center()))


def scenario(app, desktop, result: dict, shot: Path | None) -> Iterator[Wait]:
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QGuiApplication

    tray, menu = desktop.tray, desktop.menu
    assert tray is not None, "Amanuensis found no system tray on this display"
    yield Wait("the icon to sit in the tray", lambda: tray.icon.isVisible()
               and tray.icon.geometry().width() > 0)
    result["icon_geometry"] = tray.icon.geometry().getRect()
    result["tray_warms_embedder"] = desktop.warming is not None
    idle_icon = tray.icon.icon().cacheKey()

    def open_menu(why: str) -> Iterator[Wait]:
        # A real right click on the icon, through the X server, as a person makes it.
        yield Wait(f"the menu to be closed before {why}", lambda: not menu.menu.isVisible())
        icon = tray.icon.geometry()  # low on the icon, so the menu drops below the panel
        click_at(QPoint(icon.center().x(), icon.bottom() - 2), button=3)
        yield Wait(f"the tray menu to open for {why}", lambda: menu.menu.isVisible()
                   and menu.menu.geometry().width() > 0)

    def choose(action) -> None:
        rect = menu.menu.actionGeometry(action)
        assert action.isEnabled(), f"{action.text()!r} is disabled"
        click_at(menu.menu.mapToGlobal(rect.center()))

    yield from open_menu("Quick draft")
    texts = [a.text() for a in menu.menu.actions() if a.text()]
    result["menu"] = texts
    if shot is not None:
        yield Wait("the menu to paint", lambda: True)
        time.sleep(0.3)
        app.processEvents()
        area = QRect(menu.menu.geometry()).united(tray.icon.geometry()).adjusted(-160, -2, 4, 16)
        screen = QGuiApplication.primaryScreen()
        area = area.intersected(screen.geometry())
        screen.grabWindow(0, area.x(), area.y(), area.width(), area.height()).save(str(shot))
        result["screenshot"] = str(shot)
    choose(menu.quick_action)
    yield Wait("the quick draft window", lambda: "quick" in desktop.windows
               and desktop.windows["quick"].isVisible())
    quick = desktop.windows["quick"]
    yield Wait("the quick draft's model to load", lambda: quick.service is not None, 120)
    click_widget(quick.compose.instruction)
    yield Wait("the instruction box to take the keyboard",
               lambda: quick.compose.instruction.hasFocus(), 10)
    xdotool("type", "--delay", "8", INSTRUCTION)
    yield Wait("the typed instruction",
               lambda: quick.compose.instruction.toPlainText() == INSTRUCTION, 20)
    click_widget(quick.draft_button)
    yield Wait("the quick draft to start", lambda: quick.busy or bool(quick.drafts), 10)
    yield Wait("the quick draft to finish", lambda: bool(quick.drafts) and not quick.busy, 180)
    draft = quick.drafts[0]
    result["draft"] = {"text": draft.text, "timings": draft.timings,
                       "shown": quick._editor(0).toPlainText()}
    assert draft.text.strip(), "the quick draft came back empty"
    assert quick._editor(0).toPlainText() == draft.text

    yield from open_menu("Train now")
    choose(menu.train_action)
    yield Wait("training to start", lambda: desktop.state == "training"
               and desktop.job is not None and desktop.job.running, 20)
    yield Wait("the icon and tooltip to show training",
               lambda: tray.state == "training" and "training" in tray.icon.toolTip().lower())
    result["training_tooltip"] = tray.icon.toolTip()
    assert tray.icon.icon().cacheKey() != idle_icon, "the icon did not change"
    job = desktop.job
    # Let the trainer get past its start (its handler for the pause is in place by then).
    yield Wait("the trainer to write its log", lambda: job.log_path is not None
               and job.log_path.exists() and job.log_path.stat().st_size > 0, 120)

    yield from open_menu("Pause training")
    assert menu.pause_action.text() == "Pause training"
    choose(menu.pause_action)
    yield Wait("the trainer to stop and report the pause", lambda: desktop.job is None, 240)
    outcome = desktop.last_outcome
    result["pause"] = {"status": outcome.status, "message": outcome.message,
                       "tooltip": tray.icon.toolTip(), "state": tray.state}
    assert outcome.status == "paused", outcome.message
    assert tray.state == "paused"

    yield from open_menu("Open Amanuensis")
    choose(menu.open_action)
    yield Wait("the drafting window", lambda: "main" in desktop.windows
               and desktop.windows["main"].isVisible())
    yield from open_menu("Training…")
    choose(menu.training_action)
    yield Wait("the training view", lambda: "training" in desktop.windows
               and desktop.windows["training"].isVisible())
    yield Wait("the training view's data", lambda: desktop.windows["training"].data is not None,
               30)
    # The local API, served by this process: an OpenAI client and `amanuensis draft` (handed
    # over to this process, which owns the data home) both draft with the loaded model.
    yield from open_menu("Local API for add-ons")
    choose(menu.api_action)
    yield Wait("the local API", lambda: desktop.api is not None, 20)
    calls: dict = {}
    threading.Thread(target=use_the_api, args=(desktop.api.url, calls), daemon=True).start()
    yield Wait("the API's answers", lambda: "done" in calls, 300)
    result["api"] = calls
    yield from open_menu("Local API for add-ons (off)")
    choose(menu.api_action)
    yield Wait("the local API to stop", lambda: desktop.api is None, 20)

    yield from open_menu("Quit")
    result["quit_clicked"] = True
    choose(menu.quit_action)
    yield Wait("the app to quit", lambda: False, 30)  # exec() returns before this times out


def use_the_api(url: str, calls: dict) -> None:
    """What an add-on and a terminal do while the desktop runs (off the GUI thread)."""
    import subprocess
    import urllib.request

    from app.server import api_token

    try:
        health = urllib.request.Request(url + "/health",
                                        headers={"Authorization": f"Bearer {api_token()}"})
        with urllib.request.urlopen(health, timeout=60) as response:
            calls["health"] = json.loads(response.read())
        import openai

        client = openai.OpenAI(base_url=url, api_key=api_token(), max_retries=0, timeout=300)
        answer = client.chat.completions.create(
            model=client.models.list().data[0].id, max_tokens=40, temperature=0.0,
            messages=[{"role": "user", "content": "thank Sam for the rota"}])
        calls["chat"] = answer.choices[0].message.content
        done = subprocess.run([sys.executable, "-m", "app.cli", "draft", "thank Nina for the "
                               "seedlings", "--no-rag", "--json"], capture_output=True,
                              text=True, timeout=300)
        calls["cli"] = {"code": done.returncode, "stderr": done.stderr[-500:],
                        "text": json.loads(done.stdout)["text"] if done.returncode == 0 else ""}
    except Exception as exc:  # noqa: BLE001 - reported to the test
        calls["error"] = f"{type(exc).__name__}: {exc}"
    calls["done"] = True


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    result: dict = {"steps": [], "slot_errors": []}

    def excepthook(kind, value, tb):  # raised inside a Qt slot: Qt would only print it
        result["slot_errors"].append("".join(traceback.format_exception(kind, value, tb)))
        sys.__excepthook__(kind, value, tb)

    sys.excepthook = excepthook
    from PySide6.QtWidgets import QApplication

    from app.qt.app import run_gui
    from app.qt.desktop import Desktop

    app = QApplication.instance() or QApplication(["amanuensis"])
    drivers: list[Driver] = []

    def started(desktop: Desktop) -> None:
        driver = Driver(app, scenario(app, desktop, result, args.screenshot), result)
        drivers.append(driver)
        driver.start()

    began = time.monotonic()
    try:
        status = run_gui(["amanuensis"], "tray", started=started)
    except BaseException:  # noqa: BLE001
        result["failure"] = traceback.format_exc()
        status = 1
    result["status"] = status
    result["seconds"] = round(time.monotonic() - began, 1)
    result["quit_by_menu"] = status == 0 and result.get("quit_clicked", False) \
        and "failure" not in result
    args.out.write_text(json.dumps(result, indent=1, default=str))
    return 0 if result["quit_by_menu"] and not result["slot_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())

