"""Peak memory of the desktop while the main window, the quick draft and the local API
all draft at once.

    .venv/bin/python bench/bench_desktop_memory.py

Imports the sample persona into a temporary home, opens the desktop offscreen with both
drafting windows, serves the local API, and starts a draft in each of the three at the
same moment. Resident memory of every process involved is sampled every 50 ms; the peak
of their sum is the number. Two layouts, measured in the same run:

- ``shared`` (now): one engine in the desktop process; the API is served from it.
- ``per-window`` (as before issue 12): each window loads a model of its own, and the API
  is an ``amanuensis serve`` process beside the desktop with a third copy.

Writes bench/out/desktop_memory.json.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_first_draft import wait  # noqa: E402 - the same event-loop wait

REQUESTS = ("tell Stan the panes arrived; ask if Thursday suits",
            "thank Priya for the seed order; it arrived today",
            "ask Sam whether the rota for next week is final")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sampler(threading.Thread):
    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        import psutil

        self.processes = [psutil.Process(pid) for pid in pids]
        self.peak = {p.pid: 0 for p in self.processes}
        self.peak_total = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.05):
            total = 0
            for process in self.processes:
                rss = process.memory_info().rss
                self.peak[process.pid] = max(self.peak[process.pid], rss)
                total += rss
            self.peak_total = max(self.peak_total, total)


def one_run(layout: str) -> dict:
    from PySide6.QtWidgets import QApplication

    from app import shared_drafting
    from app.qt.desktop import Desktop
    from app.qt.ops import wait_for_background
    from app.server import api_token
    from store.owner import delegate_env

    app = QApplication.instance() or QApplication(sys.argv[:1])
    desktop = Desktop(use_tray=False, tick_ms=3_600_000, work_check=lambda: (False, ""))
    shared = layout == "shared"
    if shared:
        main, quick = desktop.open_window(), desktop.quick_draft()
    else:
        from trainer.engine.pool import Engine

        service = shared_drafting.DraftingService
        shared_drafting.DraftingService = lambda **kw: service(**kw, engine=Engine())
        windows, services = [], []
        for opening in (desktop.open_window, desktop.quick_draft):
            desktop.drafting = shared_drafting.SharedDrafting()  # a service of its own
            services.append(desktop.drafting)
            windows.append(opening())
        main, quick = windows
    wait(app, lambda: main.warmed is not None and quick.warmed is not None, 300)
    server = None
    if shared:
        from app.server import ApiSettings

        ApiSettings(port=0).save()
        desktop.serve_api(True)
        url = desktop.api.url
    else:
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port",
                                   str(port)], cwd=REPO, stderr=subprocess.DEVNULL,
                                  env={**os.environ, **delegate_env()})
        url = f"http://127.0.0.1:{port}/v1"
    token = api_token()

    def post(body: dict) -> dict:
        request = urllib.request.Request(
            f"{url}/drafts", data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read())

    # The API's first request (its model loads then, where it runs in its own process).
    end = time.monotonic() + 120
    while True:
        try:
            post({"instruction": "say thanks", "max_tokens": 5, "rag": False})
            break
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.5)
    pids = [os.getpid()] + ([server.pid] if server else [])
    sampler = Sampler(pids)
    sampler.start()
    answers: list[dict] = []
    api = threading.Thread(target=lambda: answers.append(post({"instruction": REQUESTS[2],
                                                               "length": "short"})))
    for window, instruction in ((main, REQUESTS[0]), (quick, REQUESTS[1])):
        window.compose.length.setCurrentText("short")
        window.compose.instruction.setPlainText(instruction)
    started = time.perf_counter()
    main.start_draft()
    quick.start_draft()
    api.start()
    wait(app, lambda: not main.busy and not quick.busy and not api.is_alive(), 600)
    elapsed = time.perf_counter() - started
    sampler.stopping.set()
    sampler.join()
    in_desktop = [desktop.drafting] if shared else services
    loads = sum(d.current().engine.loads for d in in_desktop if d.current() is not None)
    result = {
        "layout": layout,
        "api_in_desktop": shared,
        "peak_total_mb": round(sampler.peak_total / 2**20, 1),
        "peak_desktop_mb": round(sampler.peak[os.getpid()] / 2**20, 1),
        "peak_serve_process_mb": round(sampler.peak[server.pid] / 2**20, 1) if server
        else None,
        "models_loaded": loads + bool(server),  # the serve process loads its own
        "three_drafts_s": round(elapsed, 2),
        "drafted": [bool(main.drafts.get(0)), bool(quick.drafts.get(0)), bool(answers)],
    }
    # Out before the clean-up: the number is measured, and a quit need not wait for it.
    print(json.dumps(result), flush=True)
    if server:
        server.terminate()
        server.wait(30)
    for window in list(desktop.windows.values()):
        window.close()
    desktop.shutdown()
    wait_for_background(120_000)
    return result


def main() -> int:
    if "--one" in sys.argv:
        one_run(sys.argv[sys.argv.index("--one") + 1])
        return 0
    from store.api import Store

    result = {}
    with tempfile.TemporaryDirectory(prefix="amanuensis-bench-") as home:
        with Store(Path(home)) as store:
            store.import_paths([REPO / "resources" / "sample" / "mail"])
        for layout in ("per-window", "shared"):
            done = subprocess.run([sys.executable, __file__, "--one", layout], cwd=REPO,
                                  env={**os.environ, "AMANUENSIS_HOME": home},
                                  capture_output=True, text=True)
            if done.returncode or not done.stdout.strip():
                print(f"{layout}: exit code {done.returncode}, no result\n{done.stderr[-3000:]}",
                      file=sys.stderr)
                return done.returncode or 1
            result[layout] = json.loads(done.stdout.strip().splitlines()[-1])
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "desktop_memory.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
