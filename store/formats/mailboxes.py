"""mbox files, Maildir(++) folders and folders of loose .eml / .emlx / .msg files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from store.formats.base import Source, SourceItem
from store.mail import NotAMessage, looks_like_headers, parse_rfc822

_FROM_LINE = re.compile(rb"^From ", re.M)


def _mbox_offsets(path: Path) -> list[tuple[int, int]]:
    """(start, end) byte ranges of each message. A message starts at a "From " line that
    follows a blank line (or begins the file) and is followed by mail headers, so an
    unescaped "From here on…" in a body does not split it."""
    starts: list[int] = []
    with open(path, "rb") as handle:
        position, previous_blank = 0, True
        for line in iter(handle.readline, b""):
            if previous_blank and line.startswith(b"From ") and (
                    not starts or _ENVELOPE.match(line) or _headers_follow(handle)):
                starts.append(position)
            previous_blank = not line.strip()
            position += len(line)
        size = position
    return [(start, end) for start, end in zip(starts, [*starts[1:], size], strict=True)]


# "From sender Tue Mar  5 10:12:00 2024": an envelope line, with its time, whatever follows.
_ENVELOPE = re.compile(rb"^From \S+\s.*\b\d{1,2}:\d{2}(?::\d{2})?\b.*\d{4}\s*$")
_HEADER_START = re.compile(rb"^[!-9;-~]+:[ \t]")


def _headers_follow(handle) -> bool:
    """Whether the line after the one just read is a mail header (one is enough: the last
    message of a truncated file may have no more)."""
    here = handle.tell()
    head = handle.read(2048)
    handle.seek(here)
    return looks_like_headers(head) or bool(_HEADER_START.match(head))


_CUT_OFF = "message cut off at the end of the file (truncated mbox)"


def _parse_mbox_message(raw: bytes, cut_off: bool):
    if not cut_off:
        return parse_rfc822(raw)
    try:
        record = parse_rfc822(raw)
    except NotAMessage as exc:
        raise NotAMessage(f"{_CUT_OFF}: {exc}") from exc
    record.problems.append(_CUT_OFF)
    return record


def mbox_source(path: Path, folder: str) -> Source:
    def items() -> Iterator[SourceItem]:
        with open(path, "rb") as handle:
            offsets = _mbox_offsets(path)
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 1))
            cut_off = size > 0 and handle.read(1) != b"\n"
            for number, (start, end) in enumerate(offsets, 1):
                handle.seek(start)
                chunk = handle.read(end - start)
                # Drop the envelope "From " line and un-escape ">From " body lines.
                newline = chunk.find(b"\n")
                raw = chunk[newline + 1 :] if newline >= 0 else b""
                raw = raw.replace(b"\n>From ", b"\nFrom ")
                last_cut = cut_off and number == len(offsets)
                yield SourceItem(
                    locator=f"offset:{start}",
                    raw=raw,
                    parse=lambda raw=raw, cut=last_cut: _parse_mbox_message(raw, cut),
                    folder=folder,
                )

    return Source(path, "mbox", folder, items, lambda: len(_mbox_offsets(path)))


def maildir_source(path: Path, folder: str) -> Source:
    def keys() -> list[Path]:
        files: list[Path] = []
        for sub in ("cur", "new"):
            directory = path / sub
            if directory.is_dir():
                files.extend(sorted(p for p in directory.iterdir() if p.is_file()
                                    and not p.name.startswith(".")))
        return files

    def items() -> Iterator[SourceItem]:
        for file in keys():
            raw = file.read_bytes()
            yield SourceItem(
                locator=f"{file.parent.name}/{file.name.split(':')[0]}",
                raw=raw,
                parse=lambda raw=raw: parse_rfc822(raw),
                folder=folder,
            )

    return Source(path, "maildir", folder, items, lambda: len(keys()))


def read_emlx(data: bytes) -> bytes:
    """Apple Mail .emlx: a byte count line, the RFC 822 message, then an XML plist."""
    newline = data.find(b"\n")
    if newline < 0 or not data[:newline].strip().isdigit():
        raise NotAMessage("not an .emlx file (no leading byte count)")
    length = int(data[:newline].strip())
    message = data[newline + 1 : newline + 1 + length]
    if len(message) < length:
        raise NotAMessage(f"truncated .emlx: {len(message)} of {length} bytes")
    return message


def loose_files_source(directory: Path, files: list[tuple[Path, str]], folder: str) -> Source:
    """A folder of single-message files; ``files`` pairs each path with its sniffed format."""
    from store.formats.outlook import parse_msg

    def parse_file(path: Path, fmt: str, data: bytes):
        if fmt == "msg":
            return parse_msg(path)
        if fmt == "emlx":
            return parse_rfc822(read_emlx(data))
        return parse_rfc822(data)

    def items() -> Iterator[SourceItem]:
        for file, fmt in files:
            data = file.read_bytes()
            yield SourceItem(
                locator=str(file.relative_to(directory)),
                raw=data,
                parse=lambda f=file, fmt=fmt, d=data: parse_file(f, fmt, d),
                folder=folder,
            )

    return Source(directory, "emlfolder", folder, items, lambda: len(files))
