"""Which addresses are the user's: given with --me, or suggested from sent folders."""

from __future__ import annotations

from dataclasses import dataclass

from store.catalogue import Catalogue

# An address must make up this share of sent-folder mail to be taken for one of the user's.
_MIN_SENT_SHARE = 0.05
_MIN_SENT_COUNT = 3


@dataclass
class Suggestion:
    address: str
    messages: int
    reason: str


def suggest_addresses(catalogue: Catalogue) -> list[Suggestion]:
    """Senders of sent-folder mail first; else the address most often written to."""
    rows = catalogue.conn.execute(
        "SELECT from_addr, COUNT(*) AS n FROM messages WHERE in_sent_folder = 1"
        " AND from_addr != '' GROUP BY from_addr ORDER BY n DESC"
    ).fetchall()
    total = sum(r["n"] for r in rows)
    suggestions = [
        Suggestion(r["from_addr"], r["n"], "sends the mail in your sent folders")
        for r in rows
        if r["n"] >= _MIN_SENT_COUNT and r["n"] / total >= _MIN_SENT_SHARE
    ]
    if suggestions:
        return suggestions
    # No sent folder: the address that receives most of the mail is probably the user.
    counts: dict[str, int] = {}
    import json

    messages = 0
    for row in catalogue.conn.execute("SELECT to_addrs, cc_addrs FROM messages WHERE is_bulk = 0"):
        messages += 1
        for address in set(json.loads(row["to_addrs"]) + json.loads(row["cc_addrs"])):
            if "@" in address:
                counts[address] = counts.get(address, 0) + 1
    if not counts:
        return []
    address, n = max(counts.items(), key=lambda kv: kv[1])
    if n >= max(_MIN_SENT_COUNT, 0.3 * messages):
        return [Suggestion(address, n, "receives most of the imported mail")]
    return []
