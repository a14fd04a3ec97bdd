"""Forgetting: remove what the user asks from the catalogue and the index alike.

Forgotten senders, threads and messages are also remembered as suppressions, so the next
import of an archive that still holds them does not bring them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from store.catalogue import Catalogue, now_iso


@dataclass
class ForgetResult:
    messages: int = 0
    documents: int = 0
    sources: list[str] = field(default_factory=list)


class NothingToForget(LookupError):
    pass


def _suppress(catalogue: Catalogue, kind: str, value: str) -> None:
    catalogue.conn.execute(
        "INSERT OR IGNORE INTO suppressions(kind, value, created_at) VALUES (?, ?, ?)",
        (kind, value, now_iso()),
    )


def forget_sender(catalogue: Catalogue, address: str) -> ForgetResult:
    address = address.strip().lower()
    with catalogue.transaction():
        _suppress(catalogue, "sender", address)
        cursor = catalogue.conn.execute("DELETE FROM messages WHERE from_addr = ?", (address,))
    return ForgetResult(messages=cursor.rowcount)


def forget_thread(catalogue: Catalogue, thread: str) -> ForgetResult:
    """``thread`` is a thread id, or the id of any message in the thread."""
    ident = thread.strip().strip("<>")
    row = catalogue.message(ident)
    thread_id = row["thread_id"] if row else ident
    with catalogue.transaction():
        _suppress(catalogue, "thread", thread_id)
        cursor = catalogue.conn.execute("DELETE FROM messages WHERE thread_id = ?", (thread_id,))
    if cursor.rowcount == 0:
        raise NothingToForget(f"no thread {thread!r} in the catalogue")
    return ForgetResult(messages=cursor.rowcount)


def forget_message(catalogue: Catalogue, message: str) -> ForgetResult:
    row = catalogue.message(message)
    if row is None:
        raise NothingToForget(f"no message {message!r} in the catalogue")
    with catalogue.transaction():
        _suppress(catalogue, "message", row["content_key"])
        if row["rfc_message_id"]:
            _suppress(catalogue, "message", row["rfc_message_id"])
        catalogue.conn.execute("DELETE FROM messages WHERE id = ?", (row["id"],))
    return ForgetResult(messages=1)


def forget_source(catalogue: Catalogue, path: str) -> ForgetResult:
    """Forget everything imported from a file, or from every source under a folder.

    A message that another source also holds stays: it is still in the user's mail.
    """
    from pathlib import Path

    key = str(Path(path).expanduser().resolve())
    rows = catalogue.conn.execute(
        "SELECT id, path FROM sources WHERE path = ? OR path LIKE ? ESCAPE '\\'",
        (key, key.replace("%", "\\%").replace("_", "\\_") + "/%"),
    ).fetchall()
    if not rows:
        raise NothingToForget(f"no imported source at {path}")
    result = ForgetResult(sources=[r["path"] for r in rows])
    ids = [r["id"] for r in rows]
    marks = ",".join("?" * len(ids))
    with catalogue.transaction():
        for table, column, attr in (("messages", "message_id", "messages"),
                                    ("documents", "document_id", "documents")):
            cursor = catalogue.conn.execute(
                f"""DELETE FROM {table} WHERE id IN (
                        SELECT {column} FROM source_items WHERE source_id IN ({marks}))
                    AND NOT EXISTS (SELECT 1 FROM source_items si
                        WHERE si.{column} = {table}.id AND si.source_id NOT IN ({marks}))""",
                ids + ids,
            )
            setattr(result, attr, cursor.rowcount)
        catalogue.conn.execute(f"DELETE FROM sources WHERE id IN ({marks})", ids)
    return result
