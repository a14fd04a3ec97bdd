"""The user's own emails chosen as context for one instruction.

Drafting, training (retrieval-augmented examples) and evaluation all call this one function,
so an adapter is trained on exactly the kind of context it is later served with.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from store.settings import has_section, load_section, save_section
from trainer.engine.prompts import Example, Profile, ThreadMessage


@dataclass
class ContextSettings:
    """``[context]`` in settings.toml: how many own emails go into a prompt, and how close
    they must be. Drafting, training and evaluation read the same values."""

    k: int = 3
    min_similarity: float = 0.25

    @classmethod
    def load(cls, home: Path | None = None) -> ContextSettings:
        return load_section("context", cls, home)

    @classmethod
    def for_adapter(cls, entry: dict | None, home: Path | None = None) -> ContextSettings:
        """What drafting with this adapter uses: the user's own ``[context]`` if they set
        one, else what the evaluation after training picked for the adapter."""
        picked = (entry or {}).get("context")
        if has_section("context", home) or not picked:
            return cls.load(home)
        return cls(k=int(picked["k"]), min_similarity=float(picked["min_similarity"]))

    def save(self, home: Path | None = None) -> None:
        save_section("context", self, home)


@dataclass
class RetrievedEmail:
    example: Example
    similarity: float
    score: float
    snippet: str
    date: float | None = None


def context_query(instruction: str, thread: ThreadMessage | None = None) -> str:
    if thread is None:
        return instruction
    return f"{thread.subject}\n{instruction}\n{thread.text[:500]}"


LONG_EXAMPLE_WORDS = 250
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|tr|wg|rif|antw)\s*(?:\[\d+\])?\s*:\s*)+",
                           re.I)


def subject_words(subject: str) -> set[str]:
    """A subject's words without "Re:"/"Fwd:" prefixes (in several languages)."""
    return set(re.findall(r"\w{2,}", _REPLY_PREFIX.sub("", subject or "").lower()))


def same_topic(a: set[str], b: set[str]) -> bool:
    """Two subjects share most of their words: the same thread, or the same errand."""
    return bool(a and b) and len(a & b) / len(a | b) >= 0.5  # longer examples cost prompt time and crowd out the request


def retrieve_own_emails(store, query: str, *, k: int, min_similarity: float,
                        exclude: list[str] | tuple[str, ...] = (),
                        prefer_to: str = "", prefer_subject: str = "") -> list[RetrievedEmail]:
    """Up to ``k`` distinct own emails similar to ``query``; never those in ``exclude``.
    Among the similar ones, those the user wrote to ``prefer_to`` (how they write to this
    person) and on the subject ``prefer_subject`` (the thread replied to) come first, and
    short ones before long ones."""
    if store is None or k <= 0:
        return []
    from store.retrieval import SearchFilters

    hits = store.search(query, k=k * 3, filters=SearchFilters(
        own=True, kind="email", exclude=list(exclude)))
    found: list[RetrievedEmail] = []
    seen_bodies = set()
    for hit in hits:
        if hit.vector_similarity is None or hit.vector_similarity < min_similarity:
            continue
        row = store.message(hit.message_id)
        if row is None or not row["body"].strip() or row["body"] in seen_bodies:
            continue
        seen_bodies.add(row["body"])
        to = json.loads(row["to_addrs"])
        example = Example(text=row["body"], subject=row["subject"],
                          recipient=to[0] if to else "", score=hit.score, ident=row["uid"])
        found.append(RetrievedEmail(example, hit.vector_similarity, hit.score,
                                    " ".join(row["body"].split())[:240], row["date"]))
    wanted = prefer_to.strip().lower()
    topic = subject_words(prefer_subject)

    def rank(item: tuple[int, RetrievedEmail]) -> tuple[int, bool, int]:
        position, email = item
        same_person = bool(wanted and email.example.recipient.lower() == wanted)
        same_subject = bool(topic) and same_topic(topic, subject_words(email.example.subject))
        return (-(same_person + same_subject),
                len(email.example.text.split()) > LONG_EXAMPLE_WORDS, position)

    return [email for _, email in sorted(enumerate(found), key=rank)[:k]]


def profile_for(store, home: Path | None = None) -> Profile:
    """The saved profile (of ``home``, else the store's); without a name, the name the
    user's own mail is sent under, so the model never signs as a stranger."""
    profile = Profile.load(home or getattr(store, "home", None))
    if not profile.name and store is not None:
        row = store.catalogue.conn.execute(
            """SELECT from_name FROM messages WHERE is_own = 1 AND from_name != ''
               GROUP BY from_name ORDER BY COUNT(*) DESC LIMIT 1""").fetchone()
        if row is not None:
            profile.name = row[0].strip().strip('"')
    return profile
