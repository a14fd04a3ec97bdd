"""The chromadb vector index, derived from the catalogue's chunks.

One process owns it: a process holding a collection does not see vectors another process
adds, so the CLI, the app and the trainer all go through the ``Store`` that opened it.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from store.catalogue import Catalogue
from store.embedding import Embedder
from store.jobs import CancelToken, PhaseMeter, ProgressCallback, ignore_progress

COLLECTION = "chunks"
_OPENING = threading.Lock()


@dataclass
class VectorHit:
    chunk_id: str
    similarity: float


class VectorIndex:
    def __init__(self, path: Path):
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings

        from store.embedding import chroma_embedding_function

        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        # chromadb shares one client system per path in a process, and two threads making
        # it at once break it ("'RustBindingsAPI' object has no attribute 'bindings'", seen
        # when the drafting service and a training's preparation opened the index together).
        with _OPENING:
            self.client = chromadb.PersistentClient(
                path=str(path), settings=Settings(anonymized_telemetry=False, allow_reset=False)
            )
            self.collection = self.client.get_or_create_collection(
                COLLECTION,
                embedding_function=chroma_embedding_function(),
                configuration={"hnsw": {"space": "cosine"}},
            )

    def upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict]) -> None:
        if ids:
            self.collection.upsert(ids=ids, embeddings=vectors, metadatas=metadatas)

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 5000):
            self.collection.delete(ids=ids[start : start + 5000])

    def update_metadata(self, ids: list[str], metadatas: list[dict]) -> None:
        for start in range(0, len(ids), 5000):
            self.collection.update(ids=ids[start : start + 5000],
                                   metadatas=metadatas[start : start + 5000])

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[VectorHit]:
        count = self.collection.count()
        if count == 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector], n_results=min(k, count), where=where or None,
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = result["distances"][0]
        return [VectorHit(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def count(self) -> int:
        return self.collection.count()


def chunk_metadata(row) -> dict:
    """What the index can filter on; everything else is looked up in the catalogue."""
    if row["message_id"] is not None:
        return {
            "owner": row["m_uid"], "kind": "email",
            "own": bool(row["is_own"]) and bool(row["own_words"]),
            "sender": row["from_addr"] or "", "date": int(row["m_date"] or 0),
            "folder": row["folder"] or "", "thread": row["thread_id"] or "",
        }
    return {"owner": row["d_uid"], "kind": "document", "own": True, "sender": "",
            "date": int(row["d_date"] or 0), "folder": "documents", "thread": ""}


def sync_index(
    catalogue: Catalogue,
    index: VectorIndex,
    embedder: Embedder,
    *,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
    batch_size: int = 64,
) -> int:
    """Bring the index up to the catalogue: drop deleted chunks, embed and add pending ones."""
    stale = catalogue.tombstones()
    if stale:
        index.delete(stale)
        with catalogue.transaction():
            catalogue.clear_tombstones(stale)
    total = catalogue.count("SELECT COUNT(*) FROM chunks WHERE indexed = 0")
    meter = PhaseMeter("indexing", total, progress)
    meter.finish()
    done = 0
    # The same text (a forwarded notice, a stock reply) is embedded once per run.
    seen: dict[str, np.ndarray] = {}
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        rows = catalogue.pending_chunks(batch_size)
        if not rows:
            break
        keys = [hashlib.sha1(r["text"].encode("utf-8")).hexdigest() for r in rows]
        fresh = {k: r["text"] for k, r in zip(keys, rows, strict=True) if k not in seen}
        for key, vector in zip(fresh, embedder.embed(list(fresh.values())), strict=True):
            seen[key] = vector
        vectors = np.stack([seen[k] for k in keys])
        ids = [r["id"] for r in rows]
        index.upsert(ids, vectors, [chunk_metadata(r) for r in rows])
        catalogue.mark_indexed(ids)
        done += len(rows)
        meter.advance(len(rows))
    meter.finish()
    return done
