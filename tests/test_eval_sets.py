"""The natural-request sets we wrote: every line names an email that exists, and no
request copies its email (more than four words in a row), so scores cannot come from
copying."""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
import re
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE, require_shared_account


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower().replace(",", ""))


def _check(path: Path, mboxes: list[Path], minimum: int) -> None:
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    assert len(entries) >= minimum
    bodies = {}
    for mbox in mboxes:
        for raw in mailbox.mbox(mbox):
            message = email.message_from_bytes(raw.as_bytes(), policy=email.policy.default)
            part = message.get_body(("plain", "html"))
            bodies[(message["Message-ID"] or "").strip()] = part.get_content() if part else ""
    for entry in entries:
        assert entry["message_id"] in bodies, entry["message_id"]
        asked, body = _words(entry["instruction"]), _words(bodies[entry["message_id"]])
        assert body, f"{entry['message_id']}: no plain-text body to compare with"
        assert 4 <= len(asked) <= 40, entry
        runs = {tuple(body[i:i + 5]) for i in range(len(body) - 4)}
        copied = [asked[i:i + 5] for i in range(len(asked) - 4) if tuple(asked[i:i + 5]) in runs]
        assert not copied, (entry["message_id"], copied)


def test_the_sample_personas_natural_requests():
    _check(REPO / "resources" / "eval" / "natural-requests.jsonl",
           [SAMPLE / "mail" / "Sent.mbox"], minimum=25)


@pytest.mark.shared_data
def test_the_shared_accounts_natural_requests():
    account = require_shared_account()
    _check(REPO / "tests" / "fixtures" / "eval" / "enron-natural-requests.jsonl",
           sorted(account.glob("*sent*.mbox")), minimum=25)
