"""When every draft the model wrote fails the checks, the request itself, written as an
email (``trainer.literal``), in the user's greeting and sign-off: it says all that was
asked and makes nothing up. Drafting and evaluation both apply it after revision, so the
scores are those of what the user is shown."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trainer.checks import DraftCheck, body_lines
from trainer.facts import COMMON
from trainer.literal import literal_body

# Below this share of the request's content words, a draft is about something else.
MIN_COVERAGE = 0.5
_INSTRUCTION_WORDS = {"tell", "ask", "let", "know", "remind", "thank", "reply", "say",
                      "whether", "confirm", "decline", "invite", "send", "mention", "email",
                      "write", "them", "him", "her", "they", "when", "what"}
_ENGLISH = {"the", "and", "to", "of", "a", "is", "in", "for", "you", "that", "it", "we",
            "on", "with", "be", "are", "i", "this", "will", "have", "at", "your", "can"}


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z][a-z'’-]{2,}", text.lower())
            if w not in COMMON and w not in _INSTRUCTION_WORDS}


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
    return not (check.defects or check.facts_missing or check.invented) and \
        coverage(draft, instruction, names) >= MIN_COVERAGE and not rambles(draft, instruction)


def mostly_english(texts: Sequence[str]) -> bool:
    """Whether the user writes in English (their examples; without any, assume so)."""
    words = re.findall(r"[a-z']+", " ".join(texts).lower())
    return not words or sum(w in _ENGLISH for w in words) / len(words) >= 0.12


@dataclass
class Fallback:
    text: str
    check: DraftCheck


def literal_fallback(draft: str, check: DraftCheck, *, instruction: str,
                     greeting: str | None, sign_off: str,
                     check_text: Callable[[str], DraftCheck],
                     examples: Sequence[str] = (), names: Sequence[str] = ()
                     ) -> Fallback | None:
    """The request as an email, where ``draft`` is not one to send and it is better."""
    if sendable(draft, check, instruction, names) or not mostly_english(examples):
        return None
    body = literal_body(instruction)
    if body is None:
        return None
    text = "\n\n".join(part.strip() for part in (greeting or "", body, sign_off)
                       if part and part.strip())
    literal = check_text(text)
    # The person's own name is in the greeting, where the user greets at all.
    named = {f"p:{n.lower().strip('.,')}" for n in names}
    if len(literal.invented) > len(check.invented) or \
            len(set(literal.facts_missing) - named) > len(set(check.facts_missing) - named):
        return None
    return Fallback(text, literal)
