"""The facts of a text that a draft must keep and must not make up: numbers and amounts,
times, dates, names, addresses. Playback builds its notes from them; the draft checks
compare them. Keys are normalised so "£1,840" and "1840", "Thurs" and "Thursday" meet."""

from __future__ import annotations

import re
from collections.abc import Collection

AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
MONEY = re.compile(rf"[£$€]\s?(?:{AMOUNT})(?:\s?(?:k|m|bn|million|thousand)\b)?", re.I)
PERCENT = re.compile(r"\b\d+(?:\.\d+)?\s?%")
TIME = re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b|\b\d{1,2}:\d{2}\b", re.I)
WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
         r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
DATE = re.compile(
    rf"\b(?:{WEEKDAY}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?(?:\s+{MONTH})?)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}(?:\s+\d{{4}})?"
    rf"|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|the\s+\d{{1,2}}(?:st|nd|rd|th))\b")
NUMBER = re.compile(rf"\b(?:{AMOUNT})\b")
PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)\b", re.M)
SENTENCE_START = re.compile(r"(?:(?<=[.!?]\s)|(?<=\n)|^)([A-Z][a-z]{2,})\b(?!['’])")
EMAIL_ADDRESS = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")

_DIGITS = re.compile(r"\d+(?:[.:]\d+)?")
_DAY_WORDS = re.compile(
    r"\b(?:(mon|tues?|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(day)?|"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"(uary|ruary|ch|il|e|y|ust|tember|ember|ober)?)s?\b", re.I)
_FULL_MONTHS = {"january", "february", "march", "april", "june", "july", "august",
                "september", "october", "november", "december"}
# Capitalised words that are not names (sentence openers, greetings, days are dates).
COMMON = set("""i the a an and but or so if then thanks thank please hi hello dear morning
hey best kind regards cheers yes no ok okay sure great good also just we you they he she it
this that these those there here my our your their his her its what when where which who
why how can could would should will shall may might must do does did is are was were be
been have has had let all any each every some many much more most other another such only
own same than too very not now today tomorrow tonight yesterday one two three four five
six seven eight nine ten first second next last new old sorry congratulations welcome
happy dr mr mrs ms re fw fwd subject as at by for from in into of on to up with about after
before over under again once see looking hope glad could attached enclosed below above
p.s ps note onward warmly love yours sincerely""".split())
# Words that open a sentence of an email without being anyone's name ("Right then, …",
# "Small wrinkle: …", "Sounds good."): only a sentence's first word is judged by these.
OPENERS = set("""right well fine lovely brilliant perfect excellent wonderful super fab
sounds looks seems quick small big short long quite really absolutely definitely certainly
anyway anyhow also meanwhile however otherwise still finally firstly secondly lastly
hopefully luckily unfortunately sadly frankly honestly apologies noted agreed understood
done shame alas oh ah ahh nice cool fair true great grand happy confirming confirmed
congrats reminder attached heads wishing many glad credit cheers following""".split())


def _numbers(text: str) -> set[str]:
    keys = set()
    for match in _DIGITS.finditer(text.replace(",", "")):
        value = match.group(0)
        keys.add(value.lstrip("0") or "0" if ":" not in value else value)
    return keys


def _day_words(text: str, lenient: bool = False) -> set[str]:
    """Weekdays and months. Full names count in any case; short forms ("Sat", "Mar") and
    "May" only capitalised and not opening a sentence, since "sat", "mar" and "may" are
    everyday words."""
    keys = set()
    for match in _DAY_WORDS.finditer(text):
        word = match.group(0)
        lowered = word.lower().removesuffix("s")
        day, month = match.group(1), match.group(3)
        full = (day and match.group(2)) or (month and lowered in _FULL_MONTHS)
        if not full and not lenient:
            before = text[:match.start()].rstrip()
            opens = not word[:1].isupper() or not before or before[-1] in ".!?\n"
            if opens and not re.match(r"\s*\d", text[match.end():]):
                continue
        if month and not full and match.group(4):
            continue  # "Mary", "Marie", "Junee": a prefix of a month, not one
        keys.add((day or month).lower()[:3])
    return keys


def everyday_words(texts) -> frozenset[str]:
    """Words a writer's mail writes in lower case more often than capitalised mid-sentence:
    "since", "regarding", "small", "perfect" are everyday words even where they open a
    sentence; "Keith", "Pavilion", "Houston" are names though some mail writes "keith"."""
    lower: dict[str, int] = {}
    capital: dict[str, int] = {}
    for text in texts:
        text = _ADDRESS_OR_LINK.sub(" ", text)
        for word in re.findall(r"\b[a-z][a-z'’-]+\b", text):
            lower[word] = lower.get(word, 0) + 1
        for word in re.findall(r"(?<=[a-z,;] )[A-Z][a-z'’-]+\b", text):
            capital[word.lower()] = capital.get(word.lower(), 0) + 1
    return frozenset(w for w, n in lower.items() if n > capital.get(w, 0))


_ADDRESS_OR_LINK = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")


def proper_names(text: str, everyday: Collection[str] = frozenset()) -> set[str]:
    """Capitalised words that are names: mid-sentence ones, and sentence openers the text
    never writes in lower case ("Nina will…" yes, "Could you…" no) and the writer does not
    use as an everyday word (``everyday_words``: "Regarding the lease, …")."""
    found: set[str] = set()
    for match in PROPER.finditer(text):
        for word in match.group(1).split():
            if word.lower() not in COMMON and not _DAY_WORDS.fullmatch(word):
                found.add(word.lower())
    lowered = text.lower()
    for match in SENTENCE_START.finditer(text):
        word = match.group(1)
        if word.lower() in COMMON or word.lower() in OPENERS or word.lower() in everyday \
                or _DAY_WORDS.fullmatch(word):
            continue
        if re.match(r"[.!]", text[match.end():match.end() + 1]):
            continue  # a sentence of one word: "Perfect." "Brilliant!" — not a name
        if not re.search(rf"(?<![A-Za-z]){re.escape(word.lower())}(?![A-Za-z])",
                         lowered.replace(word.lower(), "", 1)):
            found.add(word.lower())
    return found


# When, said without a date: "tomorrow", "next week", "early next week", "this afternoon",
# "over the weekend". A draft that says one the request did not is promising a time.
_RELATIVE = re.compile(
    r"\b(?:(?:in\s+the|this|tomorrow|tonight|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\s+"
    r"(?P<part>morning|afternoon|evening|night)"
    r"|(?P<day>today|tonight|tomorrow|yesterday)"
    r"|(?P<rel>this|next|last)\s+(?P<span>week(?:end)?|month|year)"
    r"|(?:early|later|end of|the end of|rest of|rest of the)\s+(?:the\s+)?(?P<rel2>this|next)?\s*"
    r"(?P<span2>week(?:end)?)"
    r"|(?:over|at|on)\s+the\s+(?P<weekend>weekend))\b", re.I)


def _relative(text: str) -> set[str]:
    keys = set()
    for m in _RELATIVE.finditer(text):
        if m.group("day"):
            keys.add(m.group("day").lower())
        elif m.group("span"):
            rel = m.group("rel").lower()
            keys.add(m.group("span").lower() if rel == "this" else f"{rel} {m.group('span')}")
        elif m.group("span2"):
            rel = (m.group("rel2") or "").lower()
            keys.add(f"next {m.group('span2')}" if rel == "next" else m.group("span2").lower())
        elif m.group("weekend"):
            keys.add("weekend")
        if m.group("part"):
            keys.add(m.group("part").lower())
            first = m.group(0).split()[0].lower()
            if first in ("tomorrow", "tonight"):
                keys.add(first)
    return {k.lower() for k in keys}


def fact_keys(text: str, *, names: bool = True, lenient: bool = False,
              everyday: Collection[str] = frozenset()) -> set[str]:
    """Normalised facts: "n:1840", "d:thu", "d:next week", "p:stan", "e:jo@x.org"."""
    keys = {f"n:{n}" for n in _numbers(text)} | {f"d:{d}" for d in _day_words(text, lenient)}
    keys |= {f"d:{d}" for d in _relative(text)}
    keys |= {f"e:{e.lower()}" for e in EMAIL_ADDRESS.findall(text)}
    if names:
        keys |= {f"p:{n}" for n in proper_names(text, everyday)}
    return keys


def mentioned(text: str) -> set[str]:
    """Every key a text could be said to mention, names in any case: what a typed request
    ("tell stan …") or a source offers, to check a draft's facts against."""
    words = set()
    for word in re.findall(r"[^\W\d_][\w'’-]*", text.lower()):
        # "Lucia's café": the name a draft's checks find is "lucia"; "O'Brien", "Smith-Jones"
        # are found by their parts as well
        word = re.sub(r"['’]s$", "", word).strip("'’-")
        words.update(f"p:{part}" for part in (word, *re.split(r"['’-]", word)) if part)
    return fact_keys(text, names=False, lenient=True) | words


def surface(key: str, text: str) -> str:
    """How ``text`` writes the fact ``key`` ("n:1840" → "£1,840"), for telling the user
    what a draft left out; the key's own value where the text does not have it."""
    kind, value = key.split(":", 1)
    if kind == "n":
        for pattern in (MONEY, PERCENT, TIME, NUMBER):
            for match in pattern.finditer(text):
                if value in _numbers(match.group(0)):
                    return match.group(0).strip()
    elif kind == "d":
        for match in _DAY_WORDS.finditer(text):
            if (match.group(1) or match.group(3) or "").lower()[:3] == value:
                return match.group(0)[:1].upper() + match.group(0)[1:]
    elif kind in ("p", "e"):
        match = re.search(rf"(?<![\w@.]){re.escape(value)}(?![\w@])", text, re.I)
        if match:
            found = match.group(0)
            return found[:1].upper() + found[1:] if kind == "p" else found
    return value
