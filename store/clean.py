"""Keep the writer's own words: cut quoted replies, forwarded blocks, signatures and footers.

Works line by line and cuts at the first line that starts someone else's text: an
attribution ("On … wrote:", "Am … schrieb …:", "… <x@y>:" after a date), a quoted header
block in any client's language, a separator ("-----Original Message-----", "----------
Forwarded message ---------"), a "-- " signature, a mailing list's footer. An attribution
followed by ``>`` lines may be an interleaved reply, so only the quoted lines go; one
followed by unprefixed text cuts it all. Device footers ("Sent from my HTC", "iPhoneから送信")
are recognised by shape at the end. Sign-offs such as "Onward,\\nTeddy" are the writer's
style and are kept. The patterns live in ``store.quotes``; ``tests/fixtures/clean_cases``
holds our cases in fourteen languages.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from store import quotes

# Raised whenever cleaning keeps different words: homes cleaned by an older version are
# cleaned again from their stored full text (``store.reclean``).
CLEANER_VERSION = 2

# Lotus Notes: "10/27/2000 12:49 PM" on the line above a quoted "To:".
_DATETIME = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:AM|PM)\b", re.I)
_PRONOUN_BEFORE = re.compile(
    r"\b(?:I|we|you|he|she|they|it|ich|wir|du|er|sie|je|nous|tu|il|elle|on|yo|nosotros|io|noi"
    r"|eu|nós|ik|wij|jeg|vi|jag|ja|my|я|мы|он|она)\s+(?:\w+\s+)?$", re.I)
_SENTENCE_END = re.compile(r"[.!?。！？]\s*$")
_PERSONAL = re.compile(r"\b(?:I|I'll|I'm|we|you|my|our|ich|je|yo|io|eu|ik|jeg|jag|ja|я)\b",
                       re.I)


@dataclass
class CleanText:
    body: str
    had_quote: bool = False
    had_forward: bool = False
    had_signature: bool = False


def _unquoted(line: str) -> str:
    return re.sub(r"^\s*(?:>\s*)+", "", line).strip()


def is_attribution(text: str, quote_follows: bool) -> bool:
    """Whether ``text`` (one line, or a wrapped one joined) introduces someone's message."""
    text = text.strip().strip("-").strip()
    if not text or len(text) > 320 or len(text.split()) > 45:
        return False
    wrote = quotes.WROTE_TAIL.search(text) or quotes.WROTE_NAME_TAIL.search(text)
    if wrote:
        before = text[: wrote.start()]
        if _PRONOUN_BEFORE.search(before) and not quotes.EMAIL.search(before):
            return False  # "On Monday I wrote:" is the writer talking
        has_date = bool(quotes.DATE_OR_TIME.search(before))
        has_address = bool(quotes.EMAIL.search(before))
        if has_date or has_address:
            return True
        # "Anna Berg wrote:" with nothing else needs its quote to follow.
        return quote_follows and len(before.split()) <= 8
    if quotes.ADDRESS_TAIL.search(text):
        return bool(quotes.DATE_OR_TIME.search(text)) or quote_follows
    return False


def _next_text(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _may_end_attribution(line: str) -> bool:
    """A cheap test before the patterns: an attribution ends with a colon, dashes or the
    verb (most lines of a mail end otherwise)."""
    end = line.rstrip()[-1:]
    return end in (":", "：", "-") or (end.isalpha() and line.rstrip().lower().endswith(
        quotes.WROTE_WORDS))


def attribution_end(lines: list[str], i: int) -> int | None:
    """The last line of an attribution that starts at line ``i`` (wrapped over up to three
    lines), or None."""
    for span in (1, 2, 3):
        chunk = lines[i : i + span]
        if len(chunk) < span or (span > 1 and not chunk[-1].strip()):
            break
        if not _may_end_attribution(chunk[-1]):
            continue
        if span > 1 and _SENTENCE_END.search(chunk[0]):
            break  # a finished sentence of the writer's, then an attribution below it
        joined = " ".join(_unquoted(line) for line in chunk)
        after = _next_text(lines, i + span)
        follows = after < len(lines) and lines[after].lstrip().startswith(">")
        if is_attribution(joined, follows):
            first = _unquoted(chunk[0])
            if span > 1 and not (quotes.ATTRIBUTION_LEAD.match(first) or quotes.EMAIL.search(
                    first) or quotes.DATE_OR_TIME.search(first)) \
                    and attribution_end(lines, i + 1) is not None:
                return None  # it starts on a later line; line i is the writer's
            return i + span - 1
    return None


def _roles_near(lines: list[str], i: int) -> tuple[set[str], bool]:
    roles: set[str] = set()
    evidence = False
    blank = 0
    for line in lines[i : i + 8]:
        if not line.strip():
            blank += 1
            if blank > 1 or not roles:
                break
            continue
        role = quotes.header_role(line)
        if role is None:
            if roles and len(roles) >= 2:
                break
            continue
        roles |= {role} | quotes.inline_roles(line)
        value = line.split(":", 1)[-1] if ":" in line else line.split("：", 1)[-1]
        if quotes.EMAIL.search(value) or quotes.DATE_OR_TIME.search(value) or \
                role == "subject":
            evidence = True
    return roles, evidence


def header_block_start(lines: list[str], i: int) -> int | None:
    """If line ``i`` begins a quoted message's header block, where that block starts
    (Lotus Notes puts the sender's name and a date line above "To:")."""
    role = quotes.header_role(lines[i])
    if role is None:
        return None
    roles, evidence = _roles_near(lines, i)
    lotus = role == "to" and any(_DATETIME.search(lines[j]) for j in range(max(0, i - 3), i))
    addressed = bool(roles & {"to", "cc"}) and "subject" in roles  # "cc:" then "Subject:"
    if not ((len(roles) >= 3 or (len(roles) >= 2 and evidence and (
            "from" in roles or "sent" in roles or addressed))) or (lotus and len(roles) >= 2)
            or (len(roles) >= 2 and _DATETIME.search(lines[i]))):
        return None
    start = i
    for back in (1, 2, 3):
        j = i - back
        if j < 0:
            break
        if _DATETIME.search(lines[j]):
            start = j
            if j - 1 >= 0 and lines[j - 1].strip() and len(lines[j - 1].split()) <= 6 \
                    and not _SENTENCE_END.search(lines[j - 1]):
                start = j - 1
            break
        if lines[j].strip():
            break
    return start


def _list_footer_at(lines: list[str], i: int) -> bool:
    """A rule, then a few lines to the end naming a list and how to leave it."""
    rest = [line for line in lines[i + 1 :] if line.strip()]
    if not rest or len(rest) > 6:
        return False
    text = "\n".join(rest)
    return bool(quotes.LIST_WORDS.search(text)) or bool(
        quotes.URL.search(text) and quotes.EMAIL.search(text))


def is_device_footer(line: str) -> bool:
    """"Sent from my HTC", "Von meinem iPhone gesendet", "Obtener Outlook para Android", …"""
    line = re.sub(r"<?https?://\S+>?", "", line).strip().strip("_-*").strip()
    if not line or len(line.split()) > 12 or len(line) > 90:
        return False
    if quotes.FOOTER_APP.search(line) and quotes.FOOTER_PLATFORM.search(line) and \
            not line.endswith((".", "!", "?")) and not _PERSONAL.search(line):
        return True  # an app's advert, not the writer saying where they wrote from
    return bool(quotes.FOOTER_PHRASE.search(line) and quotes.FOOTER_DEVICE.search(line))


def _trim_tail(kept: list[str], result: CleanText) -> None:
    """Blank lines, rules and device footers at the end are not the writer's words."""
    while kept:
        last = kept[-1]
        if not last.strip() or quotes.RULE.match(last):
            kept.pop()
        elif is_device_footer(last):
            kept.pop()
            result.had_signature = True
        else:
            break


def clean_body(text: str) -> CleanText:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    result = CleanText(body="")
    kept: list[str] = []
    quoted: list[str] = []
    cut = False
    i = 0
    while i < len(lines):
        line = lines[i]
        framed = quotes.framed_kind(line)
        if framed == "forward" or quotes.FORWARD_SENTENCE.match(_unquoted(line)):
            result.had_forward = cut = True
            break
        if framed == "original":
            result.had_quote = cut = True
            break
        end = attribution_end(lines, i)
        if end is not None:
            result.had_quote = True
            after = _next_text(lines, end + 1)
            if after < len(lines) and lines[after].lstrip().startswith(">"):
                i = end + 1  # maybe answered between the quotes: drop only the quote
                cut = True
                continue
            cut = True
            break
        header_start = header_block_start(lines, i)
        if header_start is not None:
            if i > header_start:
                del kept[len(kept) - (i - header_start):]
            result.had_quote = cut = True
            break
        if quotes.RULE.match(line) and _list_footer_at(lines, i):
            result.had_signature = True
            break
        if line.lstrip().startswith(">"):
            result.had_quote = True
            quoted.append(_unquoted(line))
            i += 1
            continue
        if quotes.SIGNATURE_DELIMITER.match(line):
            result.had_signature = True
            break
        kept.append(line.rstrip())
        i += 1
    _trim_tail(kept, result)
    body = "\n".join(kept).strip("\n")
    if not body.strip() and quoted and not cut:
        # Nothing but a quotation, with no one's attribution: the quote is the message.
        body = "\n".join(quoted)
    body = re.sub(r"\n{3,}", "\n\n", body)
    result.body = body.strip()
    return result


def fold_whitespace(text: str) -> str:
    return " ".join(text.split())


def body_hash(text: str) -> str:
    return hashlib.sha256(fold_whitespace(text).encode("utf-8")).hexdigest()


_SUBJECT_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|wg|sv|vs|tr|rv|rif|res|enc|odp|pd|ynt|antw|doorst|vb|ответ|отв"
    r"|回复|回覆|答复|转发|轉寄)\s*(\[\d+\])?\s*[:：]\s*)+", re.I)


def normalise_subject(subject: str) -> str:
    return fold_whitespace(_SUBJECT_PREFIX.sub("", subject or "")).lower()


def is_forward_subject(subject: str) -> bool:
    return bool(re.match(r"^\s*(fw|fwd|wg|tr|rv|enc|doorst|vb|pd|i|转发|轉寄)\s*[:：]",
                         subject or "", re.I))
