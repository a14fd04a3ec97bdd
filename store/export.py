"""Export the cleaned catalogue: exactly the text the assistant learns from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from store.catalogue import Catalogue


def iter_records(catalogue: Catalogue, *, own: bool | None = None) -> Iterator[dict]:
    where = "" if own is None else f"WHERE is_own = {int(own)}"
    for row in catalogue.conn.execute(f"SELECT * FROM messages {where} ORDER BY date, id"):
        yield {
            "id": row["uid"],
            "message_id": row["rfc_message_id"],
            "date": datetime.fromtimestamp(row["date"], UTC).isoformat() if row["date"] else None,
            "from": row["from_addr"],
            "from_name": row["from_name"],
            "to": json.loads(row["to_addrs"]),
            "cc": json.loads(row["cc_addrs"]),
            "subject": row["subject"],
            "body": row["body"],
            "folder": row["folder"],
            "thread_id": row["thread_id"],
            "in_reply_to": row["in_reply_to"],
            "own": bool(row["is_own"]),
            "flags": {
                "auto_reply": bool(row["is_auto_reply"]),
                "bulk": bool(row["is_bulk"]),
                "forward": bool(row["is_forward"]),
                "had_quote": bool(row["had_quote"]),
                "html_only": bool(row["html_only"]),
            },
            "problems": row["problems"],
        }


def to_jsonl(records: Iterator[dict]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def to_mbox(records: Iterator[dict]) -> Iterator[str]:
    for record in records:
        msg = EmailMessage()
        msg["From"] = record["from"] or "unknown@localhost"
        if record["to"]:
            msg["To"] = ", ".join(record["to"])
        msg["Subject"] = record["subject"]
        if record["date"]:
            msg["Date"] = format_datetime(datetime.fromisoformat(record["date"]))
        if record["message_id"]:
            msg["Message-ID"] = f"<{record['message_id']}>"
        msg["X-Amanuensis-Id"] = record["id"]
        msg.set_content(record["body"] or "")
        stamp = datetime.fromisoformat(record["date"]) if record["date"] else datetime.now(UTC)
        text = msg.as_string().replace("\nFrom ", "\n>From ")
        yield f"From {record['from'] or 'MAILER-DAEMON'} {stamp.strftime('%a %b %d %H:%M:%S %Y')}\n"
        yield text.rstrip("\n") + "\n\n"
