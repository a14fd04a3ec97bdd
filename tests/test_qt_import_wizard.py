"""The import wizard, offscreen, through the real parts: discovery, the catalogue, the
embedding model and chromadb, on invented mail and on the shared Enron account."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QDate, Qt  # noqa: E402

from app.qt.import_wizard import ImportWizard, summary_lines  # noqa: E402
from app.qt.ops import wait_for_background  # noqa: E402
from store.importer import FOLDER_NOT_SELECTED, RECEIVED_EXCLUDED  # noqa: E402
from tests.conftest import require_shared_account  # noqa: E402
from tests.latency import LatencyProbe  # noqa: E402
from tests.mailfactory import message, write_mbox  # noqa: E402

pytestmark = pytest.mark.slow

ME = "me@example.org"
OWNER = {"phillip.allen@enron.com", "k..allen@enron.com"}


@pytest.fixture
def make_wizard(qtbot):
    made: list[ImportWizard] = []

    def make(**kwargs) -> ImportWizard:
        wizard = ImportWizard(**kwargs)
        qtbot.addWidget(wizard)
        wizard.show()
        made.append(wizard)
        return wizard

    yield make
    for wizard in made:
        wizard.close()
        assert wizard._released
    assert wait_for_background(120_000)


def _scan(qtbot, wizard: ImportWizard, paths: list[Path]):
    wizard.source_page.set_paths(paths)
    qtbot.waitUntil(lambda: wizard.preview is not None, timeout=60_000)
    assert wizard.source_page.isComplete()
    return wizard.preview


def _to_filters(wizard: ImportWizard) -> None:
    assert wizard.currentPage() is wizard.source_page
    wizard.next()
    assert wizard.currentPage() is wizard.identity_page
    wizard.next()
    assert wizard.currentPage() is wizard.filters_page


def _import(qtbot, wizard: ImportWizard, timeout_s: float = 120):
    reports = []
    wizard.finished_import.connect(reports.append)
    wizard.next()
    assert wizard.currentPage() is wizard.progress_page
    qtbot.waitUntil(wizard.progress_page.isComplete, timeout=int(timeout_s * 1000))
    assert reports == [wizard.report]
    return wizard.report


def _processed(report) -> int:
    return report.imported + report.duplicates + sum(report.skipped.values())


def _catalogue(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{home / 'catalogue.sqlite3'}?mode=ro", uri=True)


def _shows(wizard: ImportWizard, report) -> None:
    page = wizard.progress_page
    assert page.summary.text() == "\n".join(summary_lines(report))
    assert f"Imported: {report.imported:,} messages" in page.summary.text()
    assert f"Already imported: {report.already_imported:,}" in page.summary.text()
    listed = [(page.errors.topLevelItem(i).text(0), page.errors.topLevelItem(i).text(1))
              for i in range(page.errors.topLevelItemCount())]
    assert listed == [(e["file"], e["reason"]) for e in report.errors]


# --- invented mail -------------------------------------------------------------------------
def test_thunderbird_profiles_are_found_and_their_folders_counted(qtbot, make_wizard, tmp_path):
    home = tmp_path / "fakehome"
    profile = home / ".thunderbird" / "x1y2.default-release"
    local = profile / "Mail" / "Local Folders"
    write_mbox(local / "Inbox", [message(n, sender="ann@example.org") for n in range(2)])
    write_mbox(local / "Sent", [message(n, sender=ME, to="ann@example.org",
                                        body=f"Ann, about the allotment rota, week {n}.")
                                for n in range(10, 13)])
    (local / "Inbox.msf").write_text("// mork\n")
    (local / "Trash").write_bytes(b"")  # an empty folder: not a problem beside its index
    (local / "Trash.msf").write_text("// mork\n")
    (profile / "prefs.js").write_text("// prefs\n")
    (home / ".thunderbird" / "profiles.ini").write_text(
        "[Profile0]\nName=default-release\nIsRelative=1\nPath=x1y2.default-release\n"
        "Default=1\n")

    wizard = make_wizard(profiles_home=home)
    page = wizard.source_page
    qtbot.waitUntil(lambda: page.profiles.count() == 1, timeout=10_000)
    assert "(default)" in page.profiles.item(0).text()
    assert "1" in page.profiles_label.text()
    qtbot.mouseClick(page.add_profile_button, Qt.MouseButton.LeftButton)
    assert page.current_paths() == [profile / "Mail"]
    qtbot.waitUntil(lambda: wizard.preview is not None, timeout=30_000)
    rows = {page.folders.topLevelItem(i).text(0): page.folders.topLevelItem(i).text(1)
            for i in range(page.folders.topLevelItemCount())}
    assert rows["Inbox"] == "2" and rows["Sent (sent)"] == "3"
    assert page.status.text() == "2 folder(s), 5 message(s)."
    _to_filters(wizard)
    assert wizard.identity_page.addresses() == [ME]
    report = _import(qtbot, wizard)
    assert report.status == "completed" and report.imported == 5
    assert report.identity == {"addresses": [ME], "origin": "user"}
    _shows(wizard, report)


def test_filters_chosen_in_the_wizard_skip_by_reason_and_a_rerun_takes_the_rest(
        qtbot, make_wizard, tmp_path, isolated_home):
    root = tmp_path / "mail"
    write_mbox(root / "Sent", [message(n, sender=ME, body=f"Ann, seed order number {n} is in.")
                               for n in range(1, 5)])
    write_mbox(root / "Inbox", [message(n, sender="ann@example.org", to=ME,
                                        body=f"Thanks, order {n} arrived in good shape.")
                                for n in range(5, 8)]
               + [message(8, sender=ME, body="A note to myself about the compost bins.")])
    archive = write_mbox(root / "Archive", [message(n, sender="bob@example.org")
                                            for n in range(9, 11)])
    (root / "junk.bin").write_bytes(b"\x00\x01 not mail")
    wizard = make_wizard()
    _scan(qtbot, wizard, [root])
    _to_filters(wizard)
    page = wizard.filters_page
    assert page.folders.count() == 3 and page.filters() is None
    page.set_folder_checked(archive, False)
    page.received.setChecked(False)
    for check, edit in ((page.from_check, page.from_date), (page.to_check, page.to_date)):
        check.setChecked(True)
        edit.setDate(QDate(2025, 3, 3))  # the day of every message: both ends are included
    filters = page.filters()
    assert filters.folders == {str(root / "Sent"), str(root / "Inbox")}
    page.set_folder_checked(root / "Sent", False)
    page.set_folder_checked(root / "Inbox", False)
    assert not page.isComplete()  # nothing chosen, nothing to import
    page._check_all(True)
    page.set_folder_checked(archive, False)
    report = _import(qtbot, wizard)
    assert report.status == "completed" and report.imported == 5
    assert report.skipped == {FOLDER_NOT_SELECTED: 2, RECEIVED_EXCLUDED: 3}
    summary = wizard.progress_page.summary.text()
    assert "Skipped: 5 (folder not selected: 2, received mail excluded: 3)" in summary
    assert "Errors: 1" in summary and report.errors == [
        {"file": str(root / "junk.bin"),
         "reason": "not a recognised mail archive or document format"}]
    _shows(wizard, report)
    wizard.close()

    again = make_wizard()
    preview = _scan(qtbot, again, [root])
    assert {Path(f.path).name: f.already_imported for f in preview.folders} == {
        "Sent": 4, "Inbox": 1, "Archive": 0}
    _to_filters(again)
    assert again.identity_page.addresses() == [ME]  # confirmed in the first run
    rerun = _import(qtbot, again)
    assert (rerun.imported, rerun.already_imported, rerun.skipped) == (5, 5, {})
    with _catalogue(isolated_home) as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 10


# --- the shared account --------------------------------------------------------------------
@pytest.mark.shared_data
def test_stop_really_stops_and_a_rerun_finishes_without_duplicates(qtbot, make_wizard,
                                                                    isolated_home):
    account = require_shared_account()
    paths = [account / "sent_items.mbox", account / "inbox.mbox"]
    wizard = make_wizard()
    total = _scan(qtbot, wizard, paths).messages
    assert total == 411
    _to_filters(wizard)
    reports = []
    wizard.finished_import.connect(reports.append)
    wizard.next()
    page = wizard.progress_page
    qtbot.waitUntil(lambda: page.last is not None and page.last.phase == "reading"
                    and page.last.done >= 40, timeout=60_000)
    clock = time.perf_counter()
    qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.isComplete, timeout=30_000)
    stop_s = time.perf_counter() - clock
    first = wizard.report
    assert reports == [first] and first.status == "cancelled"
    assert 40 <= _processed(first) < total
    assert stop_s < 5, stop_s
    assert "Import stopped" in page.summary.text() and page.phase.text() == "Stopped."
    with _catalogue(isolated_home) as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == first.imported
    wizard.close()

    again = make_wizard()
    _scan(qtbot, again, paths)
    _to_filters(again)
    second = _import(qtbot, again)
    assert second.status == "completed" and second.errors == []
    assert second.already_imported == _processed(first)
    assert _processed(first) + _processed(second) == total
    with _catalogue(isolated_home) as conn:
        count, keys = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT content_key) FROM messages").fetchone()
        pending = conn.execute("SELECT COUNT(*) FROM chunks WHERE indexed = 0").fetchone()[0]
    assert count == keys == first.imported + second.imported and pending == 0
    print(f"\nstop took {stop_s:.2f} s after {_processed(first)} of {total} messages")


def test_store_work_does_not_wait_for_a_running_import(qtbot, make_wizard, isolated_home):
    """The scheduler's check, opening drafting, Accept: store-thread work answers while an
    import writes on its own thread."""
    from app.qt.ops import Op, store_executor
    from app.training_status import work_waiting

    account = require_shared_account()
    wizard = make_wizard()
    _scan(qtbot, wizard, [account / "sent_items.mbox", account / "inbox.mbox"])
    _to_filters(wizard)
    wizard.next()
    page = wizard.progress_page
    qtbot.waitUntil(lambda: page.last is not None and page.last.phase == "reading"
                    and page.last.done >= 20, timeout=60_000)
    answers = []
    clock = time.perf_counter()
    Op(None, work_waiting).on(store_executor()).success(answers.append).run()
    qtbot.waitUntil(lambda: bool(answers), timeout=30_000)
    answered_s = time.perf_counter() - clock
    assert wizard.importing, "the import ended first: nothing was shown"
    assert isinstance(answers[0][0], bool) and answers[0][1]  # an answer, with its reason
    assert answered_s < 10, answered_s
    wizard.stop_import()
    qtbot.waitUntil(page.isComplete, timeout=30_000)
    print(f"\nthe store thread answered in {answered_s:.2f} s during the import")


@pytest.mark.shared_data
def test_the_wizard_imports_the_shared_account_and_a_rerun_adds_nothing(
        qtbot, make_wizard, isolated_home):
    account = require_shared_account()
    wizard = make_wizard()
    preview = _scan(qtbot, wizard, [account])
    assert preview.messages == 3034 and len(preview.folders) == 10 and not preview.problems
    assert {f.folder for f in preview.folders if f.is_sent} == {"_sent_mail", "sent",
                                                                "sent_items"}
    _to_filters(wizard)
    assert set(wizard.identity_page.addresses()) == OWNER
    assert wizard.filters_page.filters() is None
    probe = LatencyProbe()
    probe.start()
    report = _import(qtbot, wizard, timeout_s=900)
    latency = probe.stop()
    page = wizard.progress_page
    assert report.status == "completed" and report.errors == []
    assert _processed(report) == 3034
    assert set(report.identity["addresses"]) == OWNER
    _shows(wizard, report)
    assert page.events >= 10 and page.bar.value() == page.bar.maximum()
    with _catalogue(isolated_home) as conn:
        messages, own = conn.execute(
            "SELECT COUNT(*), SUM(is_own) FROM messages").fetchone()
        pending = conn.execute("SELECT COUNT(*) FROM chunks WHERE indexed = 0").fetchone()[0]
    assert messages == report.imported and 860 <= own <= 900 and pending == 0
    print(f"\nevent-loop lateness during the import ({report.elapsed_s} s): {json.dumps(latency)}")
    assert latency["ticks"] > 100 and latency["p95_ms"] < 50, latency
    wizard.close()

    again = make_wizard()
    preview = _scan(qtbot, again, [account])
    assert sum(f.already_imported for f in preview.folders) == 3034
    _to_filters(again)
    assert set(again.identity_page.addresses()) == OWNER
    rerun = _import(qtbot, again)
    assert rerun.status == "completed"
    assert (rerun.imported, rerun.duplicates, rerun.already_imported) == (0, 0, 3034)
    _shows(again, rerun)
