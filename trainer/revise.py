"""Put back what a draft left out: for a fact of the request that the draft does not carry,
the model writes a short email from just the part of the request that holds it, and the
sentence of that email that says it goes into the draft (in place of the draft's own
sentence about the same thing, or as a paragraph before the sign-off). A change is kept
only when the checks say the draft got better: more of what was asked, nothing new made
up, no new defect. Nothing here writes words of its own: every sentence comes from the
model, in the user's voice, through the same prompt as the draft; at most its first words
are the fact as the user's request wrote it ("Thursday 22nd at 9am …").

Drafting and evaluation both call ``fill_missing_facts``; what generates the short email
is theirs to give (the runtime, its adapter and the retrieved examples).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from trainer.checks import DraftCheck, passes_request_on
from trainer.engine.chat import plain_text
from trainer.engine.shaping import CLOSING, plain
from trainer.facts import COMMON, fact_keys, mentioned, surface
from trainer.greetings import parse_greeting
from trainer.grounding import sentences

# A request's parts: clauses a person separates with ";", a new line, a full stop or "then".
_PARTS = re.compile(r"\s*(?:[;\n]+|(?<=[.!?])\s+|,?\s+(?:and\s+)?then\s+)(?:then\s+)?\s*",
                    re.I)
# A part's clauses: commas, colons, brackets and dashes, never inside "£1,040" or "9:30".
_CLAUSES = re.compile(r"\s*(?:(?<!\d)[,:](?!\d)|[,:](?=\s)|[(){}]|\s[—–-]\s)\s*")


# Tokens for the short email a fill asks for: its subject and greeting are given, and the
# sentence that carries the fact comes early; a rambling model is cut off here.
FILL_TOKENS = 120
# A sentence put into the draft says at least this many words the request did not, or is
# long enough to be a sentence: a bare "£14.20 an hour." or "Trustees," carries the fact
# but is no sentence of an email; "Thursday 10:30 at Lucia's café works." is one.
OWN_WORDS = 2
SENTENCE_WORDS = 6


@dataclass(frozen=True)
class FillAsk:
    """One short email asked of the model: the part of the request it is about, the words
    its first sentence begins with (the fact, as the request writes it; empty leaves the
    model free), and which try this is (for a seed)."""

    part: str
    start: str = ""
    attempt: int = 0


@dataclass
class Filled:
    text: str
    check: DraftCheck
    added: list[str] = field(default_factory=list)  # fact keys the fill put back
    sentences: list[str] = field(default_factory=list)  # and the sentences that say them
    tries: int = 0
    seconds: float = 0.0


def forced_opening(subject: str, greeting: str | None, replying: bool) -> str:
    """The start of the short email, written for the model in the form it was trained on
    (subject line, greeting): its own subject line is where a small model likes to put the
    very fact asked for, and then the body need not say it. With this given, the body
    does."""
    head = "" if replying or not subject.strip() else f"Subject: {subject.strip()}\n\n"
    return plain_text(head + (f"{greeting.strip()}\n\n" if greeting and greeting.strip()
                              else ""))


def request_parts(instruction: str) -> list[str]:
    return [part.strip(" ,") for part in _PARTS.split(instruction) if part.strip(" ,")]


def part_asking(key: str, instruction: str) -> str:
    """The part of the request that holds ``key``; the whole request if none does alone."""
    for part in request_parts(instruction):
        if key in mentioned(part):
            return part
    return instruction


def narrow_part(key: str, part: str) -> str:
    """The clause of ``part`` that holds ``key``, after the part's lead ("ask Priya to check
    the budget by Friday: is £13.50 too near £13.45"): a long part gave a small model too
    much to say, and the fact was lost in it."""
    clauses = [c.strip() for c in _CLAUSES.split(part) if c and c.strip()]
    holding = [c for c in clauses if key in mentioned(c)]
    if len(clauses) < 2 or not holding:
        return part
    clause, lead = holding[0], clauses[0]
    return clause if clause == lead else f"{lead}: {clause}"


def fact_start(keys: list[str], part: str) -> str:
    """The words of ``part`` that say ``keys``, for a sentence to begin with: the span from
    the first to the last where it is short ("Thursday 22nd at 9am"), else the first."""
    spans = []
    for key in keys:
        said = surface(key, part)
        at = part.lower().find(said.lower())
        if at >= 0:
            if key.startswith("p:") and part[:at].lower().endswith("the "):
                at -= 4  # "the Pavilion"
            end = at + len(said)
            while end < len(part) and part[end].isalnum():
                end += 1  # "22" of "22nd"
            spans.append((at, end))
    if not spans:
        return ""
    spans.sort()
    start, end = spans[0][0], max(e for _, e in spans)
    text = part[start:end]
    if len(text.split()) > 6 or re.search(r"[;,:(]\s", text):
        text = part[spans[0][0]:spans[0][1]]
    return plain_text(text[:1].upper() + text[1:])


@dataclass
class EmailParts:
    """An email's lines in three parts; blank lines in the body are paragraph breaks."""

    head: list[str]
    body: list[str]
    tail: list[str]

    @classmethod
    def split(cls, text: str, sign_off: str = "") -> EmailParts:
        lines = text.strip().splitlines()
        start = 0
        opening = lines[0].strip() if lines else ""
        if parse_greeting(opening, bare=True) or (opening.endswith(",")
                                                  and _signed_name(opening[:-1])):
            start = 1  # "Hi Stan —", or a bare "David,"
        end = len(lines)
        first = plain(sign_off.splitlines()[0]) if sign_off.strip() else ""
        filled = [i for i, line in enumerate(lines) if line.strip() and i >= start]
        for i in reversed(filled[-4:]):
            line = lines[i].strip()
            if (first and plain(line) == first) or (CLOSING.match(line) and len(line) <= 30):
                end = i
                break
        else:
            # No closing word: a bare name on the last line, after a paragraph ("Phillip").
            last = filled[-1] if len(filled) > 1 else None
            if last is not None and _signed_name(lines[last]) and not lines[last - 1].strip():
                end = last
        return cls(lines[:start], lines[start:end], lines[end:])

    def without_tail(self) -> str:
        return EmailParts(self.head, self.body, []).text()

    def text(self) -> str:
        body = "\n".join(self.body).strip("\n")
        parts = ["\n".join(self.head).strip(), body, "\n".join(self.tail).strip()]
        return "\n\n".join(p for p in parts if p)


def _signed_name(line: str) -> bool:
    words = line.split()
    return (0 < len(words) <= 3 and all(w[:1].isupper() for w in words)
            and not re.search(r"[.!?,:;]$", line.strip()))


def body_sentences(text: str, sign_off: str = "") -> list[str]:
    return [s for line in EmailParts.split(text, sign_off).body for s in sentences(line)]


def merges(text: str, sentence: str, sign_off: str = "", added: Collection[str] = ()) -> list[str]:
    """Ways to put ``sentence`` into ``text``: in place of each sentence about the same thing
    (sharing a fact, or two content words: the draft said it with a fact wrong or missing),
    then as a new paragraph at the end of the body, or after the last paragraph's words
    where that paragraph is itself ``added`` (one paragraph, not one per fact put back)."""
    new_keys, new_words = fact_keys(sentence), _content_words(sentence)
    options: list[str] = []
    parts = EmailParts.split(text, sign_off)
    for n, line in enumerate(parts.body):
        for old in sentences(line):
            if new_keys & fact_keys(old) or len(new_words & _content_words(old)) >= 2:
                changed = EmailParts(parts.head, list(parts.body), parts.tail)
                changed.body[n] = line.replace(old, sentence, 1)
                options.append(changed.text())
    body = list(parts.body)
    while body and not body[-1].strip():
        body.pop()
    if body and sentences(body[-1]) and set(sentences(body[-1])) <= set(added):
        body[-1] = f"{body[-1].rstrip()} {sentence}"
        options.append(EmailParts(parts.head, body, parts.tail).text())
    else:
        options.append(EmailParts(parts.head, [*body, "", sentence] if body else [sentence],
                                  parts.tail).text())
    return options


def says_its_own(sentence: str, instruction: str) -> bool:
    """A sentence of an email, not the request's words again or a fragment of them."""
    if parse_greeting(sentence.strip()) or CLOSING.match(sentence.strip()):
        return False
    asked = set(re.findall(r"[a-z][a-z'’]*", instruction.lower()))
    words = re.findall(r"[a-z][a-z'’]*|\d[\d.,:/]*", sentence.lower())
    own = [w for w in words if w[0].isalpha() and w not in asked]
    return len(own) >= OWN_WORDS or len(words) >= SENTENCE_WORDS


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z'’-]{3,}", text.lower()) if w not in COMMON}


def better(new: DraftCheck, old: DraftCheck) -> bool:
    return len(new.facts_missing) < len(old.facts_missing) and new.no_worse_than(old)


def fill_missing_facts(text: str, check: DraftCheck, *, instruction: str,
                       write: Callable[[FillAsk], str | None],
                       check_text: Callable[[str], DraftCheck], sign_off: str = "",
                       deadline: float | None = None, tries_per_fact: int = 2) -> Filled:
    """``write(ask)`` returns a short email for ``ask`` (shaped, with the user's greeting
    and sign-off), or None when time is up; ``check_text`` checks a whole draft. Each
    missing fact gets up to ``tries_per_fact`` short emails, while ``deadline`` (a
    ``time.perf_counter()`` value) allows: the first, on the clause that holds the fact,
    begins with the fact itself in the request's words, so that it is said; the next, on the
    whole part, leaves the model free."""
    started = time.perf_counter()
    result = Filled(text, check)
    asked_parts: dict[str, list[str]] = {}
    wider: dict[str, str] = {}  # the whole part a narrowed one came from
    where: dict[str, int] = {}  # in the order the request says them
    for key in check.facts_missing:
        whole = part_asking(key, instruction)
        part = narrow_part(key, whole)
        asked_parts.setdefault(part, []).append(key)
        wider.setdefault(part, whole)
        at = instruction.lower().find(surface(key, instruction).lower())
        where[part] = min(where.get(part, len(instruction)), at if at >= 0 else len(instruction))
    for part, keys in sorted(asked_parts.items(), key=lambda item: where[item[0]]):
        for attempt in range(tries_per_fact):
            wanted = [k for k in keys if k in result.check.facts_missing]
            if not wanted:
                break
            if deadline is not None and time.perf_counter() >= deadline:
                result.seconds = time.perf_counter() - started
                return result
            # First the clause, beginning with the fact; then the whole part, the model free.
            ask = FillAsk(part, fact_start(wanted, part), attempt) if attempt == 0 else \
                FillAsk(wider[part], "", attempt)
            written = write(ask)
            result.tries += 1
            if not written:
                continue
            if _improve(result, written, wanted, check_text, sign_off, instruction):
                break
    result.seconds = time.perf_counter() - started
    return result


def _improve(result: Filled, written: str, keys: list[str],
             check_text: Callable[[str], DraftCheck], sign_off: str, instruction: str) -> bool:
    """Try each sentence of ``written`` that carries a missing fact, in each place it could
    go; keep the best change, if any is better than the draft."""
    wanted = set(keys) & set(result.check.facts_missing)
    best: tuple[str, DraftCheck, str] | None = None
    for sentence in body_sentences(written, sign_off):
        if (not wanted & mentioned(sentence) or sentence in result.text
                or not says_its_own(sentence, instruction)):
            continue
        for candidate in merges(result.text, sentence, sign_off, result.sentences):
            checked = check_text(candidate)
            if better(checked, result.check) and (best is None or _rank(checked)
                                                   < _rank(best[1])):
                best = (candidate, checked, sentence)
    if best is None:
        return False
    before = set(result.check.facts_missing)
    result.text, result.check, said = best
    result.sentences.append(said)
    result.added += sorted(before - set(result.check.facts_missing))
    return True


def _rank(check: DraftCheck) -> tuple[int, int, int]:
    return len(check.facts_missing), len(check.made_up), len(check.defects)


@dataclass
class Struck:
    text: str
    check: DraftCheck
    removed: list[str] = field(default_factory=list)  # the made-up fact keys taken out
    passed_on: int = 0  # sentences taken out that passed the request on
    talk: list[str] = field(default_factory=list)  # sentences taken out that no one asked for


def strike_invented(text: str, check: DraftCheck, *,
                    check_text: Callable[[str], DraftCheck], sign_off: str = "") -> Struck:
    """Take out sentences that carry a fact nothing gave (a date, an amount, a name the
    model made up), that say what nothing asked for ("I hope it doesn't take too long."),
    that pass the request on ("Tell Stan the panes arrived."), or that greet again inside
    the body ("Hi Trustees,"), or that copy the email replied to back, where the checks say the draft is better for it: fewer
    made-up facts, unasked sentences or defects, none of the asked facts lost, no new
    defect (an emptied draft is one)."""
    result = Struck(text, check)
    for sentence in reversed(body_sentences(text, sign_off)):
        made_up = fact_keys(sentence) & result.check.made_up
        passed_on = passes_request_on(sentence)
        unasked = sentence in result.check.unasked_talk or sentence in result.check.copied
        if not made_up and not passed_on and not unasked and not parse_greeting(sentence):
            continue
        # The clause that says it, where the rest of the sentence stands alone ("I'll keep
        # the table, and we can talk in the afternoon"); else the whole sentence.
        options = [_replaced(result.text, sentence, kept, sign_off)
                   for kept in _without_clause(sentence, made_up)] if made_up else []
        for shorter in [*options, _without(result.text, sentence, sign_off)]:
            checked = check_text(shorter)
            fewer = (len(checked.made_up) < len(result.check.made_up)
                     or len(checked.unasked_talk) < len(result.check.unasked_talk)
                     or len(checked.defects) < len(result.check.defects)
                     or len(checked.copied) < len(result.check.copied))
            if fewer and checked.no_worse_than(result.check):
                result.removed += sorted(result.check.made_up - checked.made_up)
                result.passed_on += passed_on
                result.talk += [s for s in result.check.unasked_talk
                                if s not in checked.unasked_talk]
                result.text, result.check = shorter, checked
                break
    return result


# Where a sentence joins clauses: ", and …", ", but …", "; …", " — …".
_CLAUSE_JOIN = re.compile(r",\s+(?:and|but|or|so|though|although|which)\s+|;\s+|\s+[—–]\s+")


def _without_clause(sentence: str, keys: set[str]) -> list[str]:
    """The sentence without the one clause that carries ``keys``, closed as it was."""
    end = sentence[-1] if sentence[-1:] in ".!?" else "."
    body = sentence[:-1] if sentence[-1:] in ".!?" else sentence
    pieces = re.split(f"({_CLAUSE_JOIN.pattern})", body)  # clause, joint, clause, …
    clauses, joints = pieces[0::2], pieces[1::2]
    options = []
    for n, clause in enumerate(clauses):
        if len(clauses) < 2 or not keys & fact_keys(clause):
            continue
        kept = [c for i, c in enumerate(clauses) if i != n]
        kept_joints = [j for i, j in enumerate(joints) if i != max(0, n - 1)]
        rest = kept[0] + "".join(j + c for j, c in zip(kept_joints, kept[1:], strict=False))
        rest = rest.strip(" ,;")
        if len(rest.split()) >= 3 and not keys & fact_keys(rest):
            options.append(rest[:1].upper() + rest[1:] + end)
    return options


def _without(text: str, sentence: str, sign_off: str) -> str:
    return _replaced(text, sentence, "", sign_off)


def _replaced(text: str, sentence: str, by: str, sign_off: str) -> str:
    """``text`` with ``sentence`` (of its body) said as ``by``, or taken out where ``by`` is
    empty."""
    parts = EmailParts.split(text, sign_off)
    for n, line in enumerate(parts.body):
        if sentence in sentences(line):
            parts.body[n] = re.sub(r"\s{2,}", " ", line.replace(sentence, by, 1)).strip()
            break
    body: list[str] = []
    for line in parts.body:  # no paragraph left empty, no double blank lines
        if line.strip() or (body and body[-1].strip()):
            body.append(line)
    return EmailParts(parts.head, body, parts.tail).text()
