"""Every supported format, detected by content and read into messages or documents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from store.formats import discover
from store.formats.detect import sniff
from store.mail import parse_rfc822
from tests.fixtures.apple_emlx import write_emlx
from tests.fixtures.outlook_msg import write_corrupt_msg, write_msg
from tests.mailfactory import message, minimal_pdf, write_maildir, write_mbox


def parsed(source):
    return [item.parse() for item in source.items()]


def test_plain_mbox_without_extension_is_found_by_content(tmp_path):
    write_mbox(tmp_path / "archive", [message(1), message(2)])
    sources, problems = discover([tmp_path / "archive"])
    assert problems == []
    assert [s.format for s in sources] == ["mbox"]
    records = parsed(sources[0])
    assert [r.subject for r in records] == ["Test subject 1", "Test subject 2"]
    assert records[0].from_addr == "ann@example.org"


def test_gmail_takeout_labels_mark_sent_mail(tmp_path):
    sent = message(1, sender="me@example.org", to="bob@example.org",
                   headers={"X-Gmail-Labels": "Sent,Important"})
    other = message(2, headers={"X-Gmail-Labels": "Inbox,Category Updates"})
    write_mbox(tmp_path / "Takeout" / "Mail" / "All mail Including Spam and Trash.mbox",
               [sent, other])
    sources, _ = discover([tmp_path / "Takeout"])
    records = parsed(sources[0])
    assert records[0].labels == ["Sent", "Important"]
    assert records[1].labels[0] == "Inbox"


def test_thunderbird_profile_finds_nested_folders_and_ignores_msf(tmp_path):
    local = tmp_path / "profile" / "Mail" / "Local Folders"
    write_mbox(local / "Inbox", [message(1)])
    (local / "Inbox.msf").write_text("// <!-- <mdb:mork:z v=\"1.4\"/> -->")
    write_mbox(local / "Sent", [message(2, sender="me@example.org")])
    (local / "Sent.msf").write_text("// mork")
    write_mbox(local / "Inbox.sbd" / "Projects", [message(3)])
    (tmp_path / "profile" / "prefs.js").write_text('user_pref("mail.x", 1);\n')
    sources, problems = discover([tmp_path / "profile"])
    folders = sorted(s.folder for s in sources if s.format == "mbox")
    assert folders == ["Inbox", "Inbox/Projects", "Sent"]
    assert [s.is_sent_folder for s in sources if s.folder == "Sent"] == [True]
    assert not [p for p in problems if p.file.endswith(".msf")]


def test_maildir_and_maildir_plus_plus_subfolders(tmp_path):
    root = write_maildir(tmp_path / "Maildir", [message(1), message(2)])
    write_maildir(root / ".Sent", [message(3, sender="me@example.org")])
    write_maildir(root / ".Archive.2024", [message(4)])
    sources, problems = discover([root])
    assert problems == []
    by_folder = {s.folder: s for s in sources}
    assert set(by_folder) == {"INBOX", "Sent", "Archive/2024"}
    assert len(parsed(by_folder["INBOX"])) == 2
    assert by_folder["Sent"].is_sent_folder


def test_folder_of_eml_files_with_misleading_extensions(tmp_path):
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "one.eml").write_bytes(message(1).as_bytes())
    # Detected by content, not by name.
    (tmp_path / "mail" / "two.txt").write_bytes(message(2).as_bytes())
    sources, problems = discover([tmp_path / "mail"])
    assert problems == []
    assert [s.format for s in sources] == ["emlfolder"]
    assert sorted(r.subject for r in parsed(sources[0])) == ["Test subject 1", "Test subject 2"]


def test_apple_mail_emlx_folder(tmp_path):
    messages = tmp_path / "V10" / "Work.mbox" / "UUID" / "Data" / "Messages"
    messages.mkdir(parents=True)
    write_emlx(messages / "101.emlx", message(1, body="Fine, ship it.").as_bytes())
    write_emlx(messages / "102.emlx", message(2).as_bytes(), partial=True)
    sources, problems = discover([tmp_path / "V10"])
    assert problems == []
    records = parsed(sources[0])
    assert sources[0].folder == "Work"
    assert "Fine, ship it." in records[0].text
    assert len(records) == 2


def test_outlook_msg_files(tmp_path):
    write_msg(tmp_path / "reply.msg", subject="Re: Glass quote", sender_name="Ann Example",
              sender_email="ann@example.org", to=["Me <me@example.org>"], cc="Bob <bob@example.org>",
              date=datetime(2025, 4, 1, 10, 30, tzinfo=UTC), body="The quote is £340.\r\n",
              message_id="<msg-1@example.org>", in_reply_to="<orig@example.org>")
    write_msg(tmp_path / "htmlonly.msg", subject="Newsletter", sender_name="News",
              sender_email="news@example.org", to="me@example.org",
              date=datetime(2025, 4, 2, tzinfo=UTC), body="",
              html_body="<html><body><p>Spring <b>fair</b> on Saturday</p></body></html>")
    sources, problems = discover([tmp_path])
    assert problems == []
    records = {r.subject: r for r in parsed(sources[0])}
    reply = records["Re: Glass quote"]
    assert reply.from_addr == "ann@example.org"
    assert "me@example.org" in reply.to and "bob@example.org" in reply.cc
    assert reply.text.strip() == "The quote is £340."
    assert reply.message_id == "msg-1@example.org"
    assert reply.in_reply_to == "orig@example.org"
    assert reply.date == datetime(2025, 4, 1, 10, 30, tzinfo=UTC)
    html = records["Newsletter"]
    assert html.html_only and "Spring fair on Saturday" in html.text


def test_corrupt_msg_is_an_item_error_not_a_crash(tmp_path):
    write_corrupt_msg(tmp_path / "broken.msg")
    sources, _ = discover([tmp_path])
    item = next(sources[0].items())
    with pytest.raises(Exception, match="Outlook .msg"):
        item.parse()


def test_pst_is_detected_and_explains_what_it_needs(tmp_path):
    # A real .pst cannot be written here; a file with the PST signature exercises detection
    # and the clear error for an unreadable archive (or for the missing optional extra).
    (tmp_path / "archive.pst").write_bytes(b"!BDN" + b"\x00" * 600)
    assert sniff(tmp_path / "archive.pst", b"!BDN\x00\x00") == "pst"
    sources, problems = discover([tmp_path / "archive.pst"])
    assert sources[0].format == "pst"
    try:
        import pypff  # noqa: F401
    except ImportError:
        assert "pip install 'amanuensis[pst]'" in sources[0].problems[0].reason
    else:
        with pytest.raises(Exception, match=r"\.pst"):
            sources[0].count()


def test_documents_of_every_kind(tmp_path):
    import docx

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.md").write_text("# Rota\n\nWatering on Tuesdays.\n")
    (docs / "plain.txt").write_text("Compost arrives Friday.\n")
    (docs / "page.html").write_text(
        "<!doctype html><html><head><title>Spring news</title></head>"
        "<body><h1>Spring</h1><p>Seed swap on the 12th.</p></body></html>")
    (docs / "report.pdf").write_bytes(minimal_pdf("Greenhouse repair cost 340 pounds"))
    document = docx.Document()
    document.add_paragraph("Board report: membership grew to 212.")
    document.save(str(docs / "board.docx"))
    sources, problems = discover([docs])
    assert problems == []
    texts = {s.path.name: parsed(s)[0] for s in sources}
    assert texts["notes.md"].title == "Rota"
    assert "Compost arrives Friday." in texts["plain.txt"].text
    assert texts["page.html"].title == "Spring news" and "Seed swap" in texts["page.html"].text
    assert "Greenhouse repair cost 340 pounds" in texts["report.pdf"].text
    assert "membership grew to 212" in texts["board.docx"].text


def test_charset_fallbacks_and_html_only_mail():
    raw = (b"From: a@example.org\nTo: b@example.org\nSubject: =?iso-8859-1?q?Caf=E9?=\n"
           b"Content-Type: text/plain; charset=x-no-such-charset\n\nPrix: 5\xe9\n")
    record = parse_rfc822(raw)
    assert record.subject == "Café"
    assert "Prix: 5é" in record.text
    assert any("unknown charset" in p for p in record.problems)
    html = (b"From: a@example.org\nSubject: s\nMIME-Version: 1.0\n"
            b"Content-Type: text/html; charset=utf-8\n\n<p>Hello <b>there</b></p>")
    record = parse_rfc822(html)
    assert record.html_only and record.text == "Hello there"


def test_file_or_its_folder_give_the_same_source(tmp_path):
    """Given a file inside a folder and the folder itself, both work."""
    write_mbox(tmp_path / "box.mbox", [message(1)])
    assert discover([tmp_path / "box.mbox"])[0][0].folder == "box"
    assert discover([tmp_path])[0][0].folder == "box"
