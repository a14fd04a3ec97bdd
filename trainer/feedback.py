"""Edit-and-learn: drafts the user accepted, as they finally sent them, for the next run.

Stored as JSON lines in ``<home>/trainer/feedback.jsonl``. An entry is pending until an
adapter trained on it is registered (the registry records the feedback ids it used).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from filelock import FileLock

from store.settings import data_home
from trainer.engine.prompts import PromptRequest, ThreadMessage


@dataclass
class Feedback:
    instruction: str
    text: str  # the user's final text, after their edits
    subject: str = ""
    recipient: str = ""
    reply_to: dict | None = None  # a ThreadMessage as a dict
    draft: str = ""  # what the model proposed, to see how much the user changed
    model: str = ""
    ident: str = field(default_factory=lambda: "fb-" + uuid.uuid4().hex[:12])
    created: float = field(default_factory=time.time)

    def request(self) -> PromptRequest:
        """The request the user drafted from, as training reads it (trainer.dataset)."""
        thread = ThreadMessage(**self.reply_to) if self.reply_to else None
        return PromptRequest(instruction=self.instruction, reply_to=thread,
                             recipient="" if thread else self.recipient)


def feedback_file(home: Path | None = None) -> Path:
    return (home or data_home()) / "trainer" / "feedback.jsonl"


def record_feedback(entry: Feedback, home: Path | None = None) -> Feedback:
    if not entry.instruction.strip() or not entry.text.strip():
        raise ValueError("feedback needs both the instruction and the final text")
    path = feedback_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path), path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
    return entry


def _locked(path: Path) -> FileLock:
    """The file's lock: an Accept appending and a forget rewriting it never interleave."""
    return FileLock(str(path.with_suffix(".lock")), timeout=30)


def load_feedback(home: Path | None = None) -> list[Feedback]:
    path = feedback_file(home)
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(Feedback(**json.loads(line)))
        except (json.JSONDecodeError, TypeError):
            continue  # a line cut by a crash mid-write: the rest is intact
    return entries


def pending_feedback(trained_ids: set[str], home: Path | None = None) -> list[Feedback]:
    return [entry for entry in load_feedback(home) if entry.ident not in trained_ids]


def drop_quotes_from(address: str, home: Path | None = None) -> int:
    """Forgetting a sender: accepted drafts keep the user's own text, but the email of
    theirs it replied to is removed from them. Returns how many entries changed."""
    address = address.strip().lower()
    path = feedback_file(home)
    if not path.exists():
        return 0
    with _locked(path):
        entries = load_feedback(home)
        changed = 0
        for entry in entries:
            sender = (entry.reply_to or {}).get("sender", "")
            if entry.reply_to and address and address in sender.lower():
                entry.reply_to = None
                changed += 1
        if changed:
            tmp = path.with_suffix(".tmp")
            tmp.write_text("".join(json.dumps(asdict(e), ensure_ascii=False) + "\n"
                                   for e in entries), encoding="utf-8")
            tmp.replace(path)
    return changed
