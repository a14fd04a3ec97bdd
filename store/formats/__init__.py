"""Readers for every archive and document format, found by content rather than by name.

``discover(paths)`` walks what the user pointed at and returns ``Source`` objects (one mbox
file, one Maildir folder, one folder of loose message files, one .pst, one document) plus
the problems it found on the way (unreadable, empty, unknown files, folders without mail).
"""

from store.formats.base import DocumentRecord, Problem, Source, SourceItem
from store.formats.detect import discover, sniff

__all__ = ["DocumentRecord", "Problem", "Source", "SourceItem", "discover", "sniff"]
