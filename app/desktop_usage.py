"""How the desktop is used, kept to make it faster where it matters: ``[desktop]`` in
settings.toml. Counts only, never content."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from store.settings import load_section, save_section

# Quick drafts opened from the tray before it loads the embedding model as it starts.
OFTEN = 3


@dataclass
class DesktopUsage:
    quick_drafts: int = 0

    @classmethod
    def load(cls, home: Path | None = None) -> DesktopUsage:
        return load_section("desktop", cls, home)

    def save(self, home: Path | None = None) -> None:
        save_section("desktop", self, home)

    @property
    def drafts_from_tray_often(self) -> bool:
        return self.quick_drafts >= OFTEN


def count_quick_draft() -> int:
    usage = DesktopUsage.load()
    usage.quick_drafts += 1
    usage.save()
    return usage.quick_drafts


def warm_embedder() -> None:
    """Load the process-wide embedding model (the slow part of a first draft's retrieval)."""
    from store.embedding import Embedder

    Embedder().embed_query("warm up")
