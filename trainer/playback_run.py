"""Running playback over a whole mailbox: cached by content hash, resumable, with progress.

A pair is keyed by the hash of everything that shapes its instruction (method, subject,
body, recipients, the user's names), so re-running after an import only does new emails and
an interrupted run keeps everything committed before the interruption.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from store.jobs import CancelToken, PhaseMeter, ProgressCallback, ignore_progress
from store.settings import data_home
from trainer.facts import everyday_words
from trainer.playback import (
    METHOD,
    Check,
    EmailForPlayback,
    Instruction,
    check_instruction,
    make_instruction,
)


def email_key(email: EmailForPlayback, method: str = METHOD) -> str:
    material = json.dumps([method, email.subject, email.body, email.to, email.is_reply,
                           list(email.writer_names)], ensure_ascii=False)
    return hashlib.sha256(material.encode()).hexdigest()


class PlaybackCache:
    """Instructions already made, in ``<home>/trainer/playback.sqlite``."""

    def __init__(self, path: Path, read_only: bool = False):
        """``read_only``: instructions made now are kept in memory only (a process that
        does not own the home writes nothing in it)."""
        self.read_only = read_only
        self._made: dict[str, Instruction] = {}
        if read_only and path.exists():
            self.conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
            return
        if read_only:
            self.conn = sqlite3.connect(":memory:")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path)
        self.conn.execute("""CREATE TABLE IF NOT EXISTS pairs (
            key TEXT PRIMARY KEY, email_id TEXT, instruction TEXT, method TEXT, form TEXT,
            facts TEXT, echo INTEGER, meta INTEGER, invented TEXT, created REAL)""")

    def get(self, key: str, email_id: str) -> Instruction | None:
        if key in self._made:
            return self._made[key]
        row = self.conn.execute(
            "SELECT instruction, method, form, facts, echo, meta, invented FROM pairs WHERE key = ?",
            (key,)).fetchone()
        if row is None:
            return None
        text, method, form, facts, echo, meta, invented = row
        return Instruction(email_id, text, method, form, json.loads(facts),
                           Check(bool(echo), bool(meta), json.loads(invented)))

    def put(self, key: str, instruction: Instruction) -> None:
        if self.read_only:
            self._made[key] = instruction
            return
        check = instruction.check
        self.conn.execute(
            "INSERT OR REPLACE INTO pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, instruction.ident, instruction.text, instruction.method, instruction.form,
             json.dumps(instruction.facts), int(check.echo), int(check.meta),
             json.dumps(check.invented), time.time()))

    def commit(self) -> None:
        if not self.read_only:
            self.conn.commit()

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM pairs").fetchone()[0]

    def keep_only(self, email_ids: set[str]) -> int:
        """Delete the instructions of every email not in ``email_ids`` (forgotten mail: its
        instruction quotes facts from it); returns how many rows went."""
        stale = [(ident,) for (ident,) in self.conn.execute("SELECT DISTINCT email_id FROM pairs")
                 if ident not in email_ids]
        before = self.count()
        self.conn.executemany("DELETE FROM pairs WHERE email_id = ?", stale)
        self.conn.commit()
        return before - self.count()

    def rows(self) -> Iterator[dict]:
        """Every cached instruction as a plain record, oldest first (for export)."""
        cursor = self.conn.execute("SELECT * FROM pairs ORDER BY created")
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def close(self) -> None:
        self.conn.commit()
        self.conn.close()


def playback_cache_file(home: Path | None = None) -> Path:
    return (home or data_home()) / "trainer" / "playback.sqlite"


def playback_cache(home: Path | None = None, read_only: bool = False) -> PlaybackCache:
    """The user's cache, ``<home>/trainer/playback.sqlite``."""
    return PlaybackCache(playback_cache_file(home), read_only=read_only)


@dataclass
class PlaybackReport:
    emails: int = 0
    usable: int = 0
    echo: int = 0
    meta: int = 0
    invented: int = 0
    cached: int = 0
    seconds: float = 0.0
    methods: dict[str, int] = field(default_factory=dict)
    forms: dict[str, int] = field(default_factory=dict)
    examples: list[dict] = field(default_factory=list)

    @property
    def usable_share(self) -> float:
        return self.usable / self.emails if self.emails else 0.0

    @property
    def emails_per_min(self) -> float:
        made = self.emails - self.cached
        return 60.0 * made / self.seconds if self.seconds and made else 0.0

    def count(self, instruction: Instruction) -> None:
        check = instruction.check
        self.emails += 1
        self.usable += check.usable
        self.echo += check.echo
        self.meta += check.meta
        self.invented += bool(check.invented)
        self.methods[instruction.method] = self.methods.get(instruction.method, 0) + 1
        self.forms[instruction.form] = self.forms.get(instruction.form, 0) + 1
        if len(self.examples) < 5:
            self.examples.append({"id": instruction.ident, "instruction": instruction.text,
                                  "usable": check.usable})

    def to_json(self) -> dict:
        data = asdict(self)
        data["usable_share"] = round(self.usable_share, 4)
        data["emails_per_min"] = round(self.emails_per_min, 1)
        data["seconds"] = round(self.seconds, 2)
        return data


def playback(emails: list[EmailForPlayback], keyphrases=None, *,
             cache: PlaybackCache | None = None, progress: ProgressCallback = ignore_progress,
             cancel: CancelToken | None = None, commit_every: int = 25,
             ) -> tuple[list[Instruction], PlaybackReport]:
    """The instruction behind each email, with its quality check attached."""
    report = PlaybackReport()
    everyday = everyday_words(email.body for email in emails)
    meter = PhaseMeter("playback", len(emails), progress)
    started = time.monotonic()
    out: list[Instruction] = []
    try:
        for email in emails:
            if cancel is not None:
                cancel.raise_if_cancelled()
            key = email_key(email)
            instruction = cache.get(key, email.ident) if cache is not None else None
            if instruction is not None:
                report.cached += 1
            else:
                instruction = make_instruction(email, keyphrases, everyday)
                instruction.check = check_instruction(instruction.text, email)
                if cache is not None:
                    cache.put(key, instruction)
                    if (len(out) + 1) % commit_every == 0:
                        cache.commit()
            report.count(instruction)
            out.append(instruction)
            meter.advance()
    finally:
        if cache is not None:
            cache.commit()
        report.seconds = time.monotonic() - started
        meter.finish()
    return out, report
