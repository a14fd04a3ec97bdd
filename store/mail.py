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
from datetime import UTC, datetime, timedelta
from email.message import Message

from store.htmltext import mail_html_to_text


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
                    "ascii": "cp1252", "ansi_x3.4-1968": "cp1252", "iso-8859-1": "cp1252",
                    "latin1": "cp1252", "latin-1": "cp1252",
                    # Supersets that clients write while declaring the smaller set.
                    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
                    "cp936": "gb18030", "big5": "big5hkscs", "shift_jis": "cp932",
                    "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
                    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "iso-8859-8-i": "iso-8859-8",
                    "utf8": "utf-8", "unicode-1-1-utf-7": "utf-7", "windows-874": "cp874"}
_SINGLE_BYTE = re.compile(r"^(?:cp125\d|iso-8859-\d+|koi8-[ru]|cp874|cp437|cp850)$")


# What mail is really written in when its label is wrong; a detector's rarer guesses on
# short text (cp1006, mac_iceland, …) are noise.
_LIKELY = re.compile(r"^(?:cp125[0-8]|iso8859_(?:[1-9]|1[35])|koi8_[ru]|gb18030|gbk|gb2312"
                     r"|big5|big5hkscs|cp932|shift_jis|euc_jp|iso2022_jp|cp949|euc_kr"
                     r"|utf_16|utf_8|cp874|tis_620|mac_cyrillic)$")
# Latin-script single-byte charsets all decode any bytes into plausible letters, and on a
# short mail the detector picks among them badly (French read as cp1257 in our samples).
# Among these, the one that leaves no symbol stuck to a letter wins ("przes³anie" is
# Polish read as cp1252), and Windows-1252, the commonest, breaks ties.
_LATIN = re.compile(r"^(?:cp125[02478]|iso8859_(?:[1-49]|1[03-6])|mac_(?:latin2|roman))$")
_LATIN_CANDIDATES = ("cp1252", "cp1250", "cp1257", "cp1254")
_STUCK_SYMBOL = re.compile(r"(?<=[^\W\d_])[^\w\s\x00-\x7f’‘“”«»–—…€]|"
                           r"[^\w\s\x00-\x7f’‘“”„«»–—…€¿¡](?=[^\W\d_])|[\x80-\x9f]")


def _latin_choice(data: bytes) -> str:
    def misfit(candidate: str) -> int:
        try:
            return len(_STUCK_SYMBOL.findall(data.decode(candidate)))
        except UnicodeDecodeError:
            return 1 << 30
    return min(_LATIN_CANDIDATES, key=misfit)  # min() keeps the first of equals


def _guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    if _LATIN.match(best.encoding):
        return _latin_choice(data)
    return best.encoding if _LIKELY.match(best.encoding) else None


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Decode by the declared charset, repaired where it is wrong, then by a detector and
    fallbacks; returns (text, a problem naming any repair, or None)."""
    label = (declared or "").strip().strip('"').lower()
    # Mail labelled ASCII or Latin-1 is very often really Windows-1252 (curly quotes, dashes).
    charset = _CHARSET_ALIASES.get(label, label)
    if charset and data.isascii():
        return data.decode("ascii"), None
    if charset and _SINGLE_BYTE.match(charset) and _is_utf8(data):
        # Valid UTF-8 with non-ASCII bytes is almost never meant as a single-byte charset.
        return data.decode("utf-8"), f"labelled {declared} but is UTF-8; read as UTF-8"
    problem = None
    if charset and charset != label:
        # The label, if it is right, else the superset clients really wrote in.
        try:
            text = data.decode(label)
            if not (label in ("iso-8859-1", "latin1", "latin-1")
                    and re.search(r"[\x80-\x9f]", text)):
                return text, None
        except (LookupError, UnicodeDecodeError):
            pass
        try:
            return data.decode(charset), f"text is not valid {declared}; read as {charset}"
        except (LookupError, UnicodeDecodeError):
            pass
    if charset:
        try:
            return data.decode(charset), None
        except LookupError:
            problem = f"unknown charset {declared!r}"
        except UnicodeDecodeError:
            problem = f"text is not valid {declared}"
    if _is_utf8(data):
        return data.decode("utf-8"), problem and f"{problem}; read as UTF-8"
    guessed = _guess(data) if len(data) >= 24 else None
    if guessed:
        try:
            text = data.decode(guessed)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            return text, f"{problem or 'no charset declared'}; read as {guessed}"
    for candidate in _FALLBACK_CHARSETS[1:]:
        try:
            return data.decode(candidate), problem and f"{problem}; read as {candidate}"
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), problem  # unreachable: latin-1 decodes all


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def header_values(msg: Message, name: str, problems: list[str] | None = None) -> list[str]:
    """A header's values as text. Raw 8-bit bytes (a UTF-8 filename, a localised Date
    comment) come from the stdlib as undecodable ``Header`` objects: read their bytes as
    UTF-8, else as the detector says, and record the repair."""
    values = []
    for key, value in msg.raw_items():
        if key.lower() != name.lower():
            continue
        if isinstance(value, str) and any("\udc80" <= ch <= "\udcff" for ch in value):
            raw = value.encode("ascii", "surrogateescape")
            value, problem = decode_bytes(raw, None)
            if problems is not None:
                problems.append(f"raw 8-bit bytes in the {key} header"
                                + (f" ({problem})" if problem else "; read as UTF-8"))
        values.append(str(value))
    return values


def header_value(msg: Message, name: str, problems: list[str] | None = None) -> str | None:
    values = header_values(msg, name, problems)
    return values[0] if values else None


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


def without_envelope(raw: bytes) -> bytes:
    """The message without a first line that is not a header but precedes headers: an
    mbox "From " line, Outlook Express's "Microsoft Mail Internet Headers Version 2.0", a
    server's delivery line."""
    first, _, rest = raw.partition(b"\n")
    if first and not _HEADER_LINE.match(first) and len(first) <= 200 and \
            looks_like_headers(rest[:4096]):
        return rest
    return raw


def looks_like_headers(head: bytes) -> bool:
    """True when ``head`` starts with at least two RFC 822 header lines."""
    lines = head.split(b"\n", 12)
    matches = sum(1 for line in lines[:10] if _HEADER_LINE.match(line))
    return matches >= 2 and bool(_HEADER_LINE.match(lines[0]))


def _own_parts(part: Message):
    """The leaf parts that make up this message's text: not attachments, and not inside an
    attached message (a forward as attachment is someone else's mail)."""
    if part.is_multipart():
        if part.get_content_type() == "message/rfc822":
            return
        for sub in part.get_payload():
            if isinstance(sub, Message):
                yield from _own_parts(sub)
        return
    disposition = (header_value(part, "Content-Disposition") or "").lower()
    if not disposition.startswith("attachment"):
        yield part


def _body_text(msg: Message, record: MailRecord) -> None:
    plain: list[str] = []
    html: list[str] = []
    for part in _own_parts(msg):
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
        record.text = mail_html_to_text("\n".join(html))
        record.html_only = True
    for defect in getattr(msg, "defects", []) or []:
        name = type(defect).__name__
        if "Boundary" in name:
            record.problems.append("truncated or broken MIME structure")
            break


def header_list(msg: Message, name: str, problems: list[str] | None = None) -> list[str]:
    return header_values(msg, name, problems)


_EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)


def plausible_date(date: datetime | None, problems: list[str]) -> datetime | None:
    """Dates before 1980 or more than a day ahead are a broken clock or header: unknown."""
    if date is None:
        return None
    if date < _EARLIEST or date > datetime.now(UTC) + timedelta(days=1):
        problems.append(f"implausible date {date.isoformat()}; recorded as unknown")
        return None
    return date


def parse_rfc822(raw: bytes) -> MailRecord:
    """Parse one message's bytes; raises NotAMessage when nothing usable is there."""
    raw = without_envelope(raw.lstrip(b"\r\n"))
    if not looks_like_headers(raw[:4096]):
        raise NotAMessage("no mail headers")
    msg = email.message_from_bytes(raw)
    record = MailRecord()
    problems = record.problems

    def value(name: str) -> str | None:
        return header_value(msg, name, problems)

    record.message_id = (message_ids(value("Message-ID")) or [""])[0]
    record.subject = decode_header_value(value("Subject"))
    senders = parse_addresses(header_list(msg, "From", problems))
    if senders:
        record.from_name, record.from_addr = senders[0]
    record.to = [a or n for n, a in parse_addresses(header_list(msg, "To", problems))]
    record.cc = [a or n for n, a in parse_addresses(header_list(msg, "Cc", problems))]
    record.date = plausible_date(parse_date(value("Date")), problems)
    record.in_reply_to = (message_ids(value("In-Reply-To")) or [""])[0]
    record.references = message_ids(" ".join(header_list(msg, "References")))
    labels = decode_header_value(value("X-Gmail-Labels"))
    record.labels = [x.strip() for x in labels.split(",") if x.strip()]
    auto = (value("Auto-Submitted") or "").strip().lower()
    record.auto_reply = (
        (auto not in ("", "no"))
        or value("X-Autoreply") is not None
        or value("X-Autorespond") is not None
        or bool(re.match(r"(auto(matic)?[ -]?reply|out of (the )?office|abwesenheit)",
                         record.subject, re.I))
    )
    precedence = (value("Precedence") or "").strip().lower()
    record.bulk = precedence in ("bulk", "list", "junk") or value("List-Unsubscribe") is not None
    try:
        _body_text(msg, record)
    except Exception as exc:  # noqa: BLE001 - a broken MIME tree must not lose the message
        _salvage_body(raw, record, exc)
    if not record.text.strip() and not record.subject and not record.from_addr:
        raise NotAMessage("message has neither sender, subject nor text")
    return record


def _salvage_body(raw: bytes, record: MailRecord, exc: Exception) -> None:
    """The text after the headers, without MIME part headers, when the tree can't be read."""
    body = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[-1]
    kept = [line for line in body.splitlines()
            if not re.match(rb"^(--\S+|Content-[\w-]+:.*)$", line)]
    record.text, problem = decode_bytes(b"\n".join(kept), None)
    record.text = record.text.strip()
    record.problems.append(f"broken MIME structure ({type(exc).__name__}); text salvaged")
    if problem:
        record.problems.append(problem)
