"""Mail as the world writes it: raw 8-bit headers, mislabelled charsets, implausible dates,
Outlook items that are not mail and non-Unicode .msg files, all through the real parsers
and, where it matters, a real import."""

from datetime import UTC, datetime

import pytest

from store.formats import discover
from store.formats.outlook import _rtf_text, parse_msg
from store.mail import decode_bytes, parse_rfc822
from tests.fixtures.outlook_msg import write_msg


def test_raw_utf8_header_bytes_are_read_not_skipped():
    raw = ("From: Иван Петров <ivan@example.org>\nTo: anna@example.org\n"
           "Subject: Отчёт для ФНС\nDate: Tue, 05 Mar 2024 10:12:00 +0300 (Москва)\n"
           "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
           "--XX\nContent-Type: text/plain; charset=utf-8\n\nОтчёт во вложении.\n"
           "--XX\nContent-Type: application/zip\n"
           "Content-Disposition: attachment; filename=\"ФНС_РФ558.zip\"\n\nUEsDBA==\n"
           "--XX--\n").encode()
    record = parse_rfc822(raw)
    assert record.subject == "Отчёт для ФНС"
    assert record.from_name == "Иван Петров"
    assert record.date == datetime(2024, 3, 5, 7, 12, tzinfo=UTC)
    assert record.text.strip() == "Отчёт во вложении."
    assert any("8-bit" in p and "Subject" in p for p in record.problems)


def test_raw_latin_header_bytes_fall_back_to_a_detected_charset():
    raw = (b"From: =?utf-8?q?J=C3=B6rg?= <joerg@example.org>\nTo: b@example.org\n"
           b"Subject: Gr\xfc\xdfe aus M\xfcnchen und sch\xf6ne Feiertage\n\nHallo!\n")
    record = parse_rfc822(raw)
    assert record.subject == "Grüße aus München und schöne Feiertage"
    assert record.from_name == "Jörg"


@pytest.mark.parametrize("declared, text, encoding, repaired", [
    ("gb2312", "请查收附件中的报告。镕", "gbk", True),  # 镕 is outside GB2312
    ("iso-8859-1", "Grüße, Jürgen — bis Montag", "utf-8", True),  # labelled Latin-1
    (None, "Здравствуйте, Анна! Отчёт будет готов в пятницу к обеду.", "cp1251", True),
    ("koi8-r", "Добрый день, коллеги", "koi8-r", False),
    ("shift_jis", "よろしくお願いします。①", "cp932", True),  # ① is a cp932 extension
    # No label, Latin script: the detector alone read this French as cp1257.
    (None, "Bonjour à tous, voilà le café crème déjà prêt. À bientôt, François", "cp1252",
     True),
    (None, "Dzień dobry, proszę o przesłanie raportu do piątku. Pozdrawiam, Łukasz",
     "cp1250", True),
])
def test_mislabelled_parts_are_repaired_and_the_repair_recorded(declared, text, encoding,
                                                                repaired):
    decoded, problem = decode_bytes(text.encode(encoding), declared)
    assert decoded == text
    assert bool(problem) == repaired


def test_dates_outside_1980_to_tomorrow_are_unknown_with_a_problem():
    for stamp in ("Thu, 01 Jan 1970 00:00:00 +0000", "Mon, 01 Jan 2999 00:00:00 +0000"):
        raw = f"From: a@example.org\nTo: b@example.org\nSubject: x\nDate: {stamp}\n\nHi\n"
        record = parse_rfc822(raw.encode())
        assert record.date is None
        assert any("implausible date" in p for p in record.problems)


def test_broken_mime_keeps_the_readable_text():
    raw = (b"From: a@example.org\nTo: b@example.org\nSubject: half\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/alternative; boundary=\"BB\"\n\n"
           b"--BB\nContent-Type: text/plain; charset=utf-8\n"
           b"Content-Transfer-Encoding: base64\n\nTm90IGJhc2U2NCE=!!\n--BB\n"
           b"Content-Type: text/html; charset=utf-8\n\n<p>Still here</p>\n")  # no end boundary
    record = parse_rfc822(raw)
    assert record.text.strip()
    assert record.problems


def test_outlook_items_that_are_not_mail_are_skipped_with_their_kind(tmp_path):
    common = dict(subject="Team lunch", sender_name="Ann", sender_email="ann@example.org",
                  to="me@example.org", date=datetime(2024, 3, 5, 12, tzinfo=UTC),
                  body="Thai place on the corner")
    for message_class, kind in (("IPM.Appointment", "calendar item"),
                                ("IPM.Contact", "contact"),
                                ("IPM.Schedule.Meeting.Request", "meeting request")):
        path = write_msg(tmp_path / f"{kind}.msg", message_class=message_class, **common)
        with pytest.raises(Exception, match=f"Outlook {kind}"):
            parse_msg(path)


def test_non_unicode_msg_bodies_are_decoded_by_their_code_page(tmp_path):
    path = write_msg(tmp_path / "ansi.msg", subject="Встреча в пятницу", sender_name="Иван",
                     sender_email="ivan@example.org", to="anna@example.org",
                     date=datetime(2024, 3, 5, 10, 12, tzinfo=UTC),
                     body="Анна, встречаемся в пятницу в 10:00.",
                     html_body="<p>Анна, встречаемся в пятницу в 10:00.</p>", ansi_codepage=1251)
    record = parse_msg(path)
    assert record.subject == "Встреча в пятницу"
    assert record.text.strip() == "Анна, встречаемся в пятницу в 10:00."


def test_rtf_bodies_become_their_text_without_font_tables():
    rtf = (rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}{\f1 Times;}}{\colortbl;\red0\green0\blue0;}"
           rb"{\*\generator Riched20;}\f0\fs20 Hallo Jan,\par das Caf\'e9 \{um 9\}.\par}")
    assert _rtf_text(rtf) == "Hallo Jan,\ndas Café {um 9}."


def test_an_archive_with_odd_mail_imports_everything_it_can(tmp_path, isolated_home):
    from store.api import Store

    store = Store(isolated_home)
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "a.eml").write_bytes(
        "From: Ærlig Åse <aase@example.org>\nTo: me@example.org\nSubject: Møte på fredag\n"
        "Date: Fri, 08 Mar 2024 09:00:00 +0100\n\nHei! Vi ses på fredag.\n\n"
        "Sendt fra min iPhone\n".encode())
    (folder / "b.eml").write_bytes(
        b"From: me@example.org\nTo: aase@example.org\nSubject: Re: M\xf8te\n"
        b"Content-Type: text/plain; charset=iso-8859-1\n\nTakk, det passer fint.\n\n"
        b"Den fre. 8. mar. 2024 kl. 09:00 skrev \xc6rlig \xc5se <aase@example.org>:\n"
        b"Hei! Vi ses p\xe5 fredag.\n")
    write_msg(folder / "c.msg", subject="Kalender", sender_name="Åse",
              sender_email="aase@example.org", to="me@example.org",
              date=datetime(2024, 3, 5, tzinfo=UTC), body="Møte", message_class="IPM.Appointment")
    report = store.import_paths([folder])
    assert report.imported == 2
    assert any("calendar item" in e["reason"] for e in report.errors + report.warnings) or \
        sum(report.skipped.values()) == 1
    bodies = {r["subject"]: r["body"] for r in store.catalogue.conn.execute(
        "SELECT subject, body FROM messages")}
    assert bodies["Møte på fredag"] == "Hei! Vi ses på fredag."
    assert bodies["Re: Møte"] == "Takk, det passer fint."
    assert discover([folder])[1] == []
    store.close()


def test_the_same_text_from_two_senders_or_on_two_days_is_two_messages(tmp_path,
                                                                        isolated_home):
    from store.api import Store

    text = "Please find the minutes of Tuesday's meeting attached; comments by Friday."
    mails = [("ann@example.org", "Tue, 05 Mar 2024 10:10:00 +0000", ""),
             ("bob@example.org", "Tue, 05 Mar 2024 10:11:00 +0000", ""),
             ("ann@example.org", "Tue, 12 Mar 2024 10:10:00 +0000", ""),  # a week later
             # Ann's first again, from a folder whose export shifted the time zone
             ("ann@example.org", "Tue, 05 Mar 2024 20:10:00 +0000", "X-Folder: Sent\n")]
    for n, (sender, date, extra) in enumerate(mails):
        (tmp_path / f"{n}.eml").write_text(
            f"From: {sender}\nTo: team@example.org\nSubject: Minutes\n{extra}"
            f"Date: {date}\n\n{text}\n")
    with Store(isolated_home) as store:
        report = store.import_paths([tmp_path])
        rows = sorted(tuple(r) for r in store.catalogue.conn.execute(
            "SELECT from_addr, date FROM messages"))
    assert [r[0] for r in rows] == ["ann@example.org", "ann@example.org", "bob@example.org"]
    assert report.duplicates == 1


def test_an_mbox_with_unescaped_from_lines_splits_only_at_real_messages(tmp_path):
    box = tmp_path / "Sent"
    box.write_bytes(
        b"From ann@example.org Tue Mar  5 10:12:00 2024\nFrom: ann@example.org\n"
        b"To: bob@example.org\nSubject: Plan\n\nHere is the plan.\n\n"
        b"From now on we meet on Tuesdays.\nThat is all.\n\n"
        b"From ann@example.org Wed Mar  6 09:00:00 2024\nFrom: ann@example.org\n"
        b"To: bob@example.org\nSubject: Second\n\nAnd another.\n")
    sources, problems = discover([box])
    assert problems == [] and sources[0].format == "mbox"
    records = [item.parse() for item in sources[0].items()]
    assert [r.subject for r in records] == ["Plan", "Second"]
    assert "From now on we meet on Tuesdays." in records[0].text
    assert sources[0].count() == 2


def test_single_message_files_with_an_envelope_line_are_mail(tmp_path):
    headers = ("From: ann@example.org\nTo: me@example.org\nSubject: Envelope {n}\n"
               "Date: Tue, 05 Mar 2024 10:12:00 +0000\n\nBody {n}\n")
    firsts = ["From ann@example.org", "Microsoft Mail Internet Headers Version 2.0",
              "From - Tue Mar 05 10:12:00 2024"]
    for n, first in enumerate(firsts):
        (tmp_path / f"{n}.eml").write_text(first + "\n" + headers.format(n=n))
    sources, problems = discover([tmp_path])
    assert problems == []
    records = sorted((item.parse() for s in sources for item in s.items()),
                     key=lambda r: r.subject)
    assert [r.subject for r in records] == ["Envelope 0", "Envelope 1", "Envelope 2"]
    assert [r.text.strip() for r in records] == ["Body 0", "Body 1", "Body 2"]
    assert all(r.from_addr == "ann@example.org" for r in records)


def test_a_message_forwarded_as_an_attachment_is_not_the_senders_text():
    raw = (b"From: me@example.org\nTo: bob@example.org\nSubject: Fwd: offer\n"
           b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=OUT\n\n"
           b"--OUT\nContent-Type: text/plain; charset=utf-8\n\nSee below, Bob.\n"
           b"--OUT\nContent-Type: message/rfc822\n\n"
           b"From: seller@example.net\nTo: me@example.org\nSubject: offer\n"
           b"Content-Type: text/plain; charset=utf-8\n\nOur best price is 900.\n"
           b"--OUT--\n")
    record = parse_rfc822(raw)
    assert record.text.strip() == "See below, Bob."


def test_a_mime_tree_that_cannot_be_walked_still_gives_its_text(monkeypatch):
    import store.mail as mail

    def broken(msg, record):
        raise AttributeError("a part the stdlib could not read")
    monkeypatch.setattr(mail, "_body_text", broken)
    raw = (b"From: a@example.org\nTo: b@example.org\nSubject: odd\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/mixed; boundary=ZZ\n\n--ZZ\n"
           b"Content-Type: text/plain\n\nThe meeting is at noon.\n--ZZ--\n")
    record = mail.parse_rfc822(raw)
    assert "The meeting is at noon." in record.text
    assert "Content-Type" not in record.text and "--ZZ" not in record.text
    assert any("text salvaged" in p for p in record.problems)
