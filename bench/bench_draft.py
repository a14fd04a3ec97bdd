"""Drafting benchmark: our runtime against raw llama-cpp-python on the same prompt and threads.

    .venv/bin/python bench/bench_draft.py

Imports the sample persona into a temporary home, builds a drafting prompt with and without
retrieved examples, then times time-to-first-token and tokens/s through ``ModelRuntime``
and through a bare ``llama_cpp.Llama`` loop (greedy, cold prompt cache each run), plus
retrieval latency and the process's peak RSS. Writes bench/out/draft.json.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

RUNS = 4
NEW_TOKENS = 128
INSTRUCTION = "tell Stan the board approved the glazing quote and ask when he can start"


def raw_llama(model_path: str, threads: int, batch_threads: int, n_ctx: int):
    from llama_cpp import Llama

    return Llama(model_path=model_path, n_ctx=n_ctx, n_threads=threads,
                 n_threads_batch=batch_threads,
                 n_batch=512, verbose=False)


def time_raw(llm, prompt: str) -> tuple[float, float, int]:
    import llama_cpp

    vocab = llama_cpp.llama_model_get_vocab(llm._model.model)
    llm.reset()
    tokens = llm.tokenize(prompt.encode(), add_bos=True, special=True)
    start = time.perf_counter()
    first = None
    count = 0
    for token in llm.generate(tokens, temp=0.0, top_k=40, top_p=0.95, min_p=0.05,
                              repeat_penalty=1.1):
        if first is None:
            first = time.perf_counter() - start
        if llama_cpp.llama_vocab_is_eog(vocab, token):
            break
        count += 1
        llm.detokenize([token])
        if count >= NEW_TOKENS:
            break
    total = time.perf_counter() - start
    return first, (count - 1) / (total - first), count


def time_ours(runtime, prompt: str) -> tuple[float, float, int]:
    from trainer.engine.runtime import GenerationParams

    runtime.call(lambda: runtime._llm.reset())
    generation = runtime.generate(prompt, GenerationParams(
        temperature=0.0, max_tokens=NEW_TOKENS, repeat_penalty=1.1))
    generation.result()
    stats = generation.stats
    return stats.ttft_s, stats.tokens_per_s, stats.completion_tokens


def main() -> int:
    from app.drafting import DraftingService
    from store.api import Store
    from trainer.engine.chat import chat_format_for
    from trainer.engine.prompts import Profile, PromptBuilder, PromptRequest

    results: dict = {"cpu_count": os.cpu_count(), "new_tokens": NEW_TOKENS}
    with tempfile.TemporaryDirectory() as home:
        os.environ["AMANUENSIS_HOME"] = home
        # Import in another process: its embedding batches are not part of drafting's memory.
        import subprocess

        subprocess.run([sys.executable, "-m", "app", "import",
                        str(REPO / "resources" / "sample" / "mail")], check=True,
                       env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True)
        store = Store(Path(home))
        service = DraftingService(store=store, profile=Profile(name="Teddy Quill"))
        runtime = service.runtime()
        latencies = []
        for _ in range(20):
            start = time.perf_counter()
            found = service.retrieve(INSTRUCTION, None, 3)
            latencies.append((time.perf_counter() - start) * 1000)
        latencies.sort()
        results["retrieval_ms"] = {"p50": round(latencies[10], 1),
                                   "p95": round(latencies[18], 1)}
        builder = PromptBuilder(chat_format_for(runtime.info), runtime.count_tokens,
                                runtime.n_ctx, service.profile)
        prompts = {
            "no_rag": builder.build(PromptRequest(INSTRUCTION, length="long")).text,
            "rag": builder.build(PromptRequest(INSTRUCTION, length="long",
                                               examples=[e for e, _ in found])).text,
        }
        raw = raw_llama(runtime.info.path, runtime.n_threads, runtime.n_batch_threads,
                        runtime.n_ctx)
        for label, prompt in prompts.items():
            ours, theirs = [], []
            for _ in range(RUNS):
                ours.append(time_ours(runtime, prompt))
                theirs.append(time_raw(raw, prompt))
            row = {"prompt_tokens": runtime.count_tokens(prompt)}
            for name, runs in (("amanuensis", ours), ("llama_cpp", theirs)):
                row[name] = {"ttft_s": round(statistics.median(r[0] for r in runs), 3),
                             "tokens_per_s": round(statistics.median(r[1] for r in runs), 1),
                             "tokens": runs[0][2]}
            row["ttft_overhead_pct"] = round(
                100 * (row["amanuensis"]["ttft_s"] / row["llama_cpp"]["ttft_s"] - 1), 1)
            row["decode_overhead_pct"] = round(
                100 * (row["llama_cpp"]["tokens_per_s"] / row["amanuensis"]["tokens_per_s"] - 1), 1)
            results[label] = row
            print(label, row, flush=True)
        raw.close()
        results["threads"] = {"decode": runtime.n_threads, "prompt": runtime.n_batch_threads}
        results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        service.close()
        store.close()
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "draft.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
