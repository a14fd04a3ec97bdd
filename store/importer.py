"""The import job: discover sources, parse, clean, de-duplicate, catalogue, then index.

Resumable by construction: every item seen is recorded with its content hash in the same
transaction as the message it produced, so a killed run loses at most one uncommitted
batch, which the next run redoes; chunks are indexed only after they are committed and are
marked indexed only after the vector index has them.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from store.catalogue import Catalogue, content_key
from store.chunking import chunk_text, message_chunks
from store.clean import clean_body, is_forward_subject
from store.embedding import Embedder
from store.formats import DocumentRecord, Source, discover
from store.formats.base import Problem
from store.identity import suggest_addresses
from store.index import VectorIndex, chunk_metadata, sync_index
from store.jobs import Cancelled, CancelToken, PhaseMeter, ProgressCallback, ignore_progress
from store.mail import MailRecord, NotAMessage
from store.settings import StoreSettings

_BATCH = 200
_MAX_LISTED_WARNINGS = 200

OUTSIDE_DATES = "outside date range"
UNDATED = "no date (a date range was set)"
FOLDER_NOT_SELECTED = "folder not selected"
RECEIVED_EXCLUDED = "received mail excluded"


def _moment(value: datetime | date | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


@dataclass
class ImportFilters:
    """Which mail an import takes. What a filter leaves out is counted in the report's
    ``skipped`` by reason but not recorded as seen, so a later import with wider filters
    still takes it.

    ``after`` is inclusive and ``before`` exclusive; a plain ``date`` means midnight UTC.
    ``folders`` (None: all) names sources by their path (as ``preview_sources`` lists them)
    or by folder name. ``include_received=False`` keeps only the user's own mail: sent by one
    of the identity's addresses (``me`` or known from earlier imports), or, while no address
    is known at all, mail filed in a sent folder or labelled Sent. Documents are never left
    out by dates or by sender, only by folder.
    """

    after: datetime | date | None = None
    before: datetime | date | None = None
    folders: Iterable[str] | None = None
    include_received: bool = True

    def __post_init__(self) -> None:
        self.after, self.before = _moment(self.after), _moment(self.before)
        if self.folders is not None:
            self.folders = frozenset(str(f) for f in self.folders)

    @property
    def by_date(self) -> bool:
        return self.after is not None or self.before is not None

    def source_selected(self, source: Source) -> bool | None:
        """True: the whole source; False: none of it; None: decide item by item."""
        if self.folders is None:
            return True
        names = {source.folder, str(source.path), str(source.path.resolve())}
        if names & self.folders:
            return True
        # A .pst holds many folders; every other source is one folder.
        return None if source.format == "pst" else False

    def date_reason(self, when: datetime | None) -> str | None:
        if not self.by_date:
            return None
        if when is None:
            return UNDATED
        if (self.after is not None and when < self.after) or (
                self.before is not None and when >= self.before):
            return OUTSIDE_DATES
        return None

    def to_json(self) -> dict:
        return {"after": self.after.isoformat() if self.after else None,
                "before": self.before.isoformat() if self.before else None,
                "folders": sorted(self.folders) if self.folders is not None else None,
                "include_received": self.include_received}


@dataclass
class ImportReport:
    status: str = "completed"
    imported: int = 0
    documents: int = 0
    duplicates: int = 0
    duplicates_by: dict[str, int] = field(default_factory=dict)
    already_imported: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    sources: int = 0
    indexed_chunks: int = 0
    identity: dict = field(default_factory=dict)
    filters: dict | None = None
    elapsed_s: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def to_json(self) -> dict:
        return asdict(self)


class _Run:
    def __init__(self, catalogue: Catalogue, settings: StoreSettings, report: ImportReport,
                 filters: ImportFilters | None = None):
        self.catalogue = catalogue
        self.settings = settings
        self.report = report
        self.filters = filters or ImportFilters()
        self.identity = set(catalogue.identity())
        self.skipped: Counter[str] = Counter()
        self.duplicates_by: Counter[str] = Counter()
        self.left_out = 0  # items of the current source that the filters left out

    def error(self, file: str, reason: str, locator: str = "") -> None:
        entry = {"file": file, "reason": reason}
        if locator:
            entry["locator"] = locator
        self.report.errors.append(entry)

    def warn(self, file: str, reason: str, locator: str) -> None:
        if len(self.report.warnings) < _MAX_LISTED_WARNINGS:
            self.report.warnings.append({"file": file, "locator": locator, "reason": reason})

    def import_source(self, source: Source, meter: PhaseMeter, cancel: CancelToken | None,
                      run_id: int, count: int) -> None:
        catalogue = self.catalogue
        selected = self.filters.source_selected(source)
        if selected is False:  # counted, never read: nothing about it is recorded
            self.skipped[FOLDER_NOT_SELECTED] += count
            meter.advance(count, detail=source.folder)
            return
        sid = catalogue.source_id(source.path, source.format, source.kind, source.folder)
        stat = source.path.stat()
        if source.path.is_file() and catalogue.source_unchanged(sid, stat.st_size, stat.st_mtime):
            known = catalogue.count("SELECT COUNT(*) FROM source_items WHERE source_id = ?", (sid,))
            self.report.already_imported += known
            meter.advance(known, detail=source.folder)
            return
        known = catalogue.known_items(sid)
        pending = 0
        self.left_out = 0
        catalogue.conn.execute("BEGIN IMMEDIATE")
        try:
            for item in source.items():
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                raw_hash = hashlib.sha256(item.raw).hexdigest()
                if raw_hash in known:
                    self.report.already_imported += 1
                    meter.advance(1, detail=source.folder)
                    continue
                if selected is None and item.folder not in (self.filters.folders or ()):
                    self._leave_out(FOLDER_NOT_SELECTED)
                elif self._import_item(source, sid, item, raw_hash):
                    known.add(raw_hash)
                meter.advance(1, detail=source.folder)
                pending += 1
                if pending >= _BATCH:
                    catalogue.conn.execute("COMMIT")
                    catalogue.conn.execute("BEGIN IMMEDIATE")
                    pending = 0
            # A source with items left out is not complete: a wider import must read it again.
            catalogue.mark_source(sid, size=stat.st_size if source.path.is_file() else None,
                                  mtime=stat.st_mtime if source.path.is_file() else None,
                                  completed=self.left_out == 0, run_id=run_id)
        except BaseException:
            # Keep the finished part of the batch: every row in it is complete on its own.
            catalogue.conn.execute("COMMIT")
            raise
        catalogue.conn.execute("COMMIT")

    def _leave_out(self, reason: str) -> bool:
        self.skipped[reason] += 1
        self.left_out += 1
        return False

    def _is_own(self, record: MailRecord, in_sent: bool) -> bool:
        # Before any address is known (no --me, nothing imported yet) only the folder can tell.
        return record.from_addr in self.identity if self.identity else in_sent

    def _import_item(self, source: Source, sid: int, item, raw_hash: str) -> bool:
        """Import one item; False when the filters left it out (nothing was recorded)."""
        catalogue = self.catalogue
        where = str(source.path)
        try:
            parsed = item.parse()
        except NotAMessage as exc:
            self._skip(sid, item, raw_hash, "unreadable message", where, str(exc))
            return True
        except Exception as exc:  # noqa: BLE001 - one bad item must never stop an import
            self._skip(sid, item, raw_hash, "unreadable message", where,
                       f"{type(exc).__name__}: {exc}")
            return True
        if isinstance(parsed, DocumentRecord):
            self._import_document(source, sid, item, raw_hash, parsed)
            return True
        record: MailRecord = parsed
        in_sent = source.is_sent_folder or any(lab.lower() == "sent" for lab in record.labels)
        reason = self.filters.date_reason(record.date)
        if reason is None and not self.filters.include_received and not self._is_own(
                record, in_sent):
            reason = RECEIVED_EXCLUDED
        if reason is not None:
            return self._leave_out(reason)
        for problem in dict.fromkeys(record.problems):
            self.warn(where, problem, item.locator)
        key = content_key(record)
        duplicate = catalogue.find_duplicate(record, key)
        if duplicate is not None:
            rowid, how = duplicate
            self.report.duplicates += 1
            self.duplicates_by[how] += 1
            if in_sent:
                catalogue.note_sent_copy(rowid)
            catalogue.record_item(sid, raw_hash, item.locator, item.folder, "duplicate",
                                  how, message_id=rowid)
            return True
        thread_id = catalogue.thread_for(record)
        suppressed = catalogue.is_suppressed(record, thread_id, key)
        if suppressed:
            self._skip(sid, item, raw_hash, f"forgotten {suppressed}", None, "")
            return True
        key = catalogue.key_to_store(record, key)
        cleaned = clean_body(record.text)
        forward = cleaned.had_forward or is_forward_subject(record.subject)
        rowid = catalogue.add_message(
            record, cleaned, key=key, thread_id=thread_id, folder=item.folder or source.folder,
            in_sent_folder=in_sent, is_own=record.from_addr in self.identity, is_forward=forward,
        )
        chunks = message_chunks(record.subject, cleaned.body, record.text,
                                self.settings.chunk_words, self.settings.chunk_overlap_words)
        catalogue.add_chunks(owner="message", owner_rowid=rowid, uid=catalogue.uid_of(rowid),
                             texts=chunks,
                             vector_limit=self.settings.vector_chunks_per_email,
                             own_words=bool(cleaned.body))
        catalogue.record_item(sid, raw_hash, item.locator, item.folder, "imported",
                              message_id=rowid)
        self.report.imported += 1
        return True

    def _import_document(self, source: Source, sid: int, item, raw_hash: str,
                         record: DocumentRecord) -> None:
        if not record.text.strip():
            self._skip(sid, item, raw_hash, "empty document", str(source.path), "no text")
            return
        key = hashlib.sha256(" ".join(record.text.split()).encode()).hexdigest()
        rowid, new = self.catalogue.add_document(record, key=key, path=str(source.path))
        if new:
            chunks = chunk_text(record.text, self.settings.chunk_words,
                                self.settings.chunk_overlap_words)
            self.catalogue.add_chunks(owner="document", owner_rowid=rowid, uid="d" + key[:16],
                                      texts=chunks)
            self.report.documents += 1
        else:
            self.report.duplicates += 1
            self.duplicates_by["document"] += 1
        self.catalogue.record_item(sid, raw_hash, item.locator, item.folder,
                                   "imported" if new else "duplicate", document_id=rowid)

    def _skip(self, sid, item, raw_hash, reason, file: str | None, detail: str) -> None:
        self.skipped[reason] += 1
        if file is not None:
            self.error(file, f"{item.locator}: {detail}" if detail else reason, item.locator)
        self.catalogue.record_item(sid, raw_hash, item.locator, item.folder, "skipped",
                                   f"{reason}: {detail}" if detail else reason)


def apply_identity(catalogue: Catalogue, index: VectorIndex | None) -> list[str]:
    """Re-derive which messages are the user's, and tell the index about the change."""
    changed = catalogue.recompute_own()
    if changed and index is not None:
        placeholders = ",".join("?" * len(changed))
        rows = catalogue.conn.execute(
            f"""SELECT c.id, c.text, c.seq, c.message_id, c.document_id, c.own_words,
                      m.uid AS m_uid,
                      m.is_own, m.from_addr, m.date AS m_date, m.folder, m.thread_id,
                      m.subject, NULL AS d_uid, NULL AS d_date, NULL AS title
               FROM chunks c JOIN messages m ON m.id = c.message_id
               WHERE c.indexed = 1 AND m.uid IN ({placeholders})""",
            changed,
        ).fetchall()
        index.update_metadata([r["id"] for r in rows], [chunk_metadata(r) for r in rows])
    return changed


def import_paths(
    catalogue: Catalogue,
    index: VectorIndex,
    embedder: Embedder,
    paths: list[Path],
    *,
    me: list[str] | None = None,
    settings: StoreSettings | None = None,
    filters: ImportFilters | None = None,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> ImportReport:
    started = time.monotonic()
    settings = settings or StoreSettings.load()
    report = ImportReport(filters=filters.to_json() if filters is not None else None)
    if me:
        catalogue.set_identity([m.strip().lower() for m in me if m.strip()], "user")
    run_id = catalogue.start_run([str(p) for p in paths])
    run = _Run(catalogue, settings, report, filters)
    sources, problems = discover(paths)
    for source in sources:
        problems.extend(source.problems)
    usable = [s for s in sources if not s.problems]
    report.sources = len(usable)
    for problem in problems:
        run.error(problem.file, problem.reason)
    try:
        counted: list[tuple[Source, int]] = []
        for source in usable:
            try:
                counted.append((source, source.count()))
            except Exception as exc:  # noqa: BLE001 - e.g. a .pst that libpff cannot open
                run.error(str(source.path), f"cannot open: {exc}")
        meter = PhaseMeter("reading", sum(n for _, n in counted), progress)
        for source, count in counted:
            try:
                run.import_source(source, meter, cancel, run_id, count)
            except Cancelled:
                raise
            except (OSError, NotAMessage) as exc:
                run.error(str(source.path), str(exc))
        meter.finish()
        _settle_identity(catalogue, index, report)
        report.indexed_chunks = sync_index(catalogue, index, embedder, progress=progress,
                                           cancel=cancel)
    except Cancelled:
        report.status = "cancelled"
    finally:
        report.skipped = dict(run.skipped)
        report.duplicates_by = dict(run.duplicates_by)
        report.elapsed_s = round(time.monotonic() - started, 2)
        catalogue.finish_run(run_id, report.status, report.to_json())
    return report


def _settle_identity(catalogue: Catalogue, index: VectorIndex, report: ImportReport) -> None:
    identity = catalogue.identity()
    if not any(origin == "user" for origin in identity.values()):
        suggestions = suggest_addresses(catalogue)
        if suggestions:
            catalogue.set_identity([s.address for s in suggestions], "suggested")
        identity = catalogue.identity()
        report.identity = {
            "addresses": sorted(identity),
            "origin": "suggested",
            "why": {s.address: f"{s.reason} ({s.messages} messages)" for s in suggestions},
        }
    else:
        report.identity = {"addresses": sorted(identity), "origin": "user"}
    apply_identity(catalogue, index)


__all__ = ["FOLDER_NOT_SELECTED", "OUTSIDE_DATES", "RECEIVED_EXCLUDED", "UNDATED",
           "ImportFilters", "ImportReport", "Problem", "apply_identity", "import_paths"]
