"""One parsed email, whatever archive it came from, and the RFC 822 parser that makes most of them.

Parsing uses the stdlib's compat32 policy (several times faster than ``policy.default``) and
decodes headers and bodies by hand, with fallbacks, so that a broken charset or MIME
structure degrades to readable text and a recorded problem instead of an exception.
"""

from __future__ import annotations

import email
import email.header
import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message

from store.htmltext import html_to_text


@dataclass
class MailRecord:
    message_id: str = ""
    subject: str = ""
    from_name: str = ""
    from_addr: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    text: str = ""
    html_only: bool = False
    labels: list[str] = field(default_factory=list)
    auto_reply: bool = False
    bulk: bool = False
    problems: list[str] = field(default_factory=list)


class NotAMessage(ValueError):
    """The bytes hold no usable email (no headers, no body)."""


_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]?", re.M)
_ID = re.compile(r"<([^<>\s]+)>")
_FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")
_CHARSET_ALIASES = {"unknown-8bit": "cp1252", "x-unknown": "cp1252", "us-ascii": "cp1252",
                    "ascii": "cp1252", "ansi_x3.4-1968": "cp1252", "iso-8859-1": "cp1252"}


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Decode by the declared charset, then by fallbacks; returns (text, problem or None)."""
    problem = None
    charset = (declared or "").strip().strip('"').lower()
    # Mail labelled ASCII or Latin-1 is very often really Windows-1252 (curly quotes, dashes).
    charset = _CHARSET_ALIASES.get(charset, charset)
    if charset:
        try:
            return data.decode(charset), None
        except LookupError:
            problem = f"unknown charset {declared!r}"
        except UnicodeDecodeError:
            problem = f"text is not valid {declared}"
    for candidate in _FALLBACK_CHARSETS:
        try:
            return data.decode(candidate), problem
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), problem  # unreachable: latin-1 decodes all


def decode_header_value(value: object) -> str:
    if value is None:
        return ""
    raw = str(value)
    if "=?" not in raw:
        return " ".join(raw.split())
    try:
        parts = email.header.decode_header(raw)
    except (email.errors.HeaderParseError, ValueError):
        return " ".join(raw.split())
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            chunk, _ = decode_bytes(chunk, charset)
        out.append(chunk)
    return " ".join("".join(out).split())


def parse_addresses(values: list[str]) -> list[tuple[str, str]]:
    decoded = [decode_header_value(v) for v in values if v]
    pairs = []
    for name, addr in email.utils.getaddresses(decoded):
        addr = addr.strip().strip("<>").lower()
        if addr and "@" in addr:
            pairs.append((name.strip(), addr))
        elif addr:
            # Lotus Notes style "Phillip K Allen/HOU/ECT": no address, but still a person.
            pairs.append((name.strip() or addr, ""))
    return pairs


def parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def message_ids(value: str | None) -> list[str]:
    return _ID.findall(value or "")


def looks_like_headers(head: bytes) -> bool:
    """True when ``head`` starts with at least two RFC 822 header lines."""
    lines = head.split(b"\n", 12)
    matches = sum(1 for line in lines[:10] if _HEADER_LINE.match(line))
    return matches >= 2 and bool(_HEADER_LINE.match(lines[0]))


def _body_text(msg: Message, record: MailRecord) -> None:
    plain: list[str] = []
    html: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = (part.get("Content-Disposition") or "").lower()
        if disposition.startswith("attachment"):
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001 - a broken transfer encoding must not stop the import
            record.problems.append("undecodable transfer encoding")
            payload = None
        if payload is None:
            payload = str(part.get_payload()).encode("utf-8", "replace")
        text, problem = decode_bytes(payload, part.get_content_charset())
        if problem:
            record.problems.append(problem)
        (plain if ctype == "text/plain" else html).append(text)
    if any(p.strip() for p in plain):
        record.text = "\n\n".join(plain)
    elif html:
        record.text = html_to_text("\n".join(html))
        record.html_only = True
    for defect in getattr(msg, "defects", []) or []:
        name = type(defect).__name__
        if "Boundary" in name:
            record.problems.append("truncated or broken MIME structure")
            break


def header_list(msg: Message, name: str) -> list[str]:
    return [str(v) for v in (msg.get_all(name) or [])]


def parse_rfc822(raw: bytes) -> MailRecord:
    """Parse one message's bytes; raises NotAMessage when nothing usable is there."""
    head = raw[:4096].lstrip(b"\r\n")
    if not looks_like_headers(head):
        raise NotAMessage("no mail headers")
    msg = email.message_from_bytes(raw)
    record = MailRecord()
    record.message_id = (message_ids(msg.get("Message-ID")) or [""])[0]
    record.subject = decode_header_value(msg.get("Subject"))
    senders = parse_addresses(header_list(msg, "From"))
    if senders:
        record.from_name, record.from_addr = senders[0]
    record.to = [a or n for n, a in parse_addresses(header_list(msg, "To"))]
    record.cc = [a or n for n, a in parse_addresses(header_list(msg, "Cc"))]
    record.date = parse_date(msg.get("Date"))
    record.in_reply_to = (message_ids(msg.get("In-Reply-To")) or [""])[0]
    record.references = message_ids(" ".join(header_list(msg, "References")))
    labels = decode_header_value(msg.get("X-Gmail-Labels"))
    record.labels = [x.strip() for x in labels.split(",") if x.strip()]
    auto = (msg.get("Auto-Submitted") or "").strip().lower()
    record.auto_reply = (
        (auto not in ("", "no"))
        or msg.get("X-Autoreply") is not None
        or msg.get("X-Autorespond") is not None
        or bool(re.match(r"(auto(matic)?[ -]?reply|out of (the )?office|abwesenheit)",
                         record.subject, re.I))
    )
    precedence = (msg.get("Precedence") or "").strip().lower()
    record.bulk = precedence in ("bulk", "list", "junk") or msg.get("List-Unsubscribe") is not None
    _body_text(msg, record)
    if not record.text.strip() and not record.subject and not record.from_addr:
        raise NotAMessage("message has neither sender, subject nor text")
    return record
