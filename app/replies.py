"""The email a draft replies to, from whatever the user has: pasted text (with or without
its headers), a mail file (.eml, .emlx, .msg), or a message in the catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from trainer.engine.prompts import ThreadMessage


class DraftError(ValueError):
    """A request that cannot be drafted: the message is for the user."""


@dataclass
class ReplyInfo:
    message_id: str = ""
    references: list[str] = field(default_factory=list)
    sender: str = ""
    subject: str = ""


def day(stamp) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d") if stamp else ""


def uid_for(store, reply: ReplyInfo | None) -> str | None:
    if store is None or reply is None or not reply.message_id:
        return None
    row = store.message(reply.message_id)
    return row["uid"] if row is not None else None


def reply_from_text(text: str) -> tuple[ThreadMessage, ReplyInfo]:
    """Pasted mail: parsed with its headers when the paste has them (a client's "show
    original"), else the text is the body of a message whose sender and subject are those
    of the header lines the copy kept ("From: Ana Ruiz", "Subject: …"), if any."""
    from store.clean import clean_body
    from store.mail import NotAMessage, parse_rfc822

    fields, body = pasted_headers(text)
    shown, subject = fields.get("from", ""), fields.get("subject", "")
    address = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", shown)
    sender = re.sub(r"\s*<[^>]*>\s*$", "", shown).strip(" \"'") or shown
    try:
        thread, info = reply_from_record(parse_rfc822(text.strip().encode("utf-8")))
        if shown and not address:  # "From: Ana Ruiz": a name the parser takes for an address
            thread.sender = sender
        return thread, info
    except NotAMessage:
        message = ThreadMessage(text=clean_body(body).body or body.strip(), sender=sender,
                                subject=subject, date=fields.get("date") or fields.get("sent", ""))
        return message, ReplyInfo(sender=address.group(0) if address else "", subject=subject)


# The header lines a mail client shows above a message that a copy takes along ("From: Ana
# Ruiz", "Sent: Monday 3 March", "Subject: Thursday call") without the rest of the headers
# a parser needs.
_SHOWN_HEADER = re.compile(r"^[ \t]*(?P<name>from|sent|date|to|cc|subject)[ \t]*:[ \t]*(?P<value>[^\n]*)\n",
                           re.I)


def pasted_headers(text: str) -> tuple[dict[str, str], str]:
    """({"subject": …, "from": …}, the body) of pasted text that begins with header lines
    as a mail client shows them; ({}, the text) where it begins with none."""
    fields: dict[str, str] = {}
    rest = text.lstrip("\n")
    while (found := _SHOWN_HEADER.match(rest)) is not None:
        fields.setdefault(found.group("name").lower(), found.group("value").strip())
        rest = rest[found.end():]
    return fields, rest if fields else text


def reply_from_file(path: Path) -> tuple[ThreadMessage, ReplyInfo]:
    from store.formats.detect import sniff
    from store.formats.mailboxes import read_emlx
    from store.formats.outlook import parse_msg
    from store.mail import NotAMessage, parse_rfc822

    data = path.read_bytes()
    fmt = sniff(path, data[:8192])
    try:
        if fmt == "msg":
            record = parse_msg(path)
        elif fmt == "emlx":
            record = parse_rfc822(read_emlx(data))
        elif fmt == "eml":
            record = parse_rfc822(data)
        else:
            raise DraftError(f"{path}: not an email file (.eml, .emlx or .msg)")
    except NotAMessage as exc:
        raise DraftError(f"{path}: {exc}") from exc
    return reply_from_record(record)


def reply_from_record(record) -> tuple[ThreadMessage, ReplyInfo]:
    from store.clean import clean_body

    body = clean_body(record.text).body or record.text
    date = record.date.strftime("%Y-%m-%d") if record.date else ""
    sender = record.from_name or record.from_addr
    refs = [*record.references, record.message_id] if record.message_id else record.references
    return (ThreadMessage(text=body, sender=sender, subject=record.subject, date=date),
            ReplyInfo(record.message_id, refs, record.from_addr, record.subject))
