"""Documents the user wrote: plain text, Markdown, HTML, PDF and Word files."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

from store.formats.base import DocumentRecord
from store.htmltext import html_to_text
from store.mail import decode_bytes


class DocumentError(ValueError):
    pass


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def read_text_document(path: Path, data: bytes) -> DocumentRecord:
    text, problem = decode_bytes(data, "utf-8")
    title = path.stem.replace("-", " ").replace("_", " ")
    for line in text.splitlines():
        if line.strip():
            title = line.strip().lstrip("#").strip()[:120]
            break
    record = DocumentRecord(title=title, text=text.strip(), date=_mtime(path))
    if problem:
        record.problems.append(problem)
    return record


def read_html_document(path: Path, data: bytes) -> DocumentRecord:
    markup, _ = decode_bytes(data, "utf-8")
    import re

    match = re.search(r"<title[^>]*>(.*?)</title>", markup, re.I | re.S)
    title = " ".join(match.group(1).split()) if match else path.stem
    return DocumentRecord(title=title, text=html_to_text(markup), date=_mtime(path))


def read_pdf_document(path: Path) -> DocumentRecord:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise DocumentError(f"unreadable PDF ({exc})") from exc
    meta_title = ""
    try:
        meta_title = (reader.metadata.title or "") if reader.metadata else ""
    except Exception:  # noqa: BLE001 - broken metadata should not lose the text
        meta_title = ""
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise DocumentError("PDF has no extractable text (scanned image?)")
    return DocumentRecord(title=meta_title or path.stem, text=text, date=_mtime(path))


def read_docx_document(path: Path) -> DocumentRecord:
    import docx

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"unreadable Word document ({exc})") from exc
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append(" | ".join(cell.text for cell in row.cells))
    text = "\n".join(paragraphs).strip()
    title = document.core_properties.title or next((p for p in paragraphs if p.strip()), path.stem)
    return DocumentRecord(title=title.strip()[:120], text=text, date=_mtime(path))
