"""When every draft the model wrote fails the checks, the request itself, written as an
email (``trainer.literal``), in the user's greeting and sign-off: it says all that was
asked and makes nothing up. The model then writes on from it, through the same prompt,
examples and adapter, and what it adds in the user's voice (the question that moves things
on, the closing line they always write) stays where the checks say it makes nothing up and
passes nothing on. Drafting and evaluation both apply it after revision, so the scores are
those of what the user is shown."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from trainer.checks import DraftCheck, body_lines, passes_request_on
from trainer.engine.chat import plain_text
from trainer.facts import COMMON, fact_keys, mentioned
from trainer.grounding import stems
from trainer.literal import capitalised_as_in, literal_body
from trainer.phrasing import NO_PHRASEBOOK, Phrasebook
from trainer.revise import EmailParts, body_sentences, says_its_own

# Below this share of the request's content words, a draft is about something else.
MIN_COVERAGE = 0.5
_INSTRUCTION_WORDS = {"tell", "ask", "let", "know", "remind", "thank", "reply", "say",
                      "whether", "confirm", "decline", "invite", "send", "mention", "email",
                      "write", "them", "him", "her", "they", "when", "what"}
_ENGLISH = {"the", "and", "to", "of", "a", "is", "in", "for", "you", "that", "it", "we",
            "on", "with", "be", "are", "i", "this", "will", "have", "at", "your", "can"}


def _stems(text: str) -> set[str]:
    # "we'd", "I'll", "it's": a pronoun and an auxiliary, not what the request is about
    words = (re.sub(r"['’]s$", "", w) for w in re.findall(r"[a-z][a-z'’-]{2,}", text.lower()))
    return {w[:5] for w in words if len(w) > 2 and w not in COMMON
            and w not in _INSTRUCTION_WORDS and re.split(r"['’]", w)[0] not in COMMON}


def coverage(draft: str, instruction: str, names: Sequence[str] = ()) -> float:
    """The share of the request's content words (by their first five letters) that the
    body of the draft uses: the greeting and the person's name do not count."""
    wanted = _stems(instruction) - {n.lower()[:5] for n in names}
    if not wanted:
        return 1.0
    return len(wanted & _stems("\n".join(body_lines(draft)))) / len(wanted)


# A draft many times longer than the request rambles (the 135M model fills its budget
# with talk around a one-line reminder).
MAX_WORDS_PER_REQUEST_WORD = 6
MIN_WORD_LIMIT = 80


def rambles(draft: str, instruction: str) -> bool:
    limit = max(MIN_WORD_LIMIT, MAX_WORDS_PER_REQUEST_WORD * len(instruction.split()))
    return len(re.findall(r"\w+", "\n".join(body_lines(draft)))) > limit


def sendable(draft: str, check: DraftCheck, instruction: str,
             names: Sequence[str] = ()) -> bool:
    return not (check.defects or check.facts_missing or check.made_up or check.acts_missing
                or check.unasked_talk) \
        and coverage(draft, instruction, names) >= MIN_COVERAGE and not rambles(draft, instruction)


def mostly_english(texts: Sequence[str]) -> bool:
    """Whether the user writes in English (their examples; without any, assume so)."""
    words = re.findall(r"[a-z']+", " ".join(texts).lower())
    return not words or sum(w in _ENGLISH for w in words) / len(words) >= 0.12


@dataclass
class Fallback:
    text: str
    check: DraftCheck
    greeting: str = ""
    body: str = ""  # the request as the email's body, before the model wrote on
    added: list[str] = field(default_factory=list)  # the model's sentences kept after it


def literal_fallback(draft: str, check: DraftCheck, *, instruction: str,
                     greeting: str | None, sign_off: str,
                     check_text: Callable[[str], DraftCheck],
                     examples: Sequence[str] = (), names: Sequence[str] = (),
                     phrasebook: Phrasebook = NO_PHRASEBOOK, thread: str = "") -> Fallback | None:
    """The request as an email, in the user's phrasing (``phrasebook``), where ``draft``
    is not one to send and it is better. ``thread``: the email replied to, whose names
    the request may type in lower case."""
    if sendable(draft, check, instruction, names) or not mostly_english(examples):
        return None
    first = [w.strip(".,") for n in names for w in n.split()
             if w.strip(".,").lower() not in ("dr", "mr", "mrs", "ms", "prof")]
    body = literal_body(instruction, phrasebook, reader=first[0] if first else "")
    if body is None:
        return None
    body = capitalised_as_in(body, thread)
    text = "\n\n".join(part.strip() for part in (greeting or "", body, sign_off)
                       if part and part.strip())
    literal = check_text(text)
    # The person's own name is in the greeting, where the user greets at all.
    named = {f"p:{n.lower().strip('.,')}" for n in names}
    worse = (len(literal.made_up) > len(check.made_up)
             or len(set(literal.facts_missing) - named) > len(set(check.facts_missing) - named)
             or len(literal.acts_missing) > len(check.acts_missing)
             or len(literal.unasked_talk) > len(check.unasked_talk))
    # Unless it mends the draft's form (an empty draft, a header, assistant talk): a draft
    # with a defect the request's email lacks is never the better one.
    if worse and not (check.defects and not literal.defects):
        return None
    return Fallback(text, literal, (greeting or "").strip(), body)


# What the model may add after the request: a few sentences, at most about as many words
# again as the request's own email; past that it rambles away from what was asked.
WRITE_ON_TOKENS = 80
MAX_ADDED_SENTENCES = 3
MAX_ADDED_SHARE = 1.0
MIN_ADDED_WORDS = 25
# A sentence whose content words the email already has, this share of them or more,
# says nothing new.
REPEATED_SHARE = 0.8


def opening_for(fallback: Fallback) -> str:
    """The start the model writes on from: the greeting and the request's own email, then
    a paragraph break (the shaper of what it writes is fed this same text first)."""
    head = f"{fallback.greeting}\n\n" if fallback.greeting else ""
    return plain_text(f"{head}{fallback.body}\n\n")


def write_on(fallback: Fallback, written: str | None, *, instruction: str,
             check_text: Callable[[str], DraftCheck], sign_off: str = "",
             known: Sequence[str] = ()) -> Fallback:
    """``written``: the whole email the model wrote on from ``opening_for(fallback)``
    (shaped, its sign-off the user's). Its new sentences are added in order while each
    leaves the draft as sound as the request alone (nothing made up, nothing asked for
    lost, no defect, not the request passed on or said again) and within the length cap;
    the first that does not ends the additions, since what follows it may lean on it.

    Stricter than the draft checks, a sentence names no fact (name, number, date) beyond
    the request, the email so far and ``known`` (the email replied to, the user's
    profile): the retrieved examples the checks allow are other emails' facts, and a
    sentence added to a finished request has no business repeating them."""
    if not written:
        return fallback
    allowed = mentioned(instruction) | mentioned(fallback.text)
    for text in known:
        allowed |= mentioned(text)
    given = {_folded(s) for s in body_sentences(fallback.text, sign_off)}
    room = max(MIN_ADDED_WORDS, MAX_ADDED_SHARE * len(fallback.body.split()))
    parts = EmailParts.split(fallback.text, sign_off)
    while parts.body and not parts.body[-1].strip():
        parts.body.pop()
    result = fallback
    used = 0
    for sentence in body_sentences(written, sign_off):
        if _folded(sentence) in given:
            continue
        size = len(sentence.split())
        if len(result.added) >= MAX_ADDED_SENTENCES or used + size > room \
                or passes_request_on(sentence) or _GREETS.match(sentence) \
                or not says_its_own(sentence, instruction) \
                or _repeats(sentence, [*given, *result.added]) \
                or _says_again(sentence, result.text) \
                or fact_keys(sentence) - allowed:
            break
        added = [*result.added, sentence]
        text = EmailParts(parts.head, [*parts.body, "", " ".join(added)], parts.tail).text()
        checked = check_text(text)
        if checked.defects or not checked.no_worse_than(fallback.check):
            break
        result = replace(result, text=text, check=checked, added=added)
        given.add(_folded(sentence))
        used += size
    return result


# A new email begun after the first: "Hi Stan, hope you are well."
_GREETS = re.compile(r"\s*(?:hi|hello|hey|dear|(?:good\s+)?(?:morning|afternoon|evening))\b",
                     re.I)


def _folded(sentence: str) -> str:
    return " ".join(re.findall(r"\w+", sentence.lower()))


def _says_again(sentence: str, email: str) -> bool:
    """What the email already says, said again in other words: its figures ("Yes, 3%
    pension remains the minimum.", after asking whether it does), or its content words
    across sentences ("Rota ends Friday 23 October, work parties start 3 November.", after
    the list that says each)."""
    numbers = {key for key in fact_keys(sentence) if key.startswith("n:")}
    if numbers and numbers <= mentioned(email):
        return True
    mine = stems(sentence)
    return len(mine) >= 2 and len(mine & stems(email)) >= REPEATED_SHARE * len(mine)


def _repeats(sentence: str, earlier: Sequence[str]) -> bool:
    """Mostly the words of a sentence the email already has (a small model's loop, or the
    request's facts said again: "25-year lease, 71 volunteers, 19 stalls.")."""
    mine = set(_folded(sentence).split())
    return any(mine and len(mine & set(_folded(e).split())) / len(mine) >= 0.7 for e in earlier)
