"""Bring the bodies of a home imported with an older cleaner up to the current one, with
no re-import: each message is cleaned again from the full text the catalogue keeps; a body
that comes out different is stored, its chunks are replaced (the index re-embeds them at
its next sync) and the time of the change is recorded, which marks the user's next
training run and any unfinished one as stale. Recorded per cleaner version in
``schema_migrations``, so it runs once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from store.catalogue import Catalogue, now_iso
from store.chunking import message_chunks
from store.clean import CLEANER_VERSION, clean_body, is_forward_subject
from store.jobs import CancelToken, PhaseMeter, ProgressCallback, ignore_progress
from store.settings import StoreSettings


@dataclass
class RecleanReport:
    version: int
    checked: int = 0
    changed: int = 0
    own_changed: list[str] = field(default_factory=list)  # uids of the user's own emails


def own_mail_changed_at(catalogue: Catalogue) -> float | None:
    """When re-cleaning last changed one of the user's own bodies (a timestamp), or None."""
    row = catalogue.conn.execute(
        "SELECT MAX(body_changed_at) FROM messages WHERE is_own = 1").fetchone()
    return datetime.fromisoformat(row[0]).timestamp() if row and row[0] else None


def cleaner_version(catalogue: Catalogue) -> int:
    row = catalogue.conn.execute(
        "SELECT value FROM catalogue_meta WHERE key = 'cleaner_version'").fetchone()
    return int(row[0]) if row else 1


def reclean_needed(catalogue: Catalogue) -> bool:
    return cleaner_version(catalogue) < CLEANER_VERSION


def reclean_bodies(catalogue: Catalogue, settings: StoreSettings, *,
                   progress: ProgressCallback = ignore_progress,
                   cancel: CancelToken | None = None) -> RecleanReport:
    report = RecleanReport(CLEANER_VERSION)
    rows = catalogue.conn.execute(
        "SELECT id, uid, subject, full_text, body, is_own, is_forward FROM messages").fetchall()
    meter = PhaseMeter("re-cleaning", len(rows), progress)
    changed_at = now_iso()
    with catalogue.transaction():
        for row in rows:
            if cancel is not None:
                cancel.raise_if_cancelled()  # the transaction rolls back: nothing half done
            report.checked += 1
            meter.advance(1)
            cleaned = clean_body(row["full_text"] or "")
            if cleaned.body == (row["body"] or ""):
                continue
            report.changed += 1
            if row["is_own"]:
                report.own_changed.append(row["uid"])
            forward = bool(row["is_forward"]) or cleaned.had_forward or \
                is_forward_subject(row["subject"] or "")
            catalogue.conn.execute(
                "UPDATE messages SET body = ?, had_quote = ?, is_forward = ?,"
                " body_changed_at = ? WHERE id = ?",
                (cleaned.body, int(cleaned.had_quote), int(forward), changed_at, row["id"]))
            catalogue.conn.execute("DELETE FROM chunks WHERE message_id = ?", (row["id"],))
            catalogue.add_chunks(
                owner="message", owner_rowid=row["id"], uid=row["uid"],
                texts=message_chunks(row["subject"] or "", cleaned.body, row["full_text"] or "",
                                     settings.chunk_words, settings.chunk_overlap_words),
                vector_limit=settings.vector_chunks_per_email, own_words=bool(cleaned.body))
        catalogue.conn.execute(
            "INSERT INTO catalogue_meta(key, value) VALUES ('cleaner_version', ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (str(CLEANER_VERSION),))
        catalogue.conn.execute(
            "INSERT OR IGNORE INTO schema_migrations(name, applied_at) VALUES (?, ?)",
            (f"reclean_bodies_cleaner_{CLEANER_VERSION}", changed_at))
    meter.finish()
    return report
