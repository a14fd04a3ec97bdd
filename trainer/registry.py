"""Where trained adapters are recorded, and which one is active for each model.

``adapters/registry.json`` in the data home: {"active": {model: id}, "adapters": {id: {...}}}.
The trainer writes it; the drafting engine only asks for the active adapter's file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

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


def _save(registry: dict, home: Path | None = None) -> None:
    path = registry_file(home)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(registry, indent=2))
    tmp.replace(path)


@contextmanager
def _changing(home: Path | None) -> Iterator[dict]:
    """The registry, read, changed by the caller and written whole under its lock: the
    trainer process registering an adapter and the window rolling one back never lose
    each other's change."""
    path = registry_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path.with_suffix(".lock")), timeout=30):
        registry = load_registry(home)
        yield registry
        _save(registry, home)


def register_adapter(ident: str, entry: dict, *, activate: bool = True,
                     home: Path | None = None) -> dict:
    """Record an adapter (``entry`` holds model, path, base hash, data, hyper-parameters,
    metrics, scores) and, by default, make it the active one for its model."""
    if "model" not in entry or "path" not in entry:
        raise ValueError("an adapter entry needs 'model' and 'path'")
    with _changing(home) as registry:
        registry.setdefault("adapters", {})[ident] = entry
        if activate:
            _activate(registry, ident)
    return entry


def adapter_entry(ident: str, home: Path | None = None) -> dict | None:
    return load_registry(home).get("adapters", {}).get(ident)


def update_adapter(ident: str, home: Path | None = None, **fields) -> None:
    with _changing(home) as registry:
        registry["adapters"][ident].update(fields)


def activate_adapter(ident: str, home: Path | None = None) -> None:
    with _changing(home) as registry:
        _activate(registry, ident)


def _activate(registry: dict, ident: str) -> None:
    entry = registry.get("adapters", {}).get(ident)
    if entry is None:
        raise KeyError(f"no adapter {ident!r}; see 'amanuensis adapters list'")
    model = entry["model"]
    previous = registry.setdefault("active", {}).get(model)
    if previous == ident:
        return
    if previous:
        registry.setdefault("history", {}).setdefault(model, []).append(previous)
    registry["active"][model] = ident


def rollback(model: str, home: Path | None = None) -> str | None:
    """Go back to the adapter that was active before; with none, back to the plain model."""
    with _changing(home) as registry:
        history = registry.setdefault("history", {}).setdefault(model, [])
        while history and history[-1] not in registry.get("adapters", {}):
            history.pop()
        previous = history.pop() if history else None
        if previous:
            registry["active"][model] = previous
        else:
            registry.setdefault("active", {}).pop(model, None)
    return previous


def list_adapters(model: str | None = None, home: Path | None = None) -> list[dict]:
    registry = load_registry(home)
    active = set(registry.get("active", {}).values())
    rows = []
    for ident, entry in registry.get("adapters", {}).items():
        if model is None or entry.get("model") == model:
            rows.append({"id": ident, "active": ident in active, **entry})
    return sorted(rows, key=lambda row: row.get("created", ""))


def trained_feedback_ids(home: Path | None = None) -> set[str]:
    ids: set[str] = set()
    for entry in load_registry(home).get("adapters", {}).values():
        ids.update(entry.get("feedback_ids", []))
    return ids
