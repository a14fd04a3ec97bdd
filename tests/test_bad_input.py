"""Bad input gets one clear line naming the file and the problem; the rest imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.api import Store
from tests.mailfactory import message, write_mbox


@pytest.fixture
def store(isolated_home):
    with Store(isolated_home) as s:
        yield s


def _reasons(report) -> dict[str, str]:
    return {Path(e["file"]).name: e["reason"] for e in report.errors}


def test_each_bad_file_gets_one_line_and_good_mail_still_imports(tmp_path, store, monkeypatch):
    box = tmp_path / "in"
    box.mkdir()
    write_mbox(box / "good.mbox", [message(1), message(2)])
    (box / "empty.mbox").write_bytes(b"")
    (box / "garbage.bin").write_bytes(bytes(range(256)) * 40)
    (box / "secret.mbox").write_bytes(message(9).as_bytes())
    # Tests run as root in CI, where chmod cannot make a file unreadable.
    import store.formats.detect as detect

    real_read_head = detect._read_head

    def read_head(path):
        if path.name == "secret.mbox":
            raise PermissionError(13, "Permission denied")
        return real_read_head(path)

    monkeypatch.setattr(detect, "_read_head", read_head)
    (tmp_path / "nothing-here").mkdir()
    (tmp_path / "nothing-here" / "readme.bin").write_bytes(b"\x00\x01\x02")
    report = store.import_paths([box, tmp_path / "nothing-here", tmp_path / "missing.mbox"])
    reasons = _reasons(report)
    assert report.imported == 2
    assert reasons["empty.mbox"] == "empty file"
    assert "not a recognised" in reasons["garbage.bin"]
    assert "permission denied" in reasons["secret.mbox"]
    assert "no such file" in reasons["missing.mbox"]
    assert "not a recognised" in reasons["readme.bin"]
    assert report.failed


def test_folder_without_mail_is_reported(tmp_path, store):
    (tmp_path / "empty-folder").mkdir()
    report = store.import_paths([tmp_path / "empty-folder"])
    assert report.errors == [{"file": str(tmp_path / "empty-folder"),
                              "reason": "no mail or documents found in this folder"}]


def test_truncated_mbox_imports_what_is_complete(tmp_path, store):
    path = write_mbox(tmp_path / "cut.mbox", [message(i) for i in range(1, 6)])
    data = path.read_bytes()
    # Cut in the middle of the last message's headers.
    last = data.rfind(b"\nFrom ")
    path.write_bytes(data[: last + 60])
    report = store.import_paths([path])
    assert report.imported == 4
    assert report.errors and report.errors[0]["file"] == str(path)
    assert "offset:" in report.errors[0]["reason"]
    assert "truncated mbox" in report.errors[0]["reason"]


def test_garbage_between_messages_and_broken_mime(tmp_path, store):
    good = message(1).as_bytes()
    broken_mime = (b"From: c@example.org\nTo: me@example.org\nSubject: half\nMIME-Version: 1.0\n"
                   b"Content-Type: multipart/mixed; boundary=\"XYZ\"\n\n--XYZ\n"
                   b"Content-Type: text/plain; charset=utf-8\n\nThe text survived.\n")
    path = tmp_path / "mixed.mbox"
    path.write_bytes(
        b"From a@example.org Mon Mar  3 09:00:00 2025\n" + good + b"\n"
        b"From ??? Mon Mar  3 09:00:00 2025\n\x00\x01\x02\xff\xfe garbage \x00\n\n"
        b"From c@example.org Mon Mar  3 10:00:00 2025\n" + broken_mime + b"\n"
    )
    report = store.import_paths([path])
    assert report.imported == 2
    assert report.skipped == {"unreadable message": 1}
    assert len(report.errors) == 1 and "no mail headers" in report.errors[0]["reason"]
    assert any("MIME" in w["reason"] for w in report.warnings)
    row = store.catalogue.conn.execute("SELECT body FROM messages WHERE subject='half'").fetchone()
    assert row["body"] == "The text survived."


def test_broken_charset_is_decoded_and_flagged(tmp_path, store):
    raw = (b"From: d@example.org\nTo: me@example.org\nSubject: prices\n"
           b"Content-Type: text/plain; charset=\"utf-8\"\n\nCaf\xe9 au lait: 3\x80\n")
    path = tmp_path / "one.eml"
    path.write_bytes(raw)
    report = store.import_paths([path])
    assert report.imported == 1 and not report.failed
    body = store.catalogue.conn.execute("SELECT body FROM messages").fetchone()[0]
    assert body == "Café au lait: 3€"
    assert report.warnings[0]["reason"] == "text is not valid utf-8; read as cp1252"
