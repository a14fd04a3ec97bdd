"""Named schema migrations; each is applied once and recorded in ``schema_migrations``."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            format TEXT NOT NULL,
            kind TEXT NOT NULL,
            folder TEXT NOT NULL DEFAULT '',
            size INTEGER, mtime REAL,
            completed INTEGER NOT NULL DEFAULT 0,
            added_at TEXT NOT NULL,
            last_run_id INTEGER
        );
        CREATE TABLE import_runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            paths TEXT NOT NULL,
            report TEXT
        );
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            rfc_message_id TEXT NOT NULL DEFAULT '',
            content_key TEXT NOT NULL UNIQUE,
            date INTEGER,
            from_name TEXT NOT NULL DEFAULT '',
            from_addr TEXT NOT NULL DEFAULT '',
            to_addrs TEXT NOT NULL DEFAULT '[]',
            cc_addrs TEXT NOT NULL DEFAULT '[]',
            subject TEXT NOT NULL DEFAULT '',
            norm_subject TEXT NOT NULL DEFAULT '',
            thread_id TEXT NOT NULL,
            in_reply_to TEXT NOT NULL DEFAULT '',
            refs TEXT NOT NULL DEFAULT '[]',
            folder TEXT NOT NULL DEFAULT '',
            in_sent_folder INTEGER NOT NULL DEFAULT 0,
            body TEXT NOT NULL,
            full_text TEXT NOT NULL,
            is_own INTEGER NOT NULL DEFAULT 0,
            is_auto_reply INTEGER NOT NULL DEFAULT 0,
            is_bulk INTEGER NOT NULL DEFAULT 0,
            is_forward INTEGER NOT NULL DEFAULT 0,
            had_quote INTEGER NOT NULL DEFAULT 0,
            html_only INTEGER NOT NULL DEFAULT 0,
            problems TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL
        );
        CREATE INDEX messages_rfc_id ON messages(rfc_message_id);
        CREATE INDEX messages_from ON messages(from_addr);
        CREATE INDEX messages_thread ON messages(thread_id);
        CREATE INDEX messages_subject ON messages(norm_subject);
        CREATE INDEX messages_date ON messages(date);
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            content_key TEXT NOT NULL UNIQUE,
            path TEXT NOT NULL,
            title TEXT NOT NULL,
            date INTEGER,
            text TEXT NOT NULL,
            imported_at TEXT NOT NULL
        );
        -- Every item seen in every source, and what became of it: the key to resuming an
        -- interrupted import and to recognising what a re-import already has.
        CREATE TABLE source_items (
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            raw_hash TEXT NOT NULL,
            locator TEXT NOT NULL,
            folder TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
            document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
            PRIMARY KEY (source_id, raw_hash)
        );
        CREATE INDEX source_items_message ON source_items(message_id);
        CREATE INDEX source_items_document ON source_items(document_id);
        CREATE TABLE chunks (
            id TEXT PRIMARY KEY,
            message_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
            document_id INTEGER REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            text TEXT NOT NULL,
            -- 0: waiting for a vector, 1: in the vector index, 2: keyword search only
            indexed INTEGER NOT NULL DEFAULT 0,
            -- 0 when the text is someone else's (a forward with no words of the sender's own)
            own_words INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX chunks_message ON chunks(message_id);
        CREATE INDEX chunks_document ON chunks(document_id);
        CREATE INDEX chunks_pending ON chunks(indexed) WHERE indexed = 0;
        CREATE VIRTUAL TABLE chunks_fts USING fts5(
            text, content='chunks', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
            INSERT INTO chunks_fts(rowid, text) VALUES (new.rowid, new.text);
        END;
        CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
            INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        END;
        -- Vector ids whose rows were deleted here but may still sit in the index.
        CREATE TABLE index_tombstones (chunk_id TEXT PRIMARY KEY);
        CREATE TRIGGER chunks_tombstone AFTER DELETE ON chunks WHEN old.indexed = 1 BEGIN
            INSERT OR IGNORE INTO index_tombstones(chunk_id) VALUES (old.id);
        END;
        CREATE TABLE identity (
            address TEXT PRIMARY KEY,
            origin TEXT NOT NULL
        );
        -- What the user asked us to forget stays forgotten on the next import.
        CREATE TABLE suppressions (
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (kind, value)
        );
        """,
    ),
    (
        "0002_fts_vocabulary",
        """
        -- Document frequency per term, so searches can skip words found in most chunks.
        CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, 'row');
        """,
    ),
    (
        "0003_body_changes",
        """
        -- When a stored body was last re-cleaned into different text (store/reclean.py),
        -- and which version of the cleaner made the bodies.
        ALTER TABLE messages ADD COLUMN body_changed_at TEXT;
        CREATE TABLE catalogue_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    ),
]


def apply_migrations(conn: sqlite3.Connection) -> list[str]:
    """Apply what is missing; ``conn`` must be in autocommit mode (isolation_level=None)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN")
        try:
            for statement in _split_statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat()),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(name)
    return applied


def _split_statements(sql: str) -> list[str]:
    """Split on semicolons that end a statement (trigger bodies hold their own)."""
    statements, buffer = [], []
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        buffer.append(line)
        joined = "\n".join(buffer)
        if stripped.endswith(";") and sqlite3.complete_statement(joined):
            statements.append(joined)
            buffer = []
    if buffer and "\n".join(buffer).strip():
        statements.append("\n".join(buffer))
    return statements
