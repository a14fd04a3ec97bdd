"""Small builders for test mail in every format (all content invented for the tests)."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

BASE_DATE = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def message(n: int, *, sender="ann@example.org", to="me@example.org", subject=None,
            body=None, headers: dict | None = None, html: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject or f"Test subject {n}"
    msg["Date"] = format_datetime(BASE_DATE + timedelta(hours=n))
    msg["Message-ID"] = f"<test-{n}-{abs(hash(sender)) % 10000}@example.org>"
    for key, value in (headers or {}).items():
        msg[key] = value
    text = body or f"Hello, this is test message number {n} about the quarterly plan, item {n * 7}."
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def write_mbox(path: Path, messages: list[EmailMessage]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.mbox(str(path))
    box.lock()
    try:
        for msg in messages:
            box.add(msg)
        box.flush()
    finally:
        box.unlock()
        box.close()
    return path


def write_maildir(path: Path, messages: list[EmailMessage]) -> Path:
    box = mailbox.Maildir(str(path), create=True)
    for msg in messages:
        box.add(msg)
    box.close()
    return path


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with real text content (Helvetica), written by hand."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)
