"""Cleaning benchmark: pass rates on our own reply/quote/forward/signature cases, per
language, client and kind, and cleaning speed on the shared account's bodies.

    .venv/bin/python bench/bench_clean.py [--compare REV] [--json]

``--compare REV`` runs the cleaner of git revision REV (e.g. the commit before a change)
on the same cases and bodies in the same run, for before/after numbers. Writes
bench/out/clean.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
ACCOUNT = REPO.parent / "shared" / "data" / "enron-allen-p"


def cleaner_at(revision: str):
    """``store.clean.clean_body`` and ``store.htmltext`` as they were at ``revision``."""
    folder = Path(tempfile.mkdtemp(prefix="clean-rev-"))
    package = folder / "store"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in ("clean.py", "quotes.py", "htmltext.py"):
        shown = subprocess.run(["git", "-C", str(REPO), "show", f"{revision}:store/{name}"],
                               capture_output=True, text=True)
        if shown.returncode == 0:
            (package / name).write_text(shown.stdout)
    modules = {}
    for name in ("quotes", "htmltext", "clean"):
        path = package / f"{name}.py"
        if not path.exists():
            continue
        source = path.read_text().replace("from store import quotes",
                                          "import old_store_quotes as quotes")
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(f"old_store_{name}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"old_store_{name}"] = module
        spec.loader.exec_module(module)
        modules[name] = module
    html = modules["htmltext"]
    to_text = getattr(html, "mail_html_to_text", html.html_to_text)
    clean_body = modules["clean"].clean_body

    def clean(case_text: str, is_html: bool) -> str:
        return clean_body(to_text(case_text) if is_html else case_text).body
    return clean, clean_body


def current_cleaner():
    from store.clean import clean_body
    from store.htmltext import mail_html_to_text

    def clean(case_text: str, is_html: bool) -> str:
        return clean_body(mail_html_to_text(case_text) if is_html else case_text).body
    return clean, clean_body


def rates(clean) -> dict:
    from tests.clean_cases import judge, load_cases

    cases = load_cases()
    by: dict[str, dict[str, Counter]] = {"language": defaultdict(Counter),
                                         "client": defaultdict(Counter),
                                         "kind": defaultdict(Counter)}
    overall = Counter()
    failing: dict[str, list[str]] = defaultdict(list)
    for case in cases:
        got = clean(case.html or case.text, bool(case.html))
        verdict = judge(case, got)
        overall[verdict] += 1
        for axis in by:
            by[axis][getattr(case, axis)][verdict] += 1
        if verdict != "clean":
            failing[verdict].append(case.id)

    def share(counter: Counter) -> dict:
        total = sum(counter.values())
        return {"cases": total, "clean": round(counter["clean"] / total, 4),
                "kept_other": counter["kept_other"], "cut_own": counter["cut_own"]}
    return {"overall": share(overall),
            **{axis: {k: share(v) for k, v in sorted(groups.items())}
               for axis, groups in by.items()},
            "failing": dict(failing)}


def account_bodies() -> list[str]:
    from store.formats import discover

    if not ACCOUNT.exists():
        return []
    sources, _ = discover([ACCOUNT])
    texts = []
    for source in sources:
        for item in source.items():
            try:
                texts.append(item.parse().text)
            except Exception:  # noqa: BLE001 - a bench counts what it can read
                continue
    return texts


def speed(clean_body, texts: list[str], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            clean_body(text)
        best = min(best, time.perf_counter() - started)
    return round(len(texts) / best, 1) if best else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", help="also run the cleaner of this git revision")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    texts = account_bodies()
    cleaners = {"current": current_cleaner()}
    if args.compare:
        cleaners[args.compare] = cleaner_at(args.compare)
    results = {}
    for name, (clean, clean_body) in cleaners.items():
        results[name] = {**rates(clean), "account_messages": len(texts),
                         "messages_per_s": speed(clean_body, texts)}
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "clean.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return 0
    for name, result in results.items():
        o = result["overall"]
        print(f"== {name}: {o['clean']:.1%} clean of {o['cases']} cases, someone else's text "
              f"kept in {o['kept_other']}, own words cut in {o['cut_own']}; "
              f"{result['messages_per_s']:.0f} messages/s over {result['account_messages']} "
              "shared-account bodies")
        for axis in ("language", "client", "kind"):
            row = ", ".join(f"{k} {v['clean']:.0%}/{v['cases']}" for k, v in result[axis].items())
            print(f"   {axis}: {row}")
        for verdict, ids in result["failing"].items():
            print(f"   {verdict}: {', '.join(ids)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
