"""Sentences that say what no one asked for: "It's a pleasure to talk with you." in a
reply that was to say yes, "I need this to finish my tax return." in a request for a fax.
They carry no figure or name for the fact checks to catch, yet they put words in the
user's mouth. A sentence is judged by its content words (without their endings, first
five letters, so "booked" meets "booking" and "suits" meets "suit"): those that neither
the request, nor the email replied to, nor the user's profile, nor the user's own everyday
vocabulary give it are its own. A sentence of some length with several such words, making
up a good share of it, says something of its own.

The user's everyday vocabulary is what a person says in any email ("let me know",
"cheers", "week"): the words in a fifth of their sent mail. Without mail, only the
request grounds a sentence, so nothing passes on borrowed talk."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence

# At least this many of a sentence's content words, and this share of them, given by
# nothing: one new word is how any sentence joins what was asked ("Sounds good, see you
# Thursday"); two that make up most of it are a thought of the model's own.
MIN_OWN_WORDS = 2
MIN_OWN_SHARE = 0.4
# Shorter sentences are the asides any email has ("Good news all round.", "No rush,
# whenever suits you."), not claims.
MIN_CLAIM_WORDS = 6
# A word is the user's everyday vocabulary where at least this share of their emails
# (and at least USUAL_MIN_EMAILS of them) use it: their greeting, sign-off and stock words.
# Below it are the topics they write about, which would ground any talk on them.
USUAL_SHARE = 0.2
USUAL_MIN_EMAILS = 3
STEM = 5

# Words that carry no content in any email, and thanks said any way. "Hope", "glad" and
# "tomorrow" do: "I hope it doesn't take too long" says something.
_FUNCTION = set("""a about above across after again against ago ahead all almost along
already although always am among amongst and another any anyone anything anyway are around
as at away back be because become been before being below beside besides between both but
by can cannot could did do does doing done down during each either else enough even ever
every everyone everything few for from further get gets getting give given go goes going
gone got had has have having he her here hers herself him himself his how however i if in
indeed instead into is it its itself just keep least less let like made make makes many
may me might mine more most much must my myself near need needs neither never no nobody
none nor not nothing now of off often on once one only onto or other others otherwise our
ours ourselves out over own per perhaps put quite rather really same say says see seem
seems shall she should since so some someone something sometimes soon still such take
than that the their theirs them themselves then there these they thing things this those
though through thus till to too toward towards under unless until up upon us use used
very via want wants was way we well were what whatever when whenever where whether which
while who whole whom whose why will with within without would yet you your yours
yourself yourselves lot lots bit sure okay ok yes thanks thank please sorry cheers
appreciate appreciated grateful advance doesn don
didn isn wasn aren won couldn wouldn shouldn haven hasn hadn weren""".split())
_WORD = re.compile(r"[a-z][a-z'’-]+")
# "suits" meets "suit", "booked" meets "booking": the endings go before the cut.
_ENDING = re.compile(r"(?:ing|ed|es|s)$")
# A full stop inside a number or an address ("9.30", "£1.5m", "jo@x.org") ends nothing.
_SENTENCES = re.compile(r"(?:[^.!?]|[.!?](?=[\w@]))+(?:[.!?]+[\"'’”)]*|$)")


def sentences(line: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.findall(line) if s.strip()]


def stems(text: str) -> set[str]:
    """Content words of ``text``, cut to their first letters; contractions and possessives
    ("it's", "Stan's", "doesn't") count by the word before the apostrophe."""
    found = set()
    for word in _WORD.findall(text.lower()):
        word = re.split(r"['’]", word)[0].strip("-")
        if len(word) < 3 or word in _FUNCTION:
            continue
        stem = _ENDING.sub("", word)
        if len(stem) >= 4:  # "booking" → "book", never "spring" → "spr"
            word = stem
        found.add(word[:STEM])
    return found


def usual_words(emails: Iterable[str]) -> frozenset[str]:
    """The stems a writer uses in a fifth of their emails or more: their everyday words."""
    counts: Counter[str] = Counter()
    total = 0
    for text in emails:
        if text and text.strip():
            total += 1
            counts.update(stems(text))
    floor = max(USUAL_MIN_EMAILS, USUAL_SHARE * total)
    return frozenset(stem for stem, n in counts.items() if n >= floor)


def unasked_sentences(sentences: Sequence[str], grounds: Sequence[str],
                      usual: Collection[str] = frozenset()) -> list[str]:
    """The sentences that say something none of ``grounds`` asked for or gave."""
    given: set[str] = set(usual)
    for text in grounds:
        given |= stems(text)
    found = []
    for sentence in sentences:
        if len(re.findall(r"[\w'’-]+", sentence)) < MIN_CLAIM_WORDS:
            continue
        mine = stems(sentence)
        own = mine - given
        if len(own) >= MIN_OWN_WORDS and len(own) >= MIN_OWN_SHARE * len(mine):
            found.append(sentence)
    return found
