"""The user's own phrasing, counted in the mail they sent: whether they write "Thanks for",
"Cheers for" or "Thank you for", "Can you …?" or "Could you …?", "I've attached" or
"Please find attached", and whether they use exclamation marks at all. When the request itself is
written as the email (``trainer.literal``), each sentence takes the form the user writes
most, so the words are the request's and the way of saying them is the user's.

No model: counts over the user's sent mail (in evaluation, only the emails training saw).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from trainer.facts import everyday_words
from trainer.grounding import usual_words

# A form must be seen at least this often, and more often than the default form, before it
# replaces it: one "Cheers for" in a hundred emails is not a habit.
MIN_USES = 2
# Below this many exclamation marks per email, the user does not exclaim: "Congratulations
# on the award." rather than "…award!".
EXCLAIM_RATE = 0.1
# From this share of emails with a numbered list ("1. …", "2. …"), the user numbers what
# they list.
LIST_RATE = 0.2
_FIRST_ITEM = re.compile(r"^\s*1[.)]\s", re.M)
_SECOND_ITEM = re.compile(r"^\s*2[.)]\s", re.M)


def _normal(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


@lru_cache(maxsize=512)
def _pattern(key: str) -> re.Pattern:
    return re.compile(rf"(?<![\w']){re.escape(key)}(?![\w'])")


def key_of(form: str) -> str:
    """What a form says before the request's words: "cheers for {x}." → "cheers for"."""
    head = form.split("{x}")[0] if "{x}" in form else form
    return _normal(head).strip().rstrip(".!?,—– ").strip()


class Phrasebook:
    """Counts of the user's phrases over their sent emails."""

    def __init__(self, emails: Iterable[str] = ()):
        texts = [t for t in emails if t and t.strip()]
        self.emails = len(texts)
        self._corpus = _normal("\n\n".join(texts))
        self._counts: dict[str, int] = {}
        # The words the user writes as everyday ones, not names (``trainer.facts``).
        self.everyday = everyday_words(texts)
        # The words they write in a fifth of their emails or more (``trainer.grounding``).
        self.usual = usual_words(texts)
        numbered = sum(bool(_FIRST_ITEM.search(t) and _SECOND_ITEM.search(t)) for t in texts)
        self.numbers_lists = bool(texts) and numbered >= LIST_RATE * len(texts)

    def uses(self, phrase: str) -> int:
        key = _normal(phrase).strip()
        if not key:
            return 0
        if key not in self._counts:
            self._counts[key] = len(_pattern(key).findall(self._corpus))
        return self._counts[key]

    @property
    def exclaims(self) -> bool:
        """Whether the user uses exclamation marks (assumed so with no mail to read)."""
        return not self.emails or self._corpus.count("!") / self.emails >= EXCLAIM_RATE

    def pick(self, forms: Sequence[str]) -> str:
        """The form the user writes most; the first (the default) unless another is a
        habit of theirs. A form inside a longer one ("let me know if" in "could you let me
        know if") counts only where it stands alone."""
        keys = [key_of(form) for form in forms]

        def alone(key: str) -> int:
            return self.uses(key) - sum(self.uses(other) for other in set(keys)
                                        if other != key and key in other)
        best, best_uses = forms[0], alone(keys[0])
        floor = max(MIN_USES, best_uses + 1)
        for form, key in zip(forms[1:], keys[1:], strict=True):
            uses = alone(key)
            if uses >= floor and uses > best_uses:
                best, best_uses = form, uses
        return best

    def punctuate(self, sentence: str) -> str:
        """An exclamation mark ends the sentence only for a user who writes them."""
        if sentence.endswith("!") and not self.exclaims:
            return sentence.rstrip("!").rstrip() + "."
        return sentence


NO_PHRASEBOOK = Phrasebook()
