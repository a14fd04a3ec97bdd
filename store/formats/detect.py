"""Find sources under the paths a user gave, deciding each file's format from its content."""

from __future__ import annotations

import os
import re
from pathlib import Path

from store.formats.base import Problem, Source, SourceItem
from store.formats.documents import (
    read_docx_document,
    read_html_document,
    read_pdf_document,
    read_text_document,
)
from store.formats.mailboxes import loose_files_source, maildir_source, mbox_source
from store.formats.outlook import pst_source
from store.mail import looks_like_headers, without_envelope

CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PST_SIGNATURE = b"!BDN"
_MBOX_FROM = re.compile(rb"^From \S+.*\d{4}\s*$", re.M)
# Mail-client bookkeeping that sits beside real mailboxes and must be passed over quietly.
_IGNORED_NAMES = re.compile(
    r"(\.(msf|dat|sqlite|sqlite-wal|sqlite-shm|json|plist|lock|db|ini|toc|index|sig|log)$"
    r"|^(\.ds_store|thumbs\.db|msgfilterrules\.dat|popstate\.dat)$)",
    re.I,
)
_SINGLE_MESSAGE = {"eml", "emlx", "msg"}
_TEXT_DOC_EXT = {".txt", ".md", ".markdown", ".text", ".rst"}


def sniff(path: Path, head: bytes) -> str | None:
    """The format of one file from its first bytes (and its name only to tell text kinds apart)."""
    if not head:
        return None
    if head.startswith(CFB_SIGNATURE):
        return "msg"
    if head.startswith(PST_SIGNATURE):
        return "pst"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in head or path.suffix.lower() == ".docx" else None
    stripped = head.lstrip(b"\r\n\t \xef\xbb\xbf")
    first_line = stripped.split(b"\n", 1)[0]
    if first_line.startswith(b"From ") and _MBOX_FROM.match(first_line):
        return "mbox"
    if first_line.strip().isdigit() and looks_like_headers(stripped.split(b"\n", 1)[-1]):
        return "emlx"
    if looks_like_headers(stripped) or looks_like_headers(without_envelope(stripped)):
        return "eml"  # with or without an envelope line before its headers
    if b"\x00" in head:
        return None
    lowered = stripped[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or path.suffix.lower() in (".html", ".htm"):
        return "html"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is still text.
        if exc.start < len(head) - 4:
            printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in head)
            if printable / len(head) < 0.9:
                return None
    if path.suffix.lower() in _TEXT_DOC_EXT or path.suffix == "":
        return "text"
    return None


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(8192)


def _mailbox_folder(path: Path) -> str:
    name = path.name
    for suffix in (".mbox", ".mbx", ".sbd"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    parent = path.parent.name
    if parent.lower().endswith(".sbd"):
        return f"{parent[:-4]}/{name}"
    return name


def _apple_folder(path: Path) -> str:
    for parent in path.parents:
        if parent.name.lower().endswith(".mbox"):
            return parent.name[:-5]
    return path.parent.name


def _document_source(path: Path, fmt: str) -> Source:
    def parse():
        if fmt == "pdf":
            return read_pdf_document(path)
        if fmt == "docx":
            return read_docx_document(path)
        data = path.read_bytes()
        if fmt == "html":
            return read_html_document(path, data)
        return read_text_document(path, data)

    def items():
        raw = path.read_bytes()
        yield SourceItem(locator=path.name, raw=raw, parse=parse, folder="documents")

    return Source(path, "document", "documents", items, lambda: 1, kind="document")


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _maildir_folder(path: Path, root: Path) -> str:
    name = path.name
    if name.startswith("."):  # Maildir++ subfolder: ".Sent" or ".Archive.2024"
        return name[1:].replace(".", "/")
    return "INBOX" if path == root or name.lower() in ("maildir", "mail") else name


def discover(paths: list[Path]) -> tuple[list[Source], list[Problem]]:
    sources: list[Source] = []
    problems: list[Problem] = []
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            problems.append(Problem(str(path), "no such file or folder"))
            continue
        if path.is_dir():
            found_before = len(sources)
            _walk_directory(path, sources, problems)
            if len(sources) == found_before and not any(
                p.file.startswith(str(path)) for p in problems
            ):
                problems.append(Problem(str(path), "no mail or documents found in this folder"))
        else:
            source = _file_source(path, problems, loose_ok=True)
            if source is not None:
                sources.append(source)
    return sources, problems


def _file_source(path: Path, problems: list[Problem], loose_ok: bool) -> Source | None:
    try:
        head = _read_head(path)
    except PermissionError:
        problems.append(Problem(str(path), "permission denied: the file is not readable"))
        return None
    except OSError as exc:
        problems.append(Problem(str(path), f"cannot read the file ({exc.strerror or exc})"))
        return None
    if not head:
        problems.append(Problem(str(path), "empty file"))
        return None
    fmt = sniff(path, head)
    if fmt is None:
        problems.append(Problem(str(path), "not a recognised mail archive or document format"))
        return None
    if fmt == "mbox":
        return mbox_source(path, _mailbox_folder(path))
    if fmt == "pst":
        return pst_source(path)
    if fmt in _SINGLE_MESSAGE:
        if not loose_ok:
            return None
        return loose_files_source(path.parent, [(path, fmt)], _apple_folder(path))
    return _document_source(path, fmt)


def _walk_directory(root: Path, sources: list[Source], problems: list[Problem]) -> None:
    for current, dirnames, filenames in os.walk(root, onerror=lambda e: problems.append(
            Problem(str(e.filename), f"cannot read the folder ({e.strerror})"))):
        here = Path(current)
        if _is_maildir(here):
            sources.append(maildir_source(here, _maildir_folder(here, root)))
            # Maildir++ keeps subfolders as dot-folders beside cur/new/tmp.
            dirnames[:] = [d for d in dirnames if d.startswith(".") and _is_maildir(here / d)]
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") or _is_maildir(here / d))
        loose: list[tuple[Path, str]] = []
        for name in sorted(filenames):
            if name.startswith(".") or _IGNORED_NAMES.search(name):
                continue
            path = here / name
            if not path.is_file():
                continue
            try:
                head = _read_head(path)
            except OSError as exc:
                reason = "permission denied: the file is not readable" if isinstance(
                    exc, PermissionError) else f"cannot read the file ({exc.strerror or exc})"
                problems.append(Problem(str(path), reason))
                continue
            if not head:
                if not (here / f"{name}.msf").exists():  # else: an empty Thunderbird folder
                    problems.append(Problem(str(path), "empty file"))
                continue
            fmt = sniff(path, head)
            if fmt in _SINGLE_MESSAGE:
                loose.append((path, fmt))
            elif fmt is None:
                problems.append(Problem(str(path), "not a recognised mail archive or document format"))
            else:
                source = _file_source(path, problems, loose_ok=False)
                if source is not None:
                    sources.append(source)
        if loose:
            sources.append(loose_files_source(here, loose, _apple_folder(loose[0][0])))
