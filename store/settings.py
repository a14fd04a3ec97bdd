"""Where Amanuensis keeps its data, and the typed settings each layer reads from one TOML file.

Every layer owns a dataclass and a table in ``settings.toml``; unknown keys are kept on save
so that one layer never erases another layer's settings.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import os
import threading
import tomllib
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import platformdirs
import tomli_w
from filelock import FileLock

HOME_ENV = "AMANUENSIS_HOME"
SETTINGS_FILE = "settings.toml"

T = TypeVar("T")


def data_home() -> Path:
    """The one directory holding the catalogue, the index, models' caches and settings."""
    override = os.environ.get(HOME_ENV)
    home = Path(override).expanduser() if override else Path(platformdirs.user_data_dir("amanuensis"))
    home.mkdir(parents=True, exist_ok=True)
    return home


def settings_path(home: Path | None = None) -> Path:
    return (Path(home) if home is not None else data_home()) / SETTINGS_FILE


def _read_all(home: Path | None = None) -> dict[str, Any]:
    path = settings_path(home)
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from exc


class SettingsError(ValueError):
    pass


def has_section(section: str, home: Path | None = None) -> bool:
    """Whether the user's settings file sets ``[section]`` at all (else defaults apply)."""
    return bool(_read_all(home).get(section))


def load_section(section: str, cls: type[T], home: Path | None = None) -> T:
    """Build ``cls`` from the ``[section]`` table of ``home``'s settings (by default the data
    home's), checking each value's type."""
    table = _read_all(home).get(section, {})
    known = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in table.items():
        field = known.get(key)
        if field is None:
            continue  # a newer version's key: keep it in the file, ignore it here
        default = (
            field.default
            if field.default is not dataclasses.MISSING
            else field.default_factory()  # type: ignore[misc]
        )
        if default is not None and not isinstance(value, type(default)):
            if isinstance(default, float) and isinstance(value, int):
                value = float(value)
            else:
                raise SettingsError(
                    f"{settings_path(home)}: [{section}] {key} should be "
                    f"{type(default).__name__}, got {value!r}"
                )
        values[key] = value
    return cls(**values)


def save_section(section: str, settings: Any, home: Path | None = None) -> None:
    """Write one table, keeping the others; read, changed and written whole under the
    file's lock, so that two writers (the window, a CLI command) never lose each other's."""
    path = settings_path(home)
    with FileLock(str(path.with_suffix(".lock")), timeout=30):
        data = _read_all(home)
        data[section] = {k: v for k, v in dataclasses.asdict(settings).items()
                         if v is not None}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
        tmp.replace(path)
    _notify(section, path.parent)


# Who hears that a section was saved in this process (the settings dialog saving, a view
# or service holding settings): bound methods are held weakly, so a closed window's
# service is not kept alive by its subscription.
_listeners: list[Callable[[], Callable[[str, Path], None] | None]] = []
_listeners_lock = threading.Lock()


def on_settings_saved(callback: Callable[[str, Path], None]) -> None:
    """Call ``callback(section, home)`` after any table is saved in this process."""
    ref = weakref.WeakMethod(callback) if inspect.ismethod(callback) else (lambda: callback)
    with _listeners_lock:
        _listeners.append(ref)


def _notify(section: str, home: Path) -> None:
    with _listeners_lock:
        _listeners[:] = [ref for ref in _listeners if ref() is not None]
        callbacks = [ref() for ref in _listeners]
    for callback in callbacks:
        if callback is not None:
            try:
                callback(section, home)
            except Exception:  # noqa: BLE001 - a listener's failure is not the save's
                logging.getLogger(__name__).exception("a settings listener failed")


@dataclasses.dataclass
class StoreSettings:
    """Settings of the data layer: how text is chunked, embedded and searched."""

    # ~180 words stay within the embedding model's 256 tokens.
    chunk_words: int = 180
    chunk_overlap_words: int = 30
    # Measured on 2 cores: batches of 8 embed ~40% faster than batches of 64.
    embed_batch_size: int = 8
    # Threads for embedding during imports; 0 means every core, since an import is a job the
    # user waits for. Drafting and training keep to cores - 1 (see worker_threads).
    threads: int = 0
    search_candidates: int = 50
    # Vectors cover the first chunks of each email (~360 words, more than most mail); the
    # rest of a long email is found by keyword search. Embedding is the slowest step of an
    # import on a laptop CPU; 0 embeds everything. Documents are always embedded whole.
    vector_chunks_per_email: int = 2

    @classmethod
    def load(cls, home: Path | None = None) -> StoreSettings:
        return load_section("store", cls, home)

    def save(self, home: Path | None = None) -> None:
        save_section("store", self, home)


def worker_threads(requested: int = 0) -> int:
    """Threads for a background job that must leave one core to the desktop."""
    if requested > 0:
        return requested
    return max(1, (os.cpu_count() or 2) - 1)


def all_cores(requested: int = 0) -> int:
    return requested if requested > 0 else max(1, os.cpu_count() or 1)
