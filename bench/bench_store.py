"""Store benchmarks: parse+clean, whole-account import, embedding, index inserts, search latency.

    make bench            # or: .venv/bin/python bench/bench_store.py [--quick]

Reads the shared account in place (../shared/data/enron-allen-p). The 10k/100k-chunk search
benchmarks use synthetic chunks (sentences from the account, random unit vectors) because
embedding 100k real chunks takes ~45 minutes on 2 cores; latency depends on the counts, not
on where the vectors came from. Writes bench/out/store.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
ACCOUNT = REPO.parent / "shared" / "data" / "enron-allen-p"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_parse_clean() -> dict:
    from store.clean import clean_body
    from store.formats import discover

    sources, _ = discover([ACCOUNT])
    items = [item for source in sources for item in source.items()]
    start = time.perf_counter()
    for item in items:
        record = item.parse()
        clean_body(record.text)
    elapsed = time.perf_counter() - start
    return {"messages": len(items), "seconds": round(elapsed, 2),
            "messages_per_s": round(len(items) / elapsed)}


def bench_full_import() -> dict:
    from store.api import Store

    with tempfile.TemporaryDirectory() as home, Store(Path(home)) as store:
        start = time.perf_counter()
        report = store.import_paths([ACCOUNT])
        elapsed = time.perf_counter() - start
        stats = store.stats()
        texts = [r[0] for r in store.catalogue.conn.execute("SELECT text FROM chunks LIMIT 512")]
        embed_start = time.perf_counter()
        store.embedder.embed(texts)
        embed_elapsed = time.perf_counter() - embed_start
        words = statistics.mean(len(t.split()) for t in texts)
    return {
        "messages_read": 3034, "imported": report.imported, "duplicates": report.duplicates,
        "chunks": stats["chunks"], "seconds_to_searchable": round(elapsed, 1),
        "embed_texts_per_s": round(len(texts) / embed_elapsed, 1),
        "embed_mean_words": round(words),
        "index_bytes_per_chunk": round(stats["index_bytes"] / max(1, stats["chunks"])),
    }


def _synthetic_store(home: Path, n: int, sentences: list[str], rng: random.Random) -> dict:
    import numpy as np

    from store.api import Store
    from store.embedding import DIMENSIONS

    store = Store(home)
    conn = store.catalogue.conn
    senders = [f"person{i}@example.org" for i in range(200)]
    start = time.perf_counter()
    conn.execute("BEGIN")
    for i in range(n):
        text = " ".join(rng.sample(sentences, 3)) + f" ref {rng.randint(1000, 99999)}"
        uid = f"m{i:015d}"
        own = int(i % 5 == 0)
        conn.execute(
            "INSERT INTO messages(uid, content_key, date, from_addr, subject, norm_subject,"
            " thread_id, body, full_text, is_own, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (uid, uid, 9e8 + i * 60, senders[i % 200], "s", "s", uid, text, text, own, "now"))
        conn.execute("INSERT INTO chunks(id, message_id, seq, text, indexed) VALUES (?,?,0,?,1)",
                     (f"{uid}:0", i + 1, text))
    conn.execute("COMMIT")
    catalogue_s = time.perf_counter() - start
    vectors = np.random.default_rng(0).standard_normal((n, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    start = time.perf_counter()
    for lo in range(0, n, 5000):
        hi = min(n, lo + 5000)
        ids = [f"m{i:015d}:0" for i in range(lo, hi)]
        metas = [{"owner": f"m{i:015d}", "kind": "email", "own": i % 5 == 0,
                  "sender": senders[i % 200], "date": int(9e8 + i * 60), "folder": "x",
                  "thread": ""} for i in range(lo, hi)]
        store.index.upsert(ids, vectors[lo:hi], metas)
    insert_s = time.perf_counter() - start
    return {"store": store, "catalogue_inserts_per_s": round(n / catalogue_s),
            "index_inserts_per_s": round(n / insert_s)}


def bench_search(n: int, queries: int = 200) -> dict:
    from store.retrieval import SearchFilters

    rng = random.Random(n)
    sentences = _account_sentences()
    with tempfile.TemporaryDirectory() as home:
        built = _synthetic_store(Path(home), n, sentences, rng)
        store = built.pop("store")
        store.search("warm up the model")
        results = {}
        for label, filters in (("plain", None), ("own_only", SearchFilters(own=True))):
            latencies = []
            for _ in range(queries):
                words = rng.choice(sentences).split()
                query = " ".join(words[: rng.randint(2, 6)])
                t = time.perf_counter()
                store.search(query, k=10, filters=filters)
                latencies.append((time.perf_counter() - t) * 1000)
            latencies.sort()
            results[label] = {"p50_ms": round(latencies[len(latencies) // 2], 1),
                              "p95_ms": round(latencies[int(len(latencies) * 0.95)], 1)}
        store.close()
    return {"chunks": n, **built, **results}


_SENTENCES: list[str] = []


def _account_sentences() -> list[str]:
    if not _SENTENCES:
        from store.formats import discover

        sources, _ = discover([ACCOUNT / "_sent_mail.mbox", ACCOUNT / "inbox.mbox"])
        for source in sources:
            for item in source.items():
                for line in item.parse().text.split("."):
                    if 4 <= len(line.split()) <= 30:
                        _SENTENCES.append(" ".join(line.split()))
    return _SENTENCES


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 100k-chunk run")
    args = parser.parse_args()
    if not ACCOUNT.is_dir():
        print(f"shared account not found at {ACCOUNT}", file=sys.stderr)
        return 2
    results = {"cpu_count": os.cpu_count()}
    print("parse+clean (one core) ...", flush=True)
    results["parse_clean"] = bench_parse_clean()
    print(results["parse_clean"], flush=True)
    print("whole account to a searchable index ...", flush=True)
    results["full_import"] = bench_full_import()
    print(results["full_import"], flush=True)
    for n in (10_000,) if args.quick else (10_000, 100_000):
        print(f"search at {n} chunks ...", flush=True)
        results[f"search_{n}"] = bench_search(n)
        print(results[f"search_{n}"], flush=True)
    results["peak_rss_mb"] = round(peak_rss_mb())
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "store.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
