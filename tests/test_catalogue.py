from __future__ import annotations

import sqlite3

import pytest

from store.catalogue import Catalogue
from store.migrations import MIGRATIONS
from store.settings import SettingsError, StoreSettings, data_home


def test_migrations_are_named_recorded_and_applied_once(tmp_path):
    catalogue = Catalogue(tmp_path / "c.sqlite3")
    assert catalogue.applied_migrations == [name for name, _ in MIGRATIONS]
    rows = catalogue.conn.execute("SELECT name FROM schema_migrations").fetchall()
    assert [r[0] for r in rows] == [name for name, _ in MIGRATIONS]
    catalogue.close()
    again = Catalogue(tmp_path / "c.sqlite3")
    assert again.applied_migrations == []


def test_deleting_a_message_cascades_to_chunks_fts_and_tombstones(tmp_path):
    from store.clean import CleanText
    from store.mail import MailRecord

    catalogue = Catalogue(tmp_path / "c.sqlite3")
    record = MailRecord(message_id="x@y", subject="hello", from_addr="a@b.example",
                        text="some words about compost heaps and worms here")
    with catalogue.transaction():
        rowid = catalogue.add_message(record, CleanText(record.text), key="k" * 64,
                                      thread_id="x@y", folder="Inbox", in_sent_folder=False,
                                      is_own=False, is_forward=False)
        catalogue.add_chunks(owner="message", owner_rowid=rowid, uid="mkkk", texts=["compost"])
    catalogue.mark_indexed(["mkkk:0"])
    hits = catalogue.conn.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH 'compost'")
    assert len(hits.fetchall()) == 1
    with catalogue.transaction():
        catalogue.conn.execute("DELETE FROM messages WHERE id = ?", (rowid,))
    assert catalogue.count("SELECT COUNT(*) FROM chunks") == 0
    hits = catalogue.conn.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH 'compost'")
    assert hits.fetchall() == []
    assert catalogue.tombstones() == ["mkkk:0"]


def test_home_override_and_typed_settings(isolated_home):
    assert data_home() == isolated_home
    settings = StoreSettings(chunk_words=150)
    settings.save()
    assert StoreSettings.load().chunk_words == 150
    text = (isolated_home / "settings.toml").read_text()
    (isolated_home / "settings.toml").write_text(
        text.replace("chunk_words = 150", 'chunk_words = "many"') + "\n[trainer]\nepochs = 3\n")
    with pytest.raises(SettingsError, match="chunk_words should be int"):
        StoreSettings.load()


def test_saving_one_section_keeps_the_others(isolated_home):
    (isolated_home / "settings.toml").write_text("[trainer]\nepochs = 3\n")
    StoreSettings().save()
    import tomllib

    data = tomllib.loads((isolated_home / "settings.toml").read_text())
    assert data["trainer"] == {"epochs": 3} and "store" in data


def test_foreign_keys_are_enforced(tmp_path):
    catalogue = Catalogue(tmp_path / "c.sqlite3")
    with pytest.raises(sqlite3.IntegrityError):
        catalogue.conn.execute(
            "INSERT INTO source_items(source_id, raw_hash, locator, outcome) VALUES (99,'h','l','x')")
