"""Where trained adapters are recorded, and which one is active for each model.

``adapters/registry.json`` in the data home: {"active": {model: id}, "adapters": {id: {...}}}.
The trainer writes it; the drafting engine only asks for the active adapter's file.
"""

from __future__ import annotations

import json
from pathlib import Path

from store.settings import data_home


def registry_file(home: Path | None = None) -> Path:
    return (home or data_home()) / "adapters" / "registry.json"


def load_registry(home: Path | None = None) -> dict:
    path = registry_file(home)
    if not path.exists():
        return {"active": {}, "adapters": {}}
    return json.loads(path.read_text())


def active_adapter(model: str, home: Path | None = None) -> tuple[str, Path] | None:
    """(adapter id, GGUF path) of the active adapter for ``model``, if any."""
    registry = load_registry(home)
    ident = registry.get("active", {}).get(model)
    if not ident:
        return None
    entry = registry.get("adapters", {}).get(ident)
    if not entry:
        return None
    path = Path(entry["path"])
    if not path.is_absolute():
        path = registry_file(home).parent / path
    return (ident, path) if path.is_file() else None
