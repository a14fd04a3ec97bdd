"""What an import would read, before it reads it: mail clients found on this machine, and a
preview of the folders under some paths with their message counts.

Nothing here writes to the catalogue; the import wizard shows these to the user, who then
chooses folders, addresses and filters for ``import_paths``.
"""

from __future__ import annotations

import configparser
import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from store.formats import Problem, discover
from store.identity import _MIN_SENT_COUNT, _MIN_SENT_SHARE, Suggestion
from store.jobs import CancelToken
from store.mail import MailRecord

# Where Thunderbird keeps profiles.ini (and its profiles, often under "Profiles/").
_THUNDERBIRD_HOMES = (
    ".thunderbird",  # Linux
    "snap/thunderbird/common/.thunderbird",  # Linux, snap package
    ".var/app/org.mozilla.Thunderbird/.thunderbird",  # Linux, Flatpak
    "Library/Thunderbird",  # macOS
)
_MAIL_DIRS = ("Mail", "ImapMail")
# Enough of a sent folder to tell whose it is, without reading a huge archive twice.
_SAMPLE_PER_SOURCE = 2000


@dataclass
class ThunderbirdProfile:
    name: str
    path: Path
    default: bool = False

    @property
    def mail_dirs(self) -> list[Path]:
        """The profile's local and IMAP mail folders (what an import should be pointed at)."""
        return [self.path / d for d in _MAIL_DIRS if (self.path / d).is_dir()]


def _thunderbird_roots(home: Path, appdata: Path | None) -> list[Path]:
    roots = [home / rel for rel in _THUNDERBIRD_HOMES]
    if appdata is not None:
        roots.append(appdata / "Thunderbird")  # Windows: %APPDATA%\Thunderbird
    return [r for r in roots if r.is_dir()]


def _looks_like_profile(path: Path) -> bool:
    return path.is_dir() and ((path / "prefs.js").is_file()
                              or any((path / d).is_dir() for d in _MAIL_DIRS))


def _profiles_from_ini(root: Path, ini: Path) -> list[ThunderbirdProfile]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(ini, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return []
    installs = {parser.get(s, "Default", fallback="") for s in parser.sections()
                if s.startswith("Install")}
    profiles = []
    for section in parser.sections():
        if not section.startswith("Profile"):
            continue
        value = parser.get(section, "Path", fallback="").strip()
        if not value:
            continue
        relative = parser.get(section, "IsRelative", fallback="1").strip() != "0"
        path = root / value.replace("\\", "/") if relative else Path(value)
        if not path.is_dir():
            continue
        default = parser.get(section, "Default", fallback="0").strip() == "1" or value in installs
        profiles.append(ThunderbirdProfile(parser.get(section, "Name", fallback=path.name),
                                           path, default))
    return profiles


def thunderbird_profiles(home: Path | None = None,
                         appdata: Path | None = None) -> list[ThunderbirdProfile]:
    """Thunderbird profiles in the usual places, default profile first.

    ``home`` defaults to the user's home and ``appdata`` to ``%APPDATA%`` (tests pass their
    own). Each location's ``profiles.ini`` is read where present; without one, folders that
    look like profiles (``prefs.js``, ``Mail/`` or ``ImapMail/``) are listed.
    """
    home = Path(home) if home is not None else Path.home()
    if appdata is None and os.environ.get("APPDATA"):
        appdata = Path(os.environ["APPDATA"])
    found: dict[Path, ThunderbirdProfile] = {}
    for root in _thunderbird_roots(home, appdata):
        ini = root / "profiles.ini"
        listed = _profiles_from_ini(root, ini) if ini.is_file() else []
        if not listed:
            candidates = [p for base in (root, root / "Profiles") if base.is_dir()
                          for p in sorted(base.iterdir())]
            listed = [ThunderbirdProfile(p.name, p) for p in candidates if _looks_like_profile(p)]
        for profile in listed:
            key = profile.path.resolve()
            if key not in found:
                found[key] = profile
            elif profile.default:
                found[key].default = True
    return sorted(found.values(), key=lambda p: (not p.default, str(p.path)))


@dataclass
class FolderPreview:
    path: str  # the source's file or folder: what ``ImportFilters.folders`` selects by
    format: str
    folder: str
    messages: int
    is_sent: bool
    kind: str = "email"
    already_imported: int = 0  # filled in by ``Store.preview``


@dataclass
class SourcePreview:
    folders: list[FolderPreview] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    suggested: list[Suggestion] = field(default_factory=list)  # senders of the sent folders

    @property
    def messages(self) -> int:
        return sum(f.messages for f in self.folders)

    def to_json(self) -> dict:
        return {**asdict(self), "messages": self.messages}


def _is_sent_copy(record: MailRecord, in_sent_folder: bool) -> bool:
    return in_sent_folder or any(label.lower() == "sent" for label in record.labels)


def preview_sources(paths: list[Path], cancel: CancelToken | None = None,
                    sample: int = _SAMPLE_PER_SOURCE) -> SourcePreview:
    """Every folder under ``paths`` with its message count, the problems found, and the
    addresses that send the mail in sent folders (suggested as the user's)."""
    sources, problems = discover([Path(p) for p in paths])
    preview = SourcePreview(problems=list(problems))
    readable = []
    for source in sources:
        if cancel is not None:
            cancel.raise_if_cancelled()
        preview.problems.extend(source.problems)
        if source.problems:
            continue
        try:
            count = source.count()
        except Exception as exc:  # noqa: BLE001 - e.g. a .pst that libpff cannot open
            preview.problems.append(Problem(str(source.path), f"cannot open: {exc}"))
            continue
        preview.folders.append(FolderPreview(str(source.path), source.format, source.folder,
                                             count, source.is_sent_folder, source.kind))
        readable.append(source)
    mail = [s for s in readable if s.kind == "email"]
    # Sent folders tell who the user is; without any, a Gmail "Sent" label can.
    sent = [s for s in mail if s.is_sent_folder] or mail
    senders: Counter[str] = Counter()
    for source in sent:
        for number, item in enumerate(source.items()):
            if number >= sample:
                break
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                record = item.parse()
            except Exception:  # noqa: BLE001 - unreadable items are the import's to report
                continue
            if isinstance(record, MailRecord) and record.from_addr and _is_sent_copy(
                    record, source.is_sent_folder):
                senders[record.from_addr] += 1
    total = sum(senders.values())
    preview.suggested = [
        Suggestion(address, n, "sends the mail in your sent folders")
        for address, n in senders.most_common()
        if n >= _MIN_SENT_COUNT and n / total >= _MIN_SENT_SHARE
    ]
    return preview


__all__ = ["FolderPreview", "SourcePreview", "ThunderbirdProfile", "preview_sources",
           "thunderbird_profiles"]
