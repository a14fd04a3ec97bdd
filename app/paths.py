"""Paths as a person reads them: the home folder shown as ``~``, the way file managers and
shells do. Only for display; the full path stays with the item (tooltip, item data)."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path | str) -> str:
    text = str(path)
    if os.name == "nt":  # Windows users read C:\Users\name\… as it is
        return text
    try:
        relative = Path(text).expanduser().relative_to(Path.home())
    except ValueError:
        return text
    return "~" if str(relative) == "." else f"~/{relative}"
