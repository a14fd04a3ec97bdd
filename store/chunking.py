"""Split text into overlapping word windows that fit the embedding model (256 tokens)."""

from __future__ import annotations

import re


def chunk_text(text: str, words_per_chunk: int = 200, overlap: int = 40) -> list[str]:
    """Chunks of about ``words_per_chunk`` words, preferring paragraph breaks as edges."""
    text = text.strip()
    if not text:
        return []
    words = text.split()
    if len(words) <= words_per_chunk:
        return [text]
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    chunks: list[str] = []
    current: list[str] = []
    for paragraph in paragraphs:
        para_words = paragraph.split()
        if len(para_words) > words_per_chunk:
            step = max(1, words_per_chunk - overlap)
            for start in range(0, len(para_words), step):
                piece = para_words[start : start + words_per_chunk]
                if current and len(current) + len(piece) > words_per_chunk:
                    chunks.append(" ".join(current))
                    current = current[-overlap:] if overlap else []
                current.extend(piece)
                if start + words_per_chunk >= len(para_words):
                    break
            continue
        if current and len(current) + len(para_words) > words_per_chunk:
            chunks.append(" ".join(current))
            current = current[-overlap:] if overlap else []
        current.extend(para_words)
    if current:
        tail = " ".join(current)
        if not chunks or tail not in chunks[-1]:
            chunks.append(tail)
    return chunks


def message_chunks(subject: str, body: str, full_text: str, words_per_chunk: int,
                   overlap: int) -> list[str]:
    """A message's searchable chunks: its subject over its own words (the whole text when
    it has none of its own), never empty."""
    text = body or full_text.strip()
    header = subject.strip()
    chunks = chunk_text(f"{header}\n\n{text}" if header else text, words_per_chunk, overlap)
    return chunks or [header or "(no text)"]
