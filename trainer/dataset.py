"""The user's own emails, read from the store, as material for playback and training."""

from __future__ import annotations

import json
import re

from trainer.playback import EmailForPlayback

# Too short to carry a style, or too long for a small model's training window.
MIN_WORDS, MAX_WORDS = 5, 600


def own_emails(store) -> list[EmailForPlayback]:
    """Own, cleaned, non-forward, non-automatic emails, oldest first."""
    conn = store.catalogue.conn
    rows = conn.execute(
        """SELECT uid, body, subject, to_addrs, in_reply_to, from_name, date FROM messages
           WHERE is_own = 1 AND body != '' AND is_forward = 0 AND is_auto_reply = 0
           ORDER BY date, id""").fetchall()
    names = _writer_names(conn)
    emails = []
    for row in rows:
        words = len(row["body"].split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            continue
        is_reply = bool(row["in_reply_to"]) or row["subject"].lower().startswith("re:")
        emails.append(EmailForPlayback(row["uid"], row["body"], row["subject"],
                                       json.loads(row["to_addrs"]), is_reply, names))
    return emails


def _writer_names(conn) -> tuple[str, ...]:
    """The user's own name parts (from their From headers), never to be a third party."""
    names: set[str] = set()
    for from_name, address in conn.execute(
            "SELECT DISTINCT from_name, from_addr FROM messages WHERE is_own = 1"):
        names.update(re.findall(r"[A-Z][a-z]+", from_name or ""))
        # "phillip.allen@..." says the name even when the From header has none.
        local = (address or "").split("@")[0]
        names.update(part.capitalize() for part in re.split(r"[._-]+", local)
                     if part.isalpha() and len(part) >= 3)
    return tuple(sorted(names))
