"""Keep the writer's own words: cut quoted replies, forwarded blocks and signatures.

Works line by line and cuts at the first line that starts someone else's text. Measured on
the shared Enron account (Lotus Notes, Outlook and plain ``>`` quoting) and on Gmail/Apple
attribution lines. Sign-offs such as "Onward,\\nTeddy" are the writer's style and are kept;
only delimited signatures ("-- ") and client footers are dropped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_FORWARD_MARKERS = re.compile(
    r"^\s*(?:"
    r"-{3,}\s*Forwarded by\b"  # Lotus Notes
    r"|-{2,}\s*Forwarded message\s*-{2,}"  # Gmail
    r"|Begin forwarded message:"  # Apple Mail
    r"|-{2,}\s*(?:Weitergeleitete Nachricht|Message transféré)"
    r")",
    re.I,
)
_REPLY_MARKERS = re.compile(
    r"^\s*>?\s*(?:-{2,}\s*Original Message\s*-{2,}|_{10,}\s*$|-{2,}\s*Reply message\s*-{2,})",
    re.I,
)
_ATTRIBUTION = re.compile(r"^\s*(?:On\b|At\b|Am\b|Le\b|El\b).{4,300}(?:wrote|schrieb|a écrit|escribió)\s*:\s*$", re.I)
_WROTE_TAIL = re.compile(r"^\s*.{0,120}\b(?:wrote|schrieb|a écrit|escribió)\s*:\s*$", re.I)
_HEADER = re.compile(r"^\s*>?\s*(From|To|Sent|Date|Subject|cc|bcc)\s*:", re.I)
_DATETIME = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:AM|PM)\b", re.I)
_SIGNATURE = re.compile(r"^(?:-- ?|--)$")
_FOOTERS = re.compile(
    r"^\s*(?:Sent from my (?:iPhone|iPad|BlackBerry|Android|mobile)|Sent from Mail for Windows"
    r"|Get Outlook for (?:iOS|Android)|Get Your Private, Free E-?mail from MSN Hotmail)",
    re.I,
)


@dataclass
class CleanText:
    body: str
    had_quote: bool = False
    had_forward: bool = False
    had_signature: bool = False


def _header_block_start(lines: list[str], i: int) -> int | None:
    """If line i begins (or sits in) a quoted header block, return where that block starts."""
    if not _HEADER.match(lines[i]):
        return None
    window = lines[i : i + 6]
    names = {m.group(1).lower() for m in map(_HEADER.match, window) if m}
    if len(names) < 2 and not (names and _DATETIME.search(lines[i])):
        return None
    if "to" not in names and "subject" not in names and "sent" not in names:
        return None
    start = i
    # Lotus Notes puts the sender's name and a date line just above "To:".
    for back in (1, 2, 3):
        j = i - back
        if j < 0:
            break
        if _DATETIME.search(lines[j]):
            start = j
            if j - 1 >= 0 and lines[j - 1].strip() and len(lines[j - 1].split()) <= 6:
                start = j - 1
            break
        if lines[j].strip():
            break
    return start


def clean_body(text: str) -> CleanText:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    result = CleanText(body="")
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _FORWARD_MARKERS.match(line):
            result.had_forward = True
            break
        if _REPLY_MARKERS.match(line) and any(
            _HEADER.match(x) for x in lines[i + 1 : i + 5]
        ) or re.match(r"^\s*>?\s*-{2,}\s*Original Message", line, re.I):
            result.had_quote = True
            break
        if _ATTRIBUTION.match(line):
            result.had_quote = True
            i += 1
            continue
        if (
            _WROTE_TAIL.match(line)
            and kept
            and re.match(r"^\s*(On|At)\b", kept[-1])
        ):
            kept.pop()  # an attribution line wrapped over two lines
            result.had_quote = True
            i += 1
            continue
        header_start = _header_block_start(lines, i)
        if header_start is not None:
            if i > header_start:
                del kept[len(kept) - (i - header_start) :]
            result.had_quote = True
            break
        if line.lstrip().startswith(">"):
            result.had_quote = True
            i += 1
            continue
        if _SIGNATURE.match(line):
            result.had_signature = True
            break
        if _FOOTERS.match(line):
            result.had_signature = True
            i += 1
            continue
        kept.append(line.rstrip())
        i += 1
    body = "\n".join(kept).strip("\n")
    body = re.sub(r"\n{3,}", "\n\n", body)
    result.body = body.strip()
    return result


def fold_whitespace(text: str) -> str:
    return " ".join(text.split())


def body_hash(text: str) -> str:
    return hashlib.sha256(fold_whitespace(text).encode("utf-8")).hexdigest()


_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.I)


def normalise_subject(subject: str) -> str:
    return fold_whitespace(_SUBJECT_PREFIX.sub("", subject or "")).lower()


def is_forward_subject(subject: str) -> bool:
    return bool(re.match(r"^\s*(fw|fwd|wg|tr)\s*:", subject or "", re.I))
