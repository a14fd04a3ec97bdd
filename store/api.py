"""``Store``: the one object that owns the catalogue and the vector index of a data home.

Everything above the store (CLI, drafting, trainer, GUI) goes through it, so the single
process that owns the chromadb collection is always the one doing the work.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from store.catalogue import Catalogue
from store.embedding import Embedder
from store.export import iter_records
from store.forget import ForgetResult, forget_message, forget_sender, forget_source, forget_thread
from store.identity import Suggestion, suggest_addresses
from store.importer import ImportFilters, ImportReport, apply_identity, import_paths
from store.index import VectorIndex, sync_index
from store.jobs import CancelToken, ProgressCallback, ignore_progress
from store.reclean import RecleanReport, reclean_bodies, reclean_needed
from store.retrieval import SearchFilters, SearchHit, search
from store.settings import StoreSettings, data_home
from store.sources import SourcePreview, preview_sources


class Store:
    def __init__(self, home: Path | None = None, settings: StoreSettings | None = None,
                 embedder: Embedder | None = None):
        """``embedder`` stands in for the sentence-transformer (a test's hashing one); an
        index must be read with the embedder that wrote it."""
        self.home = Path(home) if home else data_home()
        self.settings = settings or StoreSettings.load(self.home)
        self.catalogue = Catalogue(self.home / "catalogue.sqlite3")
        self._index: VectorIndex | None = None
        self._embedder: Embedder | None = embedder
        self.closed = False
        self.recleaned: RecleanReport | None = None
        if reclean_needed(self.catalogue):  # a home cleaned by an older version
            self.recleaned = reclean_bodies(self.catalogue, self.settings)

    @property
    def index(self) -> VectorIndex:
        if self._index is None:
            self._index = VectorIndex(self.home / "index")
        return self._index

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder(self.settings.threads, self.settings.embed_batch_size)
        return self._embedder

    def close(self) -> None:
        self.catalogue.close()
        self.closed = True

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- jobs -------------------------------------------------------------------------
    def import_paths(self, paths: list[Path], *, me: list[str] | None = None,
                     filters: ImportFilters | None = None,
                     progress: ProgressCallback = ignore_progress,
                     cancel: CancelToken | None = None) -> ImportReport:
        return import_paths(self.catalogue, self.index, self.embedder, [Path(p) for p in paths],
                            me=me, settings=self.settings, filters=filters, progress=progress,
                            cancel=cancel)

    def preview(self, paths: list[Path], cancel: CancelToken | None = None) -> SourcePreview:
        """What importing ``paths`` would read: folders with message counts (and how many of
        them this store already has), problems, and the senders of the sent folders."""
        preview = preview_sources([Path(p) for p in paths], cancel=cancel)
        for folder in preview.folders:
            folder.already_imported = self.catalogue.count(
                "SELECT COUNT(*) FROM source_items si JOIN sources s ON s.id = si.source_id"
                " WHERE s.path = ?", (str(Path(folder.path).resolve()),))
        return preview

    def sync_index(self, progress: ProgressCallback = ignore_progress,
                   cancel: CancelToken | None = None) -> int:
        return sync_index(self.catalogue, self.index, self.embedder, progress=progress,
                          cancel=cancel)

    # --- queries ----------------------------------------------------------------------
    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[SearchHit]:
        return search(self.catalogue, self.index, self.embedder, query, k, filters,
                      self.settings.search_candidates)

    def message(self, ident: str):
        return self.catalogue.message(ident)

    def records(self, own: bool | None = None) -> Iterator[dict]:
        return iter_records(self.catalogue, own=own)

    def stats(self) -> dict:
        c = self.catalogue
        first, last = c.conn.execute("SELECT MIN(date), MAX(date) FROM messages").fetchone()

        def iso(stamp):
            return datetime.fromtimestamp(stamp, UTC).isoformat() if stamp else None

        sources = [
            {"path": r["path"], "format": r["format"], "folder": r["folder"],
             "items": r["items"], "messages": r["messages"], "documents": r["documents"],
             "completed": bool(r["completed"])}
            for r in c.conn.execute(
                """SELECT s.path, s.format, s.folder, s.completed, COUNT(si.raw_hash) AS items,
                          COUNT(si.message_id) AS messages, COUNT(si.document_id) AS documents
                   FROM sources s LEFT JOIN source_items si ON si.source_id = s.id
                   GROUP BY s.id ORDER BY s.path""")
        ]
        index_path = self.home / "index"
        return {
            "messages": c.count("SELECT COUNT(*) FROM messages"),
            "own_messages": c.count("SELECT COUNT(*) FROM messages WHERE is_own = 1"),
            "other_messages": c.count("SELECT COUNT(*) FROM messages WHERE is_own = 0"),
            "documents": c.count("SELECT COUNT(*) FROM documents"),
            "chunks": c.count("SELECT COUNT(*) FROM chunks"),
            "indexed_chunks": c.count("SELECT COUNT(*) FROM chunks WHERE indexed = 1"),
            "keyword_only_chunks": c.count("SELECT COUNT(*) FROM chunks WHERE indexed = 2"),
            "pending_chunks": c.count("SELECT COUNT(*) FROM chunks WHERE indexed = 0"),
            "duplicates_seen": c.count(
                "SELECT COUNT(*) FROM source_items WHERE outcome = 'duplicate'"),
            "threads": c.count("SELECT COUNT(DISTINCT thread_id) FROM messages"),
            "first_date": iso(first),
            "last_date": iso(last),
            "identity": c.identity(),
            "sources": sources,
            "index_bytes": sum(f.stat().st_size for f in index_path.rglob("*") if f.is_file())
            if index_path.exists() else 0,
            "catalogue_bytes": sum(p.stat().st_size for p in self.home.glob("catalogue.sqlite3*")),
            "home": str(self.home),
        }

    # --- identity ---------------------------------------------------------------------
    def suggest_identity(self) -> list[Suggestion]:
        return suggest_addresses(self.catalogue)

    def set_identity(self, addresses: list[str]) -> list[str]:
        self.catalogue.set_identity(addresses, "user")
        return apply_identity(self.catalogue, self.index)

    # --- forgetting -------------------------------------------------------------------
    def forget(self, *, sender: str | None = None, thread: str | None = None,
               source: str | None = None, message: str | None = None) -> ForgetResult:
        if sum(x is not None for x in (sender, thread, source, message)) != 1:
            raise ValueError("forget exactly one of: sender, thread, source, message")
        if sender is not None:
            result = forget_sender(self.catalogue, sender)
        elif thread is not None:
            result = forget_thread(self.catalogue, thread)
        elif source is not None:
            result = forget_source(self.catalogue, source)
        else:
            result = forget_message(self.catalogue, message or "")
        self.sync_index()  # applies the tombstones the deletes left
        return result
