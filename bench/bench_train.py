"""Trainer benchmark: playback speed, training tokens/s and peak memory.

    .venv/bin/python bench/bench_train.py                      # CPU, default model
    .venv/bin/python bench/bench_train.py --device cuda --model gemma3-270m --steps 30
    .venv/bin/python bench/bench_train.py --baseline           # also without bf16, same run
    .venv/bin/python bench/bench_train.py --memory-limit 3072  # also bf16 within 3 GB

Imports the sample persona into a temporary home, times playback without its cache
(emails/min), freezes a run as the desktop app's owner process does, then trains it in its
own process (``python -m trainer train --run ID``, without the store, exactly as the app
starts it) and reads tokens/s and that process's peak RSS from its JSON result: over the
whole process (loading the base dequantizes it, which peaks higher) and over the training
steps. ``--baseline`` also trains the same pairs in fp32, with and without layers recomputed
(the recipe before bf16 recomputed them); ``--memory-limit MB`` also trains in bf16 with
the run planned within that limit. Writes bench/out/train[-<device>].json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--model", default="")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: all cores)")
    parser.add_argument("--baseline", action="store_true",
                        help="also train without bf16 (fp32), to compare in the same run")
    parser.add_argument("--memory-limit", type=int, default=0, metavar="MB",
                        help="also train in bf16 with the run planned within this memory")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="amanuensis-bench-train-"))
    os.environ["AMANUENSIS_HOME"] = str(home)

    from store.api import Store
    from trainer.config import TrainSettings
    from trainer.dataset import own_emails
    from trainer.engine.models import ModelCatalogue
    from trainer.playback import EmbeddingKeyphrases
    from trainer.playback_run import playback
    from trainer.snapshot import freeze_run

    threads = args.threads or os.cpu_count() or 2
    model = ModelCatalogue(home).info(args.model or None).name
    runs = {}
    with Store(home) as store:
        store.import_paths([REPO / "resources" / "sample" / "mail"])
        emails = own_emails(store)
        keyphrases = EmbeddingKeyphrases(store.embedder)
        keyphrases("warm-up")
        _, report = playback(emails, keyphrases)
        variants = {"bf16": {}}
        if args.baseline:
            variants["fp32"] = {"bf16": False}
            variants["fp32_recomputed"] = {"bf16": False, "gradient_checkpointing": "on"}
        if args.memory_limit:
            variants["bf16_within_limit"] = {"memory_limit_mb": args.memory_limit}
        for name, changes in variants.items():
            settings = TrainSettings(model=model, max_steps=args.steps, device=args.device,
                                     threads=threads, **changes)
            runs[name] = freeze_run(store, settings, model, home).name
    started = time.monotonic()
    run = _train(runs["bf16"])
    if isinstance(run, int):
        return run
    result = {
        "device": args.device, "model": run["model"], "threads": threads,
        "playback_emails": report.emails,
        "playback_emails_per_min": round(report.emails_per_min, 1),
        "playback_usable_share": round(report.usable_share, 4),
        "train_steps": run["step"], "train_tokens_per_s": run["tokens_per_s"],
        "train_seconds": run["train_seconds"], "train_peak_rss_mb": run["peak_rss_mb"],
        "steps_peak_rss_mb": run.get("steps_peak_rss_mb"),
        "process_seconds": round(time.monotonic() - started, 1),
        "train_loss": run["train_loss"], "held_out_loss": run["eval_loss"],
        "plan": run.get("plan"), "verification": run.get("verification"),
    }
    # The same pairs, frozen alike, trained another way.
    for name, key in (("fp32", "fp32_baseline"), ("fp32_recomputed", "fp32_recomputed"),
                      ("bf16_within_limit", "bf16_within_limit")):
        if name not in runs:
            continue
        other = _train(runs[name])
        if isinstance(other, int):
            return other
        result[key] = {
            "train_tokens_per_s": other["tokens_per_s"],
            "train_peak_rss_mb": other["peak_rss_mb"],
            "steps_peak_rss_mb": other.get("steps_peak_rss_mb"),
            "train_loss": other["train_loss"], "held_out_loss": other["eval_loss"],
            "checkpointing": (other.get("plan") or {}).get("checkpointing"),
            "vs_bf16": round(other["tokens_per_s"] / run["tokens_per_s"], 2)}
    if "fp32_baseline" in result:
        result["speedup"] = round(run["tokens_per_s"]
                                  / result["fp32_baseline"]["train_tokens_per_s"], 2)
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.device == "cpu" else f"-{args.device}"
    (out / f"train{suffix}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


def _train(run: str) -> dict | int:
    command = [sys.executable, "-m", "trainer", "train", "--json", "--run", run]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=os.environ)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return done.returncode
    return json.loads(done.stdout)


if __name__ == "__main__":
    sys.exit(main())
