"""Hybrid search: SQLite FTS5 (BM25) for names, numbers and exact phrases, the vector index
for meaning, merged by reciprocal rank fusion, one hit per message or document."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from store.catalogue import Catalogue
from store.embedding import Embedder
from store.index import VectorIndex

_RRF_K = 60
STOPWORDS = frozenset("""
a about above after again all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has
have having he her here hers him his how i if in into is it its just me more most my no nor
not now of off on once only or other our ours out over own same she should so some such than
that the their theirs them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your yours
""".split())


@dataclass
class SearchFilters:
    own: bool | None = None
    sender: str | None = None
    kind: str | None = None  # "email" or "document"
    folder: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    exclude: list[str] = field(default_factory=list)  # message/document uids


@dataclass
class SearchHit:
    text: str
    score: float
    source: str
    kind: str
    message_id: str | None = None
    document: str | None = None
    rfc_message_id: str = ""
    subject: str = ""
    sender: str = ""
    date: str = ""
    folder: str = ""
    own: bool = False
    thread_id: str = ""
    vector_similarity: float | None = None
    keyword_rank: int | None = None
    vector_rank: int | None = None
    chunk_id: str = ""

    def to_json(self) -> dict:
        return asdict(self)


_WORD = re.compile(r"\w+", re.UNICODE)
# A word in more than this share of chunks hardly moves BM25 but makes it score them all.
_MAX_DOC_SHARE = 0.05


def query_terms(query: str) -> tuple[list[str], list[str]]:
    """(quoted phrases, single words) as the FTS tokenizer will see them."""
    phrases = [" ".join(_WORD.findall(p)) for p in re.findall(r'"([^"]+)"', query)]
    rest = re.sub(r'"[^"]*"', " ", query)
    words = [w for w in _WORD.findall(rest) if len(w) > 1 or w.isdigit()]
    return [p for p in phrases if p], words


def fts_query(query: str, common: set[str] | None = None) -> str:
    """Quoted phrases stay phrases; other words become OR-ed terms (BM25 ranks them).

    Stopwords and ``common`` words are left out; a query made only of them ("if you do
    not") can only mean the exact phrase.
    """
    phrases, words = query_terms(query)
    common = common or set()
    terms = ['"' + p + '"' for p in phrases]
    content = [w for w in words if w.lower() not in STOPWORDS and w.lower() not in common]
    if content:
        terms.extend('"' + word + '"' for word in content)
    elif len(words) > 1 and not phrases:
        terms.append('"' + " ".join(words) + '"')
    return " OR ".join(dict.fromkeys(terms))


_COMMON_CACHE: dict[str, tuple[int, set[str]]] = {}


def common_words(catalogue: Catalogue, words: list[str]) -> set[str]:
    """Which of ``words`` appear in too many chunks to be worth scoring.

    The set of common words is read from the FTS vocabulary once and kept until the corpus
    grows or shrinks by a tenth; a per-query vocabulary lookup costs more than it saves.
    """
    total = catalogue.conn.execute("SELECT MAX(rowid) FROM chunks").fetchone()[0] or 0
    key = str(catalogue.path)
    cached = _COMMON_CACHE.get(key)
    if cached is None or abs(total - cached[0]) > 0.1 * max(cached[0], 1):
        limit = max(200, int(total * _MAX_DOC_SHARE))
        rows = catalogue.conn.execute("SELECT term FROM chunks_vocab WHERE doc > ?", (limit,))
        cached = (total, {r[0] for r in rows})
        _COMMON_CACHE[key] = cached
    return {w.lower() for w in words} & cached[1]


def _sql_filters(filters: SearchFilters) -> tuple[str, list]:
    clauses, params = [], []
    if filters.kind == "email":
        clauses.append("c.message_id IS NOT NULL")
    elif filters.kind == "document":
        clauses.append("c.document_id IS NOT NULL")
    if filters.own is not None:
        clauses.append(
            "(CASE WHEN c.document_id IS NOT NULL THEN 1 ELSE m.is_own AND c.own_words END) = ?")
        params.append(int(filters.own))
    if filters.sender:
        clauses.append("m.from_addr = ?")
        params.append(filters.sender.lower())
    if filters.folder:
        clauses.append("m.folder = ?")
        params.append(filters.folder)
    if filters.since:
        clauses.append("COALESCE(m.date, d.date) >= ?")
        params.append(int(filters.since.timestamp()))
    if filters.until:
        clauses.append("COALESCE(m.date, d.date) < ?")
        params.append(int(filters.until.timestamp()))
    if filters.exclude:
        marks = ",".join("?" * len(filters.exclude))
        clauses.append(f"COALESCE(m.uid, d.uid) NOT IN ({marks})")
        params.extend(filters.exclude)
    return (" AND " + " AND ".join(clauses)) if clauses else "", params


def _chroma_where(filters: SearchFilters) -> dict | None:
    conditions: list[dict] = []
    if filters.kind:
        conditions.append({"kind": filters.kind})
    if filters.own is not None:
        conditions.append({"own": filters.own})
    if filters.sender:
        conditions.append({"sender": filters.sender.lower()})
    if filters.folder:
        conditions.append({"folder": filters.folder})
    if filters.since:
        conditions.append({"date": {"$gte": int(filters.since.timestamp())}})
    if filters.until:
        conditions.append({"date": {"$lt": int(filters.until.timestamp())}})
    if filters.exclude:
        conditions.append({"owner": {"$nin": list(filters.exclude)}})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


_JOINS = """FROM chunks c LEFT JOIN messages m ON m.id = c.message_id
            LEFT JOIN documents d ON d.id = c.document_id"""


_POOL = None


def _keyword_pool():
    global _POOL
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="keyword-search")
    return _POOL


def keyword_search(catalogue: Catalogue, query: str, limit: int,
                   filters: SearchFilters) -> list[str]:
    match = fts_query(query, common_words(catalogue, query_terms(query)[1]))
    if not match:
        return []
    where, params = _sql_filters(filters)
    if not where:
        # Rank inside FTS alone; joining every match to its message costs more than ranking.
        rowids = [r[0] for r in catalogue.conn.execute(
            "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?",
            (match, limit))]
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        ids = dict(catalogue.conn.execute(
            f"SELECT rowid, id FROM chunks WHERE rowid IN ({marks})", rowids).fetchall())
        return [ids[r] for r in rowids if r in ids]
    rows = catalogue.conn.execute(
        f"""SELECT c.id FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid
            LEFT JOIN messages m ON m.id = c.message_id
            LEFT JOIN documents d ON d.id = c.document_id
            WHERE chunks_fts MATCH ? {where} ORDER BY bm25(chunks_fts) LIMIT ?""",
        [match, *params, limit],
    ).fetchall()
    return [r[0] for r in rows]


def vector_search(catalogue: Catalogue, index: VectorIndex, vector, limit: int,
                  filters: SearchFilters) -> list:
    """Nearest chunks that pass the filters.

    Chroma's filtered queries scan metadata (30 ms at 10k chunks, growing with the corpus),
    so common filters are applied to an over-fetched unfiltered result in SQLite instead;
    only when too few survive (a rare sender, a narrow date range) does Chroma filter.
    """
    where = _chroma_where(filters)
    if where is None:
        return index.query(vector, limit)
    hits = index.query(vector, limit * 4)
    if hits:
        clause, params = _sql_filters(filters)
        marks = ",".join("?" * len(hits))
        allowed = {r[0] for r in catalogue.conn.execute(
            f"SELECT c.id {_JOINS} WHERE c.id IN ({marks}) {clause}",
            [h.chunk_id for h in hits] + params)}
        kept = [h for h in hits if h.chunk_id in allowed]
        if len(kept) >= min(limit, 10):
            return kept[:limit]
    return index.query(vector, limit, where)


def search(
    catalogue: Catalogue,
    index: VectorIndex,
    embedder: Embedder,
    query: str,
    k: int = 10,
    filters: SearchFilters | None = None,
    candidates: int = 50,
) -> list[SearchHit]:
    filters = filters or SearchFilters()
    # Keyword search runs on its own connection beside the embedding and vector query
    # (SQLite, torch and chroma all release the GIL).
    keyword_future = _keyword_pool().submit(keyword_search, catalogue.reader(), query,
                                            candidates, filters)
    vector = embedder.embed_query(query)
    vector_hits = vector_search(catalogue, index, vector, candidates, filters)
    keyword_ids = keyword_future.result()
    fused: dict[str, float] = {}
    keyword_rank = {cid: rank for rank, cid in enumerate(keyword_ids, 1)}
    vector_rank = {hit.chunk_id: rank for rank, hit in enumerate(vector_hits, 1)}
    similarity = {hit.chunk_id: hit.similarity for hit in vector_hits}
    for ranks in (keyword_rank, vector_rank):
        for cid, rank in ranks.items():
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (_RRF_K + rank)
    if not fused:
        return []
    ordered = sorted(fused, key=fused.__getitem__, reverse=True)
    marks = ",".join("?" * len(ordered))
    rows = {
        r["id"]: r
        for r in catalogue.conn.execute(
            f"""SELECT c.id, c.text, c.own_words, m.uid AS m_uid, m.rfc_message_id, m.subject, m.from_addr,
                       m.date AS m_date, m.folder, m.is_own, m.thread_id, d.uid AS d_uid,
                       d.path AS d_path, d.title, d.date AS d_date,
                       COALESCE(
                         (SELECT s.path FROM source_items si JOIN sources s ON s.id = si.source_id
                          WHERE si.message_id = m.id LIMIT 1),
                         (SELECT s.path FROM source_items si JOIN sources s ON s.id = si.source_id
                          WHERE si.document_id = d.id LIMIT 1)) AS src
                {_JOINS} WHERE c.id IN ({marks})""",
            ordered,
        )
    }
    hits: list[SearchHit] = []
    seen_owners: set[str] = set()
    for cid in ordered:
        row = rows.get(cid)
        if row is None:
            continue  # deleted from the catalogue, not yet from the index
        owner = row["m_uid"] or row["d_uid"]
        if owner in seen_owners:
            continue
        seen_owners.add(owner)
        stamp = row["m_date"] if row["m_uid"] else row["d_date"]
        hits.append(SearchHit(
            text=row["text"],
            score=round(fused[cid], 6),
            source=row["src"] or row["d_path"] or "",
            kind="email" if row["m_uid"] else "document",
            message_id=row["m_uid"],
            document=row["d_path"] if row["d_uid"] else None,
            rfc_message_id=row["rfc_message_id"] or "",
            subject=row["subject"] or row["title"] or "",
            sender=row["from_addr"] or "",
            date=datetime.fromtimestamp(stamp, UTC).isoformat() if stamp else "",
            folder=row["folder"] or ("documents" if row["d_uid"] else ""),
            own=bool(row["is_own"] and row["own_words"]) if row["m_uid"] else True,
            thread_id=row["thread_id"] or "",
            vector_similarity=round(similarity[cid], 4) if cid in similarity else None,
            keyword_rank=keyword_rank.get(cid),
            vector_rank=vector_rank.get(cid),
            chunk_id=cid,
        ))
        if len(hits) >= k:
            break
    return hits
