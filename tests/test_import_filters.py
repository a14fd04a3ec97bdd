"""Import filters, source previews and Thunderbird detection, on invented mail."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.cli import main
from store.api import Store
from store.importer import (
    FOLDER_NOT_SELECTED,
    OUTSIDE_DATES,
    RECEIVED_EXCLUDED,
    UNDATED,
    ImportFilters,
)
from store.sources import preview_sources, thunderbird_profiles
from tests.mailfactory import message, write_mbox

ME = "me@example.org"


def _mail(root: Path) -> dict[str, Path]:
    """Sent: 4 of mine (hours 1-4); Inbox: 3 received and 1 of mine filed there (hours 5-8)."""
    sent = [message(n, sender=ME, to="ann@example.org",
                    body=f"Ann, the glazier can come on day {n}; I'll leave the key out.")
            for n in range(1, 5)]
    inbox = [message(n, sender="ann@example.org", to=ME,
                     body=f"Thanks, day {n} suits us; the panes are stacked in the shed.")
             for n in range(5, 8)]
    inbox.append(message(8, sender=ME, to="bob@example.org",
                         body="Bob, a note to myself filed in the inbox about the seed order."))
    return {"sent": write_mbox(root / "Sent", sent), "inbox": write_mbox(root / "Inbox", inbox)}


@pytest.fixture
def mail(tmp_path) -> dict[str, Path]:
    return _mail(tmp_path / "mail")


def _at(hour: int) -> datetime:
    return datetime(2025, 3, 3, 9 + hour, tzinfo=UTC)  # mailfactory's date of message ``hour``


# --- Thunderbird detection -------------------------------------------------------------------
def _profile(path: Path, folders: dict[str, int]) -> Path:
    (path / "prefs.js").parent.mkdir(parents=True, exist_ok=True)
    (path / "prefs.js").write_text('user_pref("mail.root.none", "");\n')
    for name, count in folders.items():
        write_mbox(path / "Mail" / "Local Folders" / name,
                   [message(n, subject=f"{name} {n}") for n in range(count)])
        (path / "Mail" / "Local Folders" / f"{name}.msf").write_text("// mork index\n")
    return path


def test_thunderbird_profiles_in_the_usual_places(tmp_path):
    home, appdata = tmp_path / "home", tmp_path / "appdata"
    linux = home / ".thunderbird"
    _profile(linux / "abcd.default-release", {"Inbox": 2, "Sent": 1})
    _profile(linux / "efgh.work", {"Inbox": 1})
    elsewhere = _profile(tmp_path / "elsewhere" / "old", {"Archive": 1})
    _profile(linux / "zzzz.unlisted", {"Inbox": 1})  # profiles.ini does not name it
    (linux / "profiles.ini").write_text(
        "[Install4F96D1932A9F858E]\nDefault=abcd.default-release\nLocked=1\n\n"
        "[Profile1]\nName=work\nIsRelative=1\nPath=efgh.work\n\n"
        "[Profile0]\nName=default-release\nIsRelative=1\nPath=abcd.default-release\n\n"
        f"[Profile2]\nName=old\nIsRelative=0\nPath={elsewhere}\n\n"
        "[Profile3]\nName=gone\nIsRelative=1\nPath=missing.profile\n\n"
        "[General]\nStartWithLastProfile=1\nVersion=2\n")
    _profile(home / "snap/thunderbird/common/.thunderbird/snap1.default", {"Inbox": 1})
    _profile(home / "Library/Thunderbird/Profiles/mac1.default", {"Inbox": 1})
    _profile(appdata / "Thunderbird/Profiles/win1.default", {"Inbox": 1})
    (appdata / "Thunderbird/profiles.ini").write_text(
        "[Profile0]\nName=win\nIsRelative=1\nPath=Profiles/win1.default\nDefault=1\n")

    profiles = thunderbird_profiles(home=home, appdata=appdata)
    by_name = {p.name: p for p in profiles}
    assert set(by_name) == {"default-release", "work", "old", "snap1.default", "mac1.default",
                            "win"}
    assert {p.name for p in profiles[:2]} == {"default-release", "win"}  # defaults first
    assert by_name["default-release"].default and by_name["win"].default
    assert not by_name["work"].default
    assert by_name["old"].path == elsewhere
    assert by_name["default-release"].mail_dirs == [linux / "abcd.default-release" / "Mail"]
    assert thunderbird_profiles(home=tmp_path / "nobody", appdata=tmp_path / "none") == []

    # The profile's folders preview with their message counts; .msf indexes are passed over,
    # and so is an empty folder file beside its index (Thunderbird makes one per folder).
    empty = linux / "abcd.default-release" / "Mail" / "Local Folders" / "Trash"
    empty.write_bytes(b"")
    empty.with_name("Trash.msf").write_text("// mork index\n")
    preview = preview_sources(by_name["default-release"].mail_dirs)
    counts = {f.folder: (f.messages, f.is_sent, f.format) for f in preview.folders}
    assert counts == {"Inbox": (2, False, "mbox"), "Sent": (1, True, "mbox")}
    assert preview.problems == []


# --- previews ----------------------------------------------------------------------------------
def test_preview_counts_folders_lists_problems_and_suggests_the_sender(mail, tmp_path):
    (mail["inbox"].parent / "Trash").write_bytes(b"")
    (mail["inbox"].parent / "junk.bin").write_bytes(b"\x00\x01\x02binary")
    preview = preview_sources([mail["inbox"].parent, tmp_path / "missing"])
    assert {(f.folder, f.messages, f.is_sent) for f in preview.folders} == {
        ("Inbox", 4, False), ("Sent", 4, True)}
    assert preview.messages == 8
    reasons = {Path(p.file).name: p.reason for p in preview.problems}
    assert reasons == {"Trash": "empty file",
                       "junk.bin": "not a recognised mail archive or document format",
                       "missing": "no such file or folder"}
    assert [(s.address, s.messages) for s in preview.suggested] == [(ME, 4)]
    assert json.loads(json.dumps(preview.to_json()))["messages"] == 8


def test_store_preview_says_how_much_is_already_imported(mail):
    with Store() as store:
        store.import_paths([mail["sent"]])
        preview = store.preview([mail["sent"].parent])
    seen = {f.folder: f.already_imported for f in preview.folders}
    assert seen == {"Sent": 4, "Inbox": 0}


# --- filters -----------------------------------------------------------------------------------
def test_a_date_range_skips_by_reason_and_a_wider_import_takes_the_rest(mail, tmp_path):
    undated = write_mbox(tmp_path / "undated" / "Notes", [message(20)])
    text = undated.read_text().replace("Date:", "X-Old-Date:")
    undated.write_text(text)
    paths = [mail["sent"].parent, undated]
    with Store() as store:
        first = store.import_paths(paths, filters=ImportFilters(after=_at(3), before=_at(6)))
        assert first.status == "completed" and first.imported == 3  # hours 3, 4, 5
        assert first.skipped == {OUTSIDE_DATES: 5, UNDATED: 1}
        assert first.filters["after"].startswith("2025-03-03T12:00")
        completed = {r[0] for r in store.catalogue.conn.execute(
            "SELECT completed FROM sources")}
        assert completed == {0}, "a source with mail left out must be read again next time"
        again = store.import_paths(paths, filters=ImportFilters(after=_at(3), before=_at(6)))
        assert (again.imported, again.already_imported) == (0, 3)
        assert again.skipped == first.skipped
        wider = store.import_paths(paths)
        assert (wider.imported, wider.already_imported, wider.skipped) == (6, 3, {})
        assert store.stats()["messages"] == 9
        last = store.import_paths(paths)  # now complete: nothing is read again
        assert (last.imported, last.already_imported) == (0, 9)


def test_dates_without_a_time_cover_whole_days():
    filters = ImportFilters(after=date(2025, 3, 3), before=date(2025, 3, 4))
    assert filters.date_reason(datetime(2025, 3, 3, 0, 0, tzinfo=UTC)) is None
    assert filters.date_reason(datetime(2025, 3, 3, 23, 59, tzinfo=UTC)) is None
    assert filters.date_reason(datetime(2025, 3, 4, 0, 0, tzinfo=UTC)) == OUTSIDE_DATES
    assert filters.date_reason(None) == UNDATED
    assert ImportFilters().date_reason(None) is None


def test_unselected_folders_are_skipped_and_imported_later(mail):
    root = mail["sent"].parent
    with Store() as store:
        by_name = store.import_paths([root], filters=ImportFilters(folders=["Inbox"]))
        assert (by_name.imported, by_name.skipped) == (4, {FOLDER_NOT_SELECTED: 4})
        assert [s["folder"] for s in store.stats()["sources"]] == ["Inbox"]  # Sent unread
        later = store.import_paths([root], filters=ImportFilters(folders=[str(mail["sent"])]))
        assert (later.imported, later.already_imported) == (4, 0)
        assert later.skipped == {FOLDER_NOT_SELECTED: 4}
        assert store.stats()["messages"] == 8


def test_received_mail_left_out_by_identity(mail):
    root = mail["sent"].parent
    with Store() as store:
        report = store.import_paths([root], me=[ME],
                                    filters=ImportFilters(include_received=False))
        # The note of mine filed in the inbox is mine: the address says so.
        assert (report.imported, report.skipped) == (5, {RECEIVED_EXCLUDED: 3})
        assert store.stats()["own_messages"] == 5
        everything = store.import_paths([root])
        assert (everything.imported, everything.already_imported) == (3, 5)


def test_received_mail_left_out_by_folder_while_no_address_is_known(mail):
    root = mail["sent"].parent
    with Store() as store:
        report = store.import_paths([root], filters=ImportFilters(include_received=False))
        # Only the sent folder can tell before any address is known: the inbox note waits.
        assert (report.imported, report.skipped) == (4, {RECEIVED_EXCLUDED: 4})
        assert report.identity["addresses"] == [ME]
        # Once the address is known (suggested from the sent folder), it is used.
        again = store.import_paths([root], filters=ImportFilters(include_received=False))
        assert (again.imported, again.skipped) == (1, {RECEIVED_EXCLUDED: 3})


def test_cli_import_takes_the_filters(mail, capsys):
    root = mail["sent"].parent
    code = main(["import", str(root), "--no-received", "--me", ME, "--after", "2025-03-03T11:00",
                 "--folder", "Inbox", "--folder", "Sent", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["imported"] == 4  # mine from hour 2 on: 2, 3, 4 (Sent) and 8 (Inbox)
    assert report["skipped"] == {OUTSIDE_DATES: 1, RECEIVED_EXCLUDED: 3}
    assert report["filters"]["include_received"] is False
    code = main(["import", str(root), "--before", "2025-03-03", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["skipped"] == {OUTSIDE_DATES: 4}
