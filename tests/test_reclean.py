"""A home imported with an older cleaner gets the current one without a re-import: bodies
cleaned again from the stored full text, their chunks replaced and re-embedded, and the
user's next training run (and any unfinished one) marked stale."""

import time

from app.training_status import training_needed
from store.api import Store
from store.reclean import cleaner_version, own_mail_changed_at
from tests.fakes import HashingEmbedder
from trainer.config import TrainSettings
from trainer.run_files import read_state, runs_dir, write_state

OWN = ("From: me@example.org\nTo: anna@example.org\nSubject: Re: Dachrinne\n"
       "Date: Tue, 05 Mar 2024 11:00:00 +0100\nMessage-ID: <own-{n}@example.org>\n\n"
       "Hallo Anna,\n\ndie Reparatur passt mir am Donnerstag um {n} Uhr.\n\nViele Grüße\nJan\n\n"
       "Am 05.03.2024 um 10:12 schrieb Anna Berg <anna@example.org>:\n"
       "Können wir die Dachrinne diese Woche reparieren lassen? Das Angebot liegt bei 480 €.\n")


def _old_home(home, tmp_path):
    """Import, then make the home look as an older cleaner left it: the quote kept."""
    mail = tmp_path / "mail"
    mail.mkdir()
    for n in range(1, 23):  # enough of the user's own mail to train on
        (mail / f"{n}.eml").write_text(OWN.format(n=n))
    with Store(home, embedder=HashingEmbedder()) as store:
        store.import_paths([mail], me=["me@example.org"])
        store.sync_index()
        conn = store.catalogue.conn
        conn.execute("UPDATE messages SET body = full_text, imported_at = ?",
                     (time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                                    time.gmtime(time.time() - 3600)),))
        conn.execute("DELETE FROM catalogue_meta")
        conn.execute("DELETE FROM schema_migrations WHERE name LIKE 'reclean%'")
        conn.execute("DELETE FROM chunks")
        rows = conn.execute("SELECT id, uid, full_text FROM messages").fetchall()
        for row in rows:
            store.catalogue.add_chunks(owner="message", owner_rowid=row["id"], uid=row["uid"],
                                       texts=[row["full_text"]])
        store.sync_index()
        assert "480 €" in store.search("Angebot Dachrinne", k=1)[0].text


def test_an_old_home_is_cleaned_again_once_and_reindexed(isolated_home, tmp_path):
    _old_home(isolated_home, tmp_path)
    with Store(isolated_home, embedder=HashingEmbedder()) as store:
        report = store.recleaned
        assert report is not None and report.checked == 22 and report.changed == 22
        assert len(report.own_changed) == 22
        bodies = [r[0] for r in store.catalogue.conn.execute("SELECT body FROM messages")]
        assert all("480" not in b and b.endswith("Viele Grüße\nJan") for b in bodies)
        assert cleaner_version(store.catalogue) >= 2
        names = {r[0] for r in store.catalogue.conn.execute(
            "SELECT name FROM schema_migrations")}
        assert any(n.startswith("reclean_bodies_cleaner_") for n in names)
        store.sync_index()
        hits = store.search("Angebot Dachrinne 480", k=5)
        assert hits and all("480 €" not in h.text for h in hits)
        assert store.index.count() == 22  # the old chunks went from the index too
    with Store(isolated_home, embedder=HashingEmbedder()) as store:
        assert store.recleaned is None  # once per cleaner version


def test_changed_own_mail_makes_training_stale_and_drops_an_unfinished_run(
        isolated_home, tmp_path, monkeypatch):
    _old_home(isolated_home, tmp_path)  # imported an hour ago
    finished = runs_dir(isolated_home) / "20240101-000000"
    finished.mkdir(parents=True)
    write_state(finished, model="smollm2-135m", status="finished", created=time.time() - 1800)
    paused = runs_dir(isolated_home) / "20240101-000001"
    paused.mkdir()
    (paused / "pairs.json").write_text("{}")
    write_state(paused, model="smollm2-135m", status="paused", created=time.time() - 900)
    with Store(isolated_home, embedder=HashingEmbedder()) as store:
        assert own_mail_changed_at(store.catalogue) is not None
        write_state(paused, status="finished")  # look past the paused run first
        assert training_needed(store.catalogue, "smollm2-135m", isolated_home) == (
            True, "your mail was cleaned again since the last run (its text changed)")
        write_state(paused, status="paused")

        import trainer.snapshot as snapshot

        fresh = runs_dir(isolated_home) / "fresh"
        monkeypatch.setattr(snapshot, "freeze_run", lambda *a, **k: fresh)
        got = snapshot.resume_or_freeze(store, TrainSettings(), "smollm2-135m", isolated_home)
    assert got == fresh
    assert read_state(paused)["status"] == "discarded"
    assert not (paused / "pairs.json").exists()
