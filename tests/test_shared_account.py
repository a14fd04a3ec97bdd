"""The real shared account, imported once: identity, de-duplication, cleaning, search."""

from __future__ import annotations

import json
import re

import pytest

from store.retrieval import SearchFilters

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]

OWNER = {"phillip.allen@enron.com", "k..allen@enron.com"}


def first_report(enron_home) -> dict:
    return json.loads((enron_home / "first-report.json").read_text())


def test_every_message_is_accounted_for(enron_home):
    report = first_report(enron_home)
    assert report["errors"] == []
    total = report["imported"] + report["duplicates"] + sum(report["skipped"].values())
    assert total == 3034


def test_both_owner_addresses_are_suggested(enron_home):
    report = first_report(enron_home)
    assert report["identity"]["origin"] == "suggested"
    assert set(report["identity"]["addresses"]) == OWNER


def test_deduplication_by_body_across_folders(enron_store):
    stats = enron_store.stats()
    # 866 distinct own bodies (whitespace folded); very short bodies are kept apart by
    # sender, subject and date, so a few more may remain.
    assert 860 <= stats["own_messages"] <= 900
    # The owner's copies alone account for 2,422 - 866 = 1,556 duplicates.
    assert stats["duplicates_seen"] >= 1556
    assert stats["pending_chunks"] == 0
    assert stats["indexed_chunks"] == enron_store.index.count()
    assert stats["indexed_chunks"] + stats["keyword_only_chunks"] == stats["chunks"]


_FOREIGN_BLOCK = re.compile(
    r"(Forwarded by|-----\s*Original Message|^\s*>|wrote:\s*$|^\s*(From|To|Subject|Sent|cc):.*$"
    r"|\d\d/\d\d/\d{4} \d\d:\d\d (AM|PM))",
    re.M | re.I,
)


def test_fewer_than_two_percent_of_own_bodies_hold_someone_elses_text(enron_store):
    bodies = [r["body"] for r in enron_store.records(own=True)]
    contaminated = [b for b in bodies if _FOREIGN_BLOCK.search(b)]
    assert len(bodies) > 800
    assert len(contaminated) / len(bodies) < 0.02, contaminated[:5]


def test_search_finds_names_numbers_and_meaning(enron_store):
    hits = enron_store.search("gas price forecast", k=5)
    assert len(hits) == 5
    assert all(h.kind == "email" and h.message_id for h in hits)
    joined = " ".join(h.text.lower() for h in hits)
    assert "gas" in joined or "price" in joined
    own_hits = enron_store.search("Lucy rent", k=5, filters=SearchFilters(own=True))
    assert own_hits and all(h.own for h in own_hits)
    assert all(h.sender in OWNER for h in own_hits)


def test_reimporting_the_same_account_adds_nothing(enron_store):
    from tests.conftest import SHARED_ACCOUNT

    before = enron_store.stats()
    report = enron_store.import_paths([SHARED_ACCOUNT])
    after = enron_store.stats()
    assert report.imported == 0 and report.duplicates == 0
    assert report.already_imported == 3034
    assert (after["messages"], after["chunks"]) == (before["messages"], before["chunks"])
