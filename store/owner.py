"""One owner per data home: the process that may write to it.

The owner holds an operating-system lock on ``owner.lock`` for as long as it runs, and
describes itself in ``owner.json`` (pid, what it is, since when, the local API it serves).
The lock goes with the process, so a home left by a crashed process is simply taken over;
the description is only ever read to explain a refusal. A process the owner starts for it
(the training run) is its delegate: it inherits ``OWNER_ENV`` and may work in the home.

The desktop owns its home while it runs; a command-line job owns it while it works. A
second writer is refused with ``HomeOwned``, which names the owner.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from store.settings import data_home

LOCK_FILE = "owner.lock"
OWNER_FILE = "owner.json"
OWNER_ENV = "AMANUENSIS_OWNER_KEY"  # "<home>|<key>" of the owner that started this process


@dataclass
class Owner:
    pid: int
    role: str  # "desktop", or the command: "import", "train", …
    started: float
    host: str = ""
    api: str = ""  # the local API the owner serves, if any
    key: str = ""  # handed to delegates only; never printed

    def describe(self) -> str:
        since = datetime.fromtimestamp(self.started).strftime("%Y-%m-%d %H:%M")
        what = "the Amanuensis desktop app" if self.role == "desktop" \
            else f"`amanuensis {self.role}`"
        return f"{what} (pid {self.pid}, since {since})"


class HomeOwned(RuntimeError):
    """Another live process owns the data home."""

    def __init__(self, home: Path, owner: Owner | None):
        self.home, self.owner = home, owner
        who = owner.describe() if owner else "another Amanuensis process"
        hint = ("quit it from its tray menu first" if owner and owner.role == "desktop"
                else "wait for it to finish")
        super().__init__(f"{home} is in use by {who}; {hint}, or use a different "
                         "AMANUENSIS_HOME")


def read_owner(home: Path | None = None) -> Owner | None:
    """Who owns ``home`` now, or None (an owner.json left by a dead process is not one)."""
    home = Path(home) if home else data_home()
    owner = _described_owner(home)
    if owner is None or not _alive(owner.pid) or _lock_is_free(home):
        return None
    return owner


class HomeClaim:
    """Holds the home for this process until ``release()`` (or the process ends)."""

    def __init__(self, home: Path, role: str, *, delegated: bool = False):
        self.home, self.role, self.delegated = home, role, delegated
        self._lock: FileLock | None = None
        self.owner: Owner | None = None

    def acquire(self) -> HomeClaim:
        if self.delegated:
            return self
        self.home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.home / LOCK_FILE), timeout=0, is_singleton=False)
        try:
            lock.acquire()
        except Timeout:
            raise HomeOwned(self.home, _described_owner(self.home)) from None
        self._lock = lock
        self.owner = Owner(pid=os.getpid(), role=self.role, started=time.time(),
                           host=socket.gethostname(), key=secrets.token_urlsafe(16))
        self._write()
        return self

    def serving(self, api_url: str) -> None:
        """Record (or clear, with "") the local API this owner serves."""
        if self.owner is not None:
            self.owner.api = api_url
            self._write()

    def delegate_env(self) -> dict[str, str]:
        """Environment for a process this owner starts to work in the home for it."""
        if self.owner is None:
            return {}
        return {OWNER_ENV: f"{self.home.resolve()}|{self.owner.key}"}

    def release(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):
                (self.home / OWNER_FILE).unlink(missing_ok=True)
            self._lock.release()
            self._lock = None
            self.owner = None

    def __enter__(self) -> HomeClaim:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def _write(self) -> None:
        path = self.home / OWNER_FILE
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(self.owner), handle)
        tmp.replace(path)


_held: dict[str, HomeClaim] = {}


def claim_home(home: Path | None = None, role: str = "cli") -> HomeClaim:
    """Own ``home`` for this process (again, if it already does), or raise ``HomeOwned``.

    A process started by the owner with its key in ``OWNER_ENV`` works as its delegate."""
    home = Path(home) if home else data_home()
    key = str(home.resolve())
    held = _held.get(key)
    if held is not None and (held.delegated or held.owner is not None):
        return held
    delegated = _is_delegate(home)
    claim = HomeClaim(home, role, delegated=delegated).acquire()
    _held[key] = claim
    return claim


def release_home(home: Path | None = None) -> None:
    home = Path(home) if home else data_home()
    claim = _held.pop(str(home.resolve()), None)
    if claim is not None:
        claim.release()


def held_claim(home: Path | None = None) -> HomeClaim | None:
    """This process's claim on ``home``, if it holds one (never claims)."""
    home = Path(home) if home else data_home()
    return _held.get(str(home.resolve()))


def delegate_env(home: Path | None = None) -> dict[str, str]:
    """Environment that lets a process started now work in ``home`` for its owner (this
    process); empty when this process does not own it."""
    claim = held_claim(home)
    if claim is None:
        return {}
    if claim.delegated:  # a delegate's own children work for the same owner
        given = os.environ.get(OWNER_ENV)
        return {OWNER_ENV: given} if given else {}
    return claim.delegate_env()


def _is_delegate(home: Path) -> bool:
    given = os.environ.get(OWNER_ENV, "")
    where, _, key = given.partition("|")
    if not key or where != str(home.resolve()):
        return False
    owner = _described_owner(home)
    return owner is not None and secrets.compare_digest(owner.key, key)


def _described_owner(home: Path) -> Owner | None:
    try:
        data = json.loads((home / OWNER_FILE).read_text())
        return Owner(**{k: data[k] for k in Owner.__dataclass_fields__ if k in data})
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _lock_is_free(home: Path) -> bool:
    lock = FileLock(str(home / LOCK_FILE), timeout=0, is_singleton=False)
    try:
        lock.acquire()
    except Timeout:
        return False
    lock.release()
    return True


def _alive(pid: int) -> bool:
    import psutil

    return psutil.pid_exists(pid)
