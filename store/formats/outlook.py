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


# Outlook items that are not mail; their "body" is a description, not the user's writing.
_NOT_MAIL = {"ipm.appointment": "calendar item", "ipm.schedule.meeting": "meeting request",
             "ipm.contact": "contact", "ipm.distlist": "contact list", "ipm.task": "task",
             "ipm.stickynote": "note", "ipm.activity": "journal entry"}


def _not_mail(message_class: str) -> str | None:
    lowered = (message_class or "").lower()
    for prefix, kind in _NOT_MAIL.items():
        if lowered.startswith(prefix):
            return kind
    return None


def _attempt(problems: list[str], what: str, read):
    """One property of the file, read on its own: a part that fails is recorded, not fatal."""
    try:
        return read()
    except Exception as exc:  # noqa: BLE001 - extract-msg raises many types for odd files
        problems.append(f"{what} unreadable ({type(exc).__name__})")
        return None


def _ansi_body(msg, problems: list[str]) -> str | None:
    """A non-Unicode file's plain body, decoded by the code page the file names."""
    raw = msg.getStream("__substg1.0_1000001E")
    if not raw:
        return None
    codepage = None
    for tag in ("3FFD0003", "3FDE0003"):  # PR_MESSAGE_CODEPAGE, PR_INTERNET_CPID
        prop = msg.props.get(tag)
        if prop is not None and prop.value:
            codepage = f"cp{prop.value}" if prop.value != 65001 else "utf-8"
            break
    text, problem = decode_bytes(raw.rstrip(b"\0"), codepage)
    if problem:
        problems.append(problem)
    return text


def parse_msg(path: Path) -> MailRecord:
    import extract_msg

    try:
        msg = extract_msg.openMsg(str(path), strict=False)
    except Exception as exc:  # noqa: BLE001 - extract-msg raises many types for bad files
        raise NotAMessage(f"unreadable Outlook .msg ({type(exc).__name__}: {exc})") from exc
    try:
        kind = _not_mail(getattr(msg, "classType", "") or "")
        if kind:
            raise NotAMessage(f"an Outlook {kind} ({msg.classType}), not mail")
        problems: list[str] = []
        header = _attempt(problems, "transport headers", lambda: msg.header)
        headers = _attempt(problems, "transport headers", header.as_string) \
            if header is not None else ""
        # The plain body first: reading the HTML can mean converting RTF, which fails more.
        if getattr(msg, "areStringsUnicode", True):
            body = _attempt(problems, "plain body", lambda: msg.body)
        else:
            body = _attempt(problems, "plain body", lambda: _ansi_body(msg, problems))
        html = None
        if not (body and body.strip()):
            html = _attempt(problems, "HTML body", lambda: msg.htmlBody)
            if not html:
                rtf = _attempt(problems, "RTF body", lambda: msg.rtfBody)
                body = _rtf_text(rtf) if rtf else body
        record = _record_from_parts(
            headers=headers or "",
            subject=_attempt(problems, "subject", lambda: msg.subject),
            sender=_attempt(problems, "sender", lambda: msg.sender) or "",
            to=_attempt(problems, "recipients", lambda: msg.to),
            cc=_attempt(problems, "recipients", lambda: msg.cc),
            body=body,
            html=html,
            date=_attempt(problems, "date", lambda: msg.date),
            message_id=_attempt(problems, "Message-ID", lambda: getattr(msg, "messageId", None)),
        )
        record.problems.extend(problems)
        if not record.text.strip() and not record.subject and not record.from_addr:
            raise NotAMessage("unreadable Outlook .msg (no sender, subject or text could be "
                              f"read: {'; '.join(problems) or 'all empty'})")
        return record
    finally:
        msg.close()


_RTF_SKIP = {"fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header",
             "footer", "themedata", "datastore", "latentstyles", "listtable", "generator"}


def _rtf_text(rtf: bytes) -> str:
    """Plain text from an RTF body: its text runs, without control words and the groups
    that hold fonts, colours, pictures and the like."""
    import re

    data = rtf.decode("latin-1", "replace")
    out: list[str] = []
    skip_depth: list[bool] = [False]
    tokens = re.finditer(r"\\'([0-9a-fA-F]{2})|\\([a-zA-Z]+)(-?\d+)? ?|\\(.)|([{}])|([^\\{}]+)",
                         data)
    group_start = False
    for token in tokens:
        hexbyte, word, _, symbol, brace, text = token.groups()
        if brace == "{":
            skip_depth.append(skip_depth[-1])
            group_start = True
            continue
        if brace == "}":
            if len(skip_depth) > 1:
                skip_depth.pop()
            continue
        starting, group_start = group_start, False
        if word and starting and word in _RTF_SKIP or (symbol == "*" and starting):
            skip_depth[-1] = True
        if skip_depth[-1]:
            continue
        if hexbyte:
            out.append(bytes.fromhex(hexbyte).decode("cp1252", "replace"))
        elif word in ("par", "line"):
            out.append("\n")
        elif word == "tab":
            out.append("\t")
        elif symbol in ("\\", "{", "}"):
            out.append(symbol)
        elif text:
            out.append(text.replace("\r", "").replace("\n", ""))
    return "\n".join(line.strip() for line in "".join(out).splitlines()).strip()


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

