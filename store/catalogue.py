"""The SQLite catalogue: sources, import runs, messages with provenance, documents, chunks.

The catalogue is the source of truth. The vector index is derived from its ``chunks`` table
and can always be rebuilt from it; a chunk is marked ``indexed`` only after the index has it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from store.clean import CleanText, body_hash, fold_whitespace, normalise_subject
from store.formats.base import DocumentRecord
from store.mail import MailRecord
from store.migrations import apply_migrations

# Bodies shorter than this ("ok", "thanks") are too common to identify a message by alone.
_MIN_BODY_FOR_KEY = 40


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def content_key(record: MailRecord) -> str:
    """A message's identity without a Message-ID: its text and sender, so the same text
    from two senders is two messages. (Its date is compared on lookup: ``find_duplicate``.)
    Bodies too short to identify a message also count their subject and date."""
    folded = fold_whitespace(record.text)
    if len(folded) >= _MIN_BODY_FOR_KEY:
        return body_hash("\x1e".join([record.from_addr, folded]))
    stamp = record.date.isoformat() if record.date else ""
    return body_hash("\x1f".join([record.from_addr, record.subject, stamp, folded]))


def dated_key(record: MailRecord) -> str:
    """The key of a message whose text and sender an earlier one on another day already has."""
    stamp = str(int(record.date.timestamp())) if record.date else ""
    return body_hash("\x1d".join([record.from_addr, stamp, fold_whitespace(record.text)]))


def legacy_content_key(record: MailRecord) -> str:
    """The key of homes imported before the sender counted: text alone for long bodies.
    Still looked up, so a re-import finds them and a forgotten one stays forgotten."""
    folded = fold_whitespace(record.text)
    if len(folded) >= _MIN_BODY_FOR_KEY:
        return body_hash(folded)
    return content_key(record)


# Copies of one message in two folders can disagree on its date by a time zone (exports
# that wrote local time as UTC: 10 and 12 hours apart on the shared account). Within this,
# the same text from the same sender is the same message; further apart, a new one.
SAME_MESSAGE_WITHIN_S = 14 * 3600 + 60


def _close(stamp: int | None, record: MailRecord) -> bool:
    if stamp is None or record.date is None:
        return True
    return abs(stamp - record.date.timestamp()) <= SAME_MESSAGE_WITHIN_S


@dataclass
class AddResult:
    message_rowid: int
    duplicate_of: str | None  # "message-id" or "body" when the message was already known


class Catalogue:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=10000")
        self.applied_migrations = apply_migrations(self.conn)
        self._reader: Catalogue | None = None

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        self.conn.close()

    def reader(self) -> Catalogue:
        """A second, read-only handle for queries that run beside the main connection."""
        if self._reader is None:
            reader = Catalogue.__new__(Catalogue)
            reader.path = self.path
            reader.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                          check_same_thread=False, isolation_level=None)
            reader.conn.row_factory = sqlite3.Row
            reader._reader = None
            self._reader = reader
        return self._reader

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- sources and runs -------------------------------------------------------------
    def source_id(self, path: Path, fmt: str, kind: str, folder: str) -> int:
        key = str(path.resolve())
        row = self.conn.execute("SELECT id FROM sources WHERE path = ?", (key,)).fetchone()
        if row:
            return int(row["id"])
        cursor = self.conn.execute(
            "INSERT INTO sources(path, format, kind, folder, added_at) VALUES (?, ?, ?, ?, ?)",
            (key, fmt, kind, folder, now_iso()),
        )
        return int(cursor.lastrowid)

    def source_unchanged(self, source_id: int, size: int, mtime: float) -> bool:
        row = self.conn.execute(
            "SELECT size, mtime, completed FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return bool(row and row["completed"] and row["size"] == size and row["mtime"] == mtime)

    def mark_source(self, source_id: int, *, size: int | None, mtime: float | None,
                    completed: bool, run_id: int) -> None:
        self.conn.execute(
            "UPDATE sources SET size = ?, mtime = ?, completed = ?, last_run_id = ? WHERE id = ?",
            (size, mtime, int(completed), run_id, source_id),
        )

    def start_run(self, paths: list[str]) -> int:
        cursor = self.conn.execute(
            "INSERT INTO import_runs(started_at, status, paths) VALUES (?, 'running', ?)",
            (now_iso(), json.dumps(paths)),
        )
        return int(cursor.lastrowid)

    def finish_run(self, run_id: int, status: str, report: dict) -> None:
        self.conn.execute(
            "UPDATE import_runs SET finished_at = ?, status = ?, report = ? WHERE id = ?",
            (now_iso(), status, json.dumps(report), run_id),
        )

    def known_items(self, source_id: int) -> set[str]:
        rows = self.conn.execute(
            "SELECT raw_hash FROM source_items WHERE source_id = ?", (source_id,)
        )
        return {r[0] for r in rows}

    def record_item(self, source_id: int, raw_hash: str, locator: str, folder: str,
                    outcome: str, reason: str = "", message_id: int | None = None,
                    document_id: int | None = None) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO source_items(source_id, raw_hash, locator, folder, outcome,"
            " reason, message_id, document_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (source_id, raw_hash, locator, folder, outcome, reason, message_id, document_id),
        )

    # --- messages ---------------------------------------------------------------------
    def is_suppressed(self, record: MailRecord, thread_id: str, key: str) -> str | None:
        checks = (("sender", record.from_addr), ("thread", thread_id), ("message", key),
                  ("message", legacy_content_key(record)), ("message", dated_key(record)),
                  ("message", record.message_id))
        for kind, value in checks:
            if value and self.conn.execute(
                "SELECT 1 FROM suppressions WHERE kind = ? AND value = ?", (kind, value)
            ).fetchone():
                return kind
        return None

    def thread_for(self, record: MailRecord) -> str:
        if record.references:
            return record.references[0]
        if record.in_reply_to:
            row = self.conn.execute(
                "SELECT thread_id FROM messages WHERE rfc_message_id = ? LIMIT 1",
                (record.in_reply_to,),
            ).fetchone()
            return row["thread_id"] if row else record.in_reply_to
        norm = normalise_subject(record.subject)
        if norm and norm != record.subject.strip().lower() and len(norm) > 3:
            # A "Re:"/"Fw:" subject without thread headers joins the latest thread of that name.
            row = self.conn.execute(
                "SELECT thread_id FROM messages WHERE norm_subject = ? ORDER BY date DESC LIMIT 1",
                (norm,),
            ).fetchone()
            if row:
                return row["thread_id"]
        return record.message_id or content_key(record)

    def find_duplicate(self, record: MailRecord, key: str) -> tuple[int, str] | None:
        if record.message_id:
            row = self.conn.execute(
                "SELECT id FROM messages WHERE rfc_message_id = ? LIMIT 1", (record.message_id,)
            ).fetchone()
            if row:
                return int(row["id"]), "message-id"
        for candidate, same_sender in ((key, False), (legacy_content_key(record), True)):
            row = self.conn.execute(
                "SELECT id, date, from_addr FROM messages WHERE content_key = ?",
                (candidate,)).fetchone()
            if row and (not same_sender or row["from_addr"] == record.from_addr) \
                    and _close(row["date"], record):
                return int(row["id"]), "body"
        row = self.conn.execute("SELECT id FROM messages WHERE content_key = ?",
                                (dated_key(record),)).fetchone()
        if row:
            return int(row["id"]), "body"
        return None

    def key_to_store(self, record: MailRecord, key: str) -> str:
        """``key``, or the dated one when an earlier message on another day holds it."""
        taken = self.conn.execute("SELECT 1 FROM messages WHERE content_key = ?",
                                  (key,)).fetchone()
        return dated_key(record) if taken else key

    def add_message(self, record: MailRecord, cleaned: CleanText, *, key: str, thread_id: str,
                    folder: str, in_sent_folder: bool, is_own: bool, is_forward: bool) -> int:
        uid = "m" + key[:16]
        cursor = self.conn.execute(
            """INSERT INTO messages(uid, rfc_message_id, content_key, date, from_name, from_addr,
                 to_addrs, cc_addrs, subject, norm_subject, thread_id, in_reply_to, refs, folder,
                 in_sent_folder, body, full_text, is_own, is_auto_reply, is_bulk, is_forward,
                 had_quote, html_only, problems, imported_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (
                uid, record.message_id, key,
                int(record.date.timestamp()) if record.date else None,
                record.from_name, record.from_addr, json.dumps(record.to), json.dumps(record.cc),
                record.subject, normalise_subject(record.subject), thread_id,
                record.in_reply_to, json.dumps(record.references), folder, int(in_sent_folder),
                cleaned.body, record.text.strip(), int(is_own), int(record.auto_reply),
                int(record.bulk), int(is_forward), int(cleaned.had_quote), int(record.html_only),
                "; ".join(dict.fromkeys(record.problems)), now_iso(),
            ),
        )
        return int(cursor.lastrowid)

    def note_sent_copy(self, message_rowid: int) -> None:
        self.conn.execute("UPDATE messages SET in_sent_folder = 1 WHERE id = ?", (message_rowid,))

    def add_document(self, record: DocumentRecord, *, key: str, path: str) -> tuple[int, bool]:
        row = self.conn.execute("SELECT id FROM documents WHERE content_key = ?", (key,)).fetchone()
        if row:
            return int(row["id"]), False
        cursor = self.conn.execute(
            "INSERT INTO documents(uid, content_key, path, title, date, text, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            ("d" + key[:16], key, path, record.title,
             int(record.date.timestamp()) if record.date else None, record.text, now_iso()),
        )
        return int(cursor.lastrowid), True

    def add_chunks(self, *, owner: str, owner_rowid: int, uid: str, texts: list[str],
                   vector_limit: int = 0, own_words: bool = True) -> None:
        """Store chunks; those past ``vector_limit`` (0: none) are for keyword search only."""
        column = "message_id" if owner == "message" else "document_id"
        self.conn.executemany(
            f"INSERT OR IGNORE INTO chunks(id, {column}, seq, text, indexed, own_words)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(f"{uid}:{seq}", owner_rowid, seq, text,
              2 if vector_limit and seq >= vector_limit else 0, int(own_words))
             for seq, text in enumerate(texts)],
        )

    def uid_of(self, message_rowid: int) -> str:
        return self.conn.execute("SELECT uid FROM messages WHERE id = ?",
                                 (message_rowid,)).fetchone()[0]

    # --- identity ---------------------------------------------------------------------
    def identity(self) -> dict[str, str]:
        return {r["address"]: r["origin"] for r in self.conn.execute("SELECT * FROM identity")}

    def set_identity(self, addresses: list[str], origin: str) -> None:
        with self.transaction():
            if origin == "user":
                self.conn.execute("DELETE FROM identity WHERE origin = 'suggested'")
            for address in addresses:
                self.conn.execute(
                    "INSERT INTO identity(address, origin) VALUES (?, ?) ON CONFLICT(address)"
                    " DO UPDATE SET origin = CASE WHEN origin = 'user' THEN 'user'"
                    " ELSE excluded.origin END",
                    (address.lower(), origin),
                )

    def recompute_own(self) -> list[str]:
        """Re-derive ``is_own`` from the identity; returns uids whose flag changed."""
        rows = self.conn.execute(
            "SELECT uid FROM messages WHERE is_own != (from_addr IN (SELECT address FROM identity))"
        ).fetchall()
        self.conn.execute(
            "UPDATE messages SET is_own = (from_addr IN (SELECT address FROM identity))"
        )
        return [r[0] for r in rows]

    # --- reading ----------------------------------------------------------------------
    def message(self, uid_or_rfc_id: str) -> sqlite3.Row | None:
        ident = uid_or_rfc_id.strip().strip("<>")
        return self.conn.execute(
            "SELECT * FROM messages WHERE uid = ? OR rfc_message_id = ? LIMIT 1", (ident, ident)
        ).fetchone()

    def pending_chunks(self, limit: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            """SELECT c.id, c.text, c.seq, c.message_id, c.document_id, c.own_words,
                      m.uid AS m_uid, m.is_own, m.from_addr, m.date AS m_date, m.folder,
                      m.thread_id, m.subject, d.uid AS d_uid, d.date AS d_date, d.title
               FROM chunks c LEFT JOIN messages m ON m.id = c.message_id
                             LEFT JOIN documents d ON d.id = c.document_id
               WHERE c.indexed = 0 ORDER BY c.rowid LIMIT ?""",
            (limit,),
        ).fetchall()

    def mark_indexed(self, chunk_ids: list[str]) -> None:
        with self.transaction():
            self.conn.executemany("UPDATE chunks SET indexed = 1 WHERE id = ?",
                                  [(c,) for c in chunk_ids])

    def tombstones(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT chunk_id FROM index_tombstones")]

    def clear_tombstones(self, chunk_ids: list[str]) -> None:
        self.conn.executemany("DELETE FROM index_tombstones WHERE chunk_id = ?",
                              [(c,) for c in chunk_ids])

    def count(self, sql: str, params: tuple = ()) -> int:
        return int(self.conn.execute(sql, params).fetchone()[0] or 0)
