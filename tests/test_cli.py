"""The command line, in process, on invented mail: JSON shapes, exit codes, forgetting."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from tests.mailfactory import message, write_mbox


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def mailbox_dir(tmp_path):
    sent = [
        message(1, sender="me@example.org", to="ann@example.org", subject="Greenhouse glass",
                body="Ann, the glazier quoted £340 for the east panes. Shall we book him?"),
        message(2, sender="me@example.org", to="bob@example.org", subject="Seed order",
                body="Bob, please order 40 packets of Cosmos and 12 of sweet peas by Friday."),
        message(3, sender="me@example.org", to="cat@example.org", subject="Rota",
                body="Cat, you're on watering duty Tuesday and Thursday next week. Cheers."),
    ]
    inbox = [
        message(4, sender="ann@example.org", subject="Re: Greenhouse glass",
                body="Yes, book him for the 14th.\n\nOn Mon, Ann wrote:\n> quote attached"),
        message(5, sender="news@list.example.org", subject="Weekly digest",
                body="Top stories this week about compost, bees and rainwater butts.",
                headers={"List-Unsubscribe": "<mailto:leave@list.example.org>"}),
    ]
    write_mbox(tmp_path / "mail" / "Sent", sent)
    write_mbox(tmp_path / "mail" / "Inbox", inbox)
    # The same sent message again, as another folder's copy with a new Message-ID.
    copy = message(1, sender="me@example.org", to="ann@example.org", subject="Greenhouse glass",
                   body="Ann, the glazier quoted £340 for the east panes. Shall we book him?")
    del copy["Message-ID"]
    copy["Message-ID"] = "<another-copy@example.org>"
    write_mbox(tmp_path / "mail" / "Archive", [copy])
    return tmp_path / "mail"


def test_import_json_report_and_identity_guess(capsys, mailbox_dir):
    code, out, err = run(capsys, "import", str(mailbox_dir), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert {"imported", "duplicates", "skipped", "errors"} <= set(report)
    assert report["imported"] == 5
    assert report["duplicates"] == 1 and report["duplicates_by"] == {"body": 1}
    assert report["errors"] == []
    assert report["identity"] == {
        "addresses": ["me@example.org"], "origin": "suggested",
        "why": {"me@example.org": "sends the mail in your sent folders (3 messages)"}}
    assert "reading" in err  # progress went to stderr

    code, out, _ = run(capsys, "import", str(mailbox_dir), "--json")
    again = json.loads(out)
    assert again["imported"] == 0 and again["already_imported"] == 6


def test_stats_search_export_and_forget(capsys, mailbox_dir, tmp_path):
    assert run(capsys, "import", str(mailbox_dir), "--me", "me@example.org")[0] == 0
    code, out, _ = run(capsys, "stats", "--json")
    stats = json.loads(out)
    assert {"messages", "own_messages", "documents", "chunks", "sources"} <= set(stats)
    assert (stats["messages"], stats["own_messages"], stats["documents"]) == (5, 3, 0)
    assert len(stats["sources"]) == 3

    code, out, _ = run(capsys, "search", "£340 glazier", "-k", "3", "--json")
    hits = json.loads(out)
    assert hits[0]["subject"] == "Greenhouse glass"
    assert {"text", "score", "source", "message_id"} <= set(hits[0])
    code, out, _ = run(capsys, "search", "watering duty", "--own", "--json")
    assert all(h["own"] for h in json.loads(out))

    target = tmp_path / "export.jsonl"
    assert run(capsys, "export", "--own", "-o", str(target))[0] == 0
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(records) == 3
    assert {"id", "date", "from", "to", "subject", "body", "flags"} <= set(records[0])
    code, out, _ = run(capsys, "export", "--format", "mbox")
    assert out.count("\nFrom ") + out.startswith("From ") == 5

    code, out, _ = run(capsys, "forget", "--sender", "ann@example.org", "--json")
    assert json.loads(out)["forgotten_messages"] == 1
    code, out, _ = run(capsys, "search", "book him for the 14th", "--json")
    assert all(h["sender"] != "ann@example.org" for h in json.loads(out))
    # Forgotten senders stay forgotten when the archive is imported again.
    code, out, _ = run(capsys, "import", str(mailbox_dir), "--json")
    code, out, _ = run(capsys, "stats", "--json")
    assert json.loads(out)["messages"] == 4


def test_forget_source_and_message(capsys, mailbox_dir):
    run(capsys, "import", str(mailbox_dir))
    code, out, _ = run(capsys, "search", "seed order", "-k", "1", "--json")
    uid = json.loads(out)[0]["message_id"]
    code, out, _ = run(capsys, "forget", "--message", uid, "--json")
    assert json.loads(out)["forgotten_messages"] == 1
    # The copy in Archive keeps the Greenhouse message when only Sent is forgotten.
    code, out, _ = run(capsys, "forget", "--source", str(mailbox_dir / "Sent"), "--json")
    assert json.loads(out)["forgotten_messages"] == 1  # the rota; the seed order was gone
    code, out, _ = run(capsys, "stats", "--json")
    stats = json.loads(out)
    assert stats["messages"] == 3
    assert stats["chunks"] == stats["indexed_chunks"] == 3
    code, _, err = run(capsys, "forget", "--message", "no-such-id")
    assert code == 1 and "no message" in err


def test_exit_code_says_something_failed(capsys, tmp_path, mailbox_dir):
    (mailbox_dir / "junk.dat.bin").write_bytes(b"\x00\xff" * 100)
    code, out, _ = run(capsys, "import", str(mailbox_dir), "--json")
    assert code == 1
    assert json.loads(out)["errors"][0]["file"].endswith("junk.dat.bin")
