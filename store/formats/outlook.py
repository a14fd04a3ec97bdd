"""Outlook .msg files (extract-msg) and .pst archives (libpff-python, an optional extra)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

from store.formats.base import Problem, Source, SourceItem
from store.htmltext import mail_html_to_text
from store.mail import (
    MailRecord,
    NotAMessage,
    decode_bytes,
    message_ids,
    parse_addresses,
    parse_date,
)

PST_MISSING = (
    "reading Outlook .pst files needs the optional 'pst' extra "
    "(pip install 'amanuensis[pst]', which installs libpff-python)"
)


def _record_from_parts(
    *,
    headers: str,
    subject: str | None,
    sender: str | None,
    to: str | None,
    cc: str | None,
    body: str | None,
    html: bytes | str | None,
    date=None,
    message_id: str | None = None,
) -> MailRecord:
    from email.parser import HeaderParser

    parsed = HeaderParser().parsestr(headers or "")
    record = MailRecord()
    record.subject = " ".join((subject or parsed.get("Subject") or "").split())
    senders = parse_addresses([sender or parsed.get("From") or ""])
    if senders:
        record.from_name, record.from_addr = senders[0]
    record.to = [a or n for n, a in parse_addresses([to or parsed.get("To") or ""])]
    record.cc = [a or n for n, a in parse_addresses([cc or parsed.get("Cc") or ""])]
    if date is not None:
        record.date = date if date.tzinfo else date.replace(tzinfo=UTC)
    else:
        record.date = parse_date(parsed.get("Date"))
    record.message_id = (message_ids(message_id or parsed.get("Message-ID")) or [""])[0]
    record.in_reply_to = (message_ids(parsed.get("In-Reply-To")) or [""])[0]
    record.references = message_ids(parsed.get("References"))
    auto = (parsed.get("Auto-Submitted") or "").lower()
    record.auto_reply = auto not in ("", "no")
    record.bulk = parsed.get("List-Unsubscribe") is not None
    if body and body.strip():
        record.text = body.replace("\r\n", "\n")
    elif html:
        markup = html if isinstance(html, str) else decode_bytes(html, "utf-8")[0]
        record.text = mail_html_to_text(markup)
        record.html_only = True
    return record


def parse_msg(path: Path) -> MailRecord:
    import extract_msg

    try:
        msg = extract_msg.openMsg(str(path))
    except Exception as exc:  # noqa: BLE001 - extract-msg raises many types for bad files
        raise NotAMessage(f"unreadable Outlook .msg ({type(exc).__name__}: {exc})") from exc
    try:
        header = msg.header
        headers = header.as_string() if header is not None else ""
        sender = msg.sender or ""
        return _record_from_parts(
            headers=headers,
            subject=msg.subject,
            sender=sender,
            to=msg.to,
            cc=msg.cc,
            body=msg.body,
            html=getattr(msg, "htmlBody", None),
            date=msg.date,
            message_id=getattr(msg, "messageId", None),
        )
    except Exception as exc:  # noqa: BLE001
        raise NotAMessage(f"unreadable Outlook .msg ({type(exc).__name__}: {exc})") from exc
    finally:
        msg.close()


def _walk_pst(folder, path: str) -> Iterator[tuple[str, int, object]]:
    name = folder.name or ""
    here = f"{path}/{name}".strip("/") if name else path
    for index in range(folder.number_of_sub_messages):
        yield here, index, folder.get_sub_message(index)
    for index in range(folder.number_of_sub_folders):
        yield from _walk_pst(folder.get_sub_folder(index), here)


def _pst_record(message) -> MailRecord:
    def text(value) -> str | None:
        if value is None:
            return None
        if isinstance(value, bytes):
            return decode_bytes(value, "utf-8")[0]
        return str(value)

    date = message.client_submit_time or message.delivery_time
    return _record_from_parts(
        headers=text(message.transport_headers) or "",
        subject=text(message.subject),
        sender=None if message.transport_headers else text(message.sender_name),
        to=None,
        cc=None,
        body=text(message.plain_text_body),
        html=message.html_body,
        date=date,
    )


def pst_source(path: Path) -> Source:
    problems: list[Problem] = []
    try:
        import pypff  # noqa: F401
    except ImportError:
        problems.append(Problem(str(path), PST_MISSING))

    def open_file():
        import pypff

        handle = pypff.file()
        try:
            handle.open(str(path))
        except OSError as exc:
            raise NotAMessage(f"unreadable Outlook .pst ({exc})") from exc
        return handle

    def items() -> Iterator[SourceItem]:
        handle = open_file()
        try:
            for folder, index, message in _walk_pst(handle.get_root_folder(), ""):
                record = _pst_record(message)
                stamp = record.date.isoformat() if record.date else ""
                raw = "\n".join([folder, record.message_id, record.from_addr, record.subject,
                                 stamp, record.text]).encode("utf-8", "replace")
                yield SourceItem(f"{folder}#{index}", raw, lambda r=record: r, folder=folder)
        finally:
            handle.close()

    def count() -> int:
        if problems:
            return 0
        handle = open_file()
        try:
            return sum(1 for _ in _walk_pst(handle.get_root_folder(), ""))
        finally:
            handle.close()

    source = Source(path, "pst", path.stem, items, count)
    source.problems.extend(problems)
    return source

