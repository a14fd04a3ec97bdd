"""From the user's own emails to training pairs and a held-out set.

The split is chronological: the newest share of emails is held out and never trained on, so
evaluation asks the honest question (does the adapter write the user's *next* emails better?).
A share of the training pairs carries retrieved context, found by the same function and laid
out by the same prompt builder as in drafting, because an adapter trained without context got
worse when drafting added it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field

from trainer.engine.context import context_query, retrieve_own_emails
from trainer.engine.prompts import PromptRequest, ThreadMessage
from trainer.playback import EmailForPlayback, Instruction

# Too short to carry a style, or too long for a small model's training window.
MIN_WORDS, MAX_WORDS = 5, 600
# The replied-to email is shown shortened: it is context, not what the adapter learns.
THREAD_WORDS = 120


def own_emails(store) -> list[EmailForPlayback]:
    """Own, cleaned, non-forward, non-automatic emails, oldest first."""
    conn = store.catalogue.conn
    rows = conn.execute(
        """SELECT uid, body, subject, to_addrs, in_reply_to, from_name, date FROM messages
           WHERE is_own = 1 AND body != '' AND is_forward = 0 AND is_auto_reply = 0
           ORDER BY date, id""").fetchall()
    names = _writer_names(conn)
    emails = []
    for row in rows:
        words = len(row["body"].split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            continue
        is_reply = bool(row["in_reply_to"]) or row["subject"].lower().startswith("re:")
        to = json.loads(row["to_addrs"])
        emails.append(EmailForPlayback(row["uid"], row["body"], row["subject"], to, is_reply,
                                       names, row["date"], row["in_reply_to"] or "",
                                       to[0] if to else ""))
    return emails


def _writer_names(conn) -> tuple[str, ...]:
    """The user's own name parts (from their From headers), never to be a third party."""
    names: set[str] = set()
    for from_name, address in conn.execute(
            "SELECT DISTINCT from_name, from_addr FROM messages WHERE is_own = 1"):
        names.update(re.findall(r"[A-Z][a-z]+", from_name or ""))
        # "phillip.allen@..." says the name even when the From header has none.
        local = (address or "").split("@")[0]
        names.update(part.capitalize() for part in re.split(r"[._-]+", local)
                     if part.isalpha() and len(part) >= 3)
    return tuple(sorted(names))


@dataclass
class TrainingPair:
    """One instruction and the email that answers it, as the prompt builder will show it."""

    email_id: str
    request: PromptRequest
    completion: str
    date: float | None = None
    source: str = "playback"  # or "feedback"

    @property
    def with_context(self) -> bool:
        return bool(self.request.examples)


@dataclass
class Dataset:
    train: list[TrainingPair]
    held_out: list[TrainingPair]
    skipped: Counter = field(default_factory=Counter)

    @property
    def snapshot(self) -> str:
        """A hash of what is trained on, recorded with the adapter."""
        digest = hashlib.sha256()
        for pair in self.train:
            digest.update(f"{pair.email_id}\0{pair.request.instruction}\0".encode())
            digest.update(pair.completion.encode())
        return digest.hexdigest()[:16]

    def summary(self) -> dict:
        return {"train": len(self.train), "held_out": len(self.held_out),
                "with_context": sum(p.with_context for p in self.train),
                "feedback": sum(p.source == "feedback" for p in self.train),
                "skipped": dict(self.skipped), "snapshot": self.snapshot}


def completion_for(subject: str, body: str, has_thread: bool) -> str:
    """What the model is asked to produce: without an email to reply to, the prompt builder
    asks for a subject line first."""
    body = body.strip()
    if has_thread or not subject.strip():
        return body
    return f"Subject: {subject.strip()}\n\n{body}"


def thread_for(store, email: EmailForPlayback) -> ThreadMessage | None:
    if not email.in_reply_to:
        return None
    row = store.catalogue.conn.execute(
        "SELECT body, subject, from_name, from_addr FROM messages WHERE rfc_message_id = ?",
        (email.in_reply_to,)).fetchone()
    if row is None or not row["body"].strip():
        return None
    words = row["body"].split(" ")
    text = row["body"]
    if len(words) > THREAD_WORDS:
        text = " ".join(words[:THREAD_WORDS]) + f" [… {len(words) - THREAD_WORDS} more words]"
    return ThreadMessage(text=text, sender=row["from_name"] or row["from_addr"],
                         subject=row["subject"])


def uses_context(email_id: str, share: float) -> bool:
    """A stable choice per email, so a resumed or repeated run builds the same pairs."""
    bucket = int(hashlib.sha1(email_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < share


def build_dataset(store, emails: list[EmailForPlayback], instructions: list[Instruction], *,
                  held_out_share: float = 0.2, context_share: float = 0.5, k: int = 3,
                  min_similarity: float = 0.25, feedback: list[TrainingPair] = (),
                  cancel=None) -> Dataset:
    """Pairs from usable instructions; the newest ``held_out_share`` of emails held out."""
    usable = []
    skipped: Counter = Counter()
    for email, instruction in zip(emails, instructions, strict=True):
        if instruction.check is not None and not instruction.check.usable:
            skipped["unusable instruction"] += 1
            continue
        usable.append((email, instruction))
    usable.sort(key=lambda pair: (pair[0].date or 0.0, pair[0].ident))
    held_count = round(len(usable) * held_out_share) if len(usable) >= 5 else 0
    cut = len(usable) - held_count
    held_ids = [email.ident for email, _ in usable[cut:]]
    train, held_out = [], []
    for position, (email, instruction) in enumerate(usable):
        if cancel is not None:  # a store.jobs.CancelToken: a forget waits for this
            cancel.raise_if_cancelled()
        thread = thread_for(store, email)
        request = PromptRequest(instruction=instruction.text, reply_to=thread,
                                recipient="" if thread else email.recipient)
        completion = completion_for(email.subject, email.body, thread is not None)
        pair = TrainingPair(email.ident, request, completion, email.date)
        if position >= cut:
            held_out.append(pair)
            continue
        if uses_context(email.ident, context_share):
            found = retrieve_own_emails(store, context_query(instruction.text, thread), k=k,
                                        min_similarity=min_similarity,
                                        exclude=[email.ident, *held_ids],
                                        prefer_to=email.to[0] if email.to else "",
                                        prefer_subject=thread.subject if thread else "")
            request.examples = [r.example for r in found]
        train.append(pair)
    train.extend(feedback)
    return Dataset(train, held_out, skipped)


def pair_from_feedback(entry) -> TrainingPair:
    """An accepted draft (``trainer.feedback.Feedback``) as a training pair: the request it
    was drafted from, and the user's final text as the completion."""
    request = entry.request()
    return TrainingPair(entry.ident, request,
                        completion_for(entry.subject, entry.text, request.reply_to is not None),
                        entry.created, source="feedback")
