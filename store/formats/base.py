from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from store.mail import MailRecord


@dataclass
class DocumentRecord:
    title: str
    text: str
    date: datetime | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class SourceItem:
    """One message (or document) inside a source, not yet parsed."""

    locator: str  # where in the source: an mbox byte offset, a Maildir key, a file name
    raw: bytes  # the bytes that identify it; hashed to recognise it on the next import
    parse: Callable[[], MailRecord | DocumentRecord]
    folder: str = ""


@dataclass
class Problem:
    file: str
    reason: str


@dataclass
class Source:
    path: Path
    format: str  # mbox, maildir, emlfolder, msg, pst, document
    folder: str
    items: Callable[[], Iterator[SourceItem]]
    count: Callable[[], int]
    kind: str = "email"  # or "document"
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_sent_folder(self) -> bool:
        return is_sent_folder_name(self.folder)


_SENT = re.compile(
    r"(^|[\W_])(sent|sent[ _-]?(items|mail|messages)|gesendet\w*|envoy[ée]s?|enviados|inviata|verzonden)($|[\W_])",
    re.I,
)


def is_sent_folder_name(name: str) -> bool:
    return bool(_SENT.search(name or ""))
