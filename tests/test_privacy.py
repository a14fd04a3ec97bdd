"""Privacy, without Qt: what is kept (data_summary), export everything, forget with the
training data derived from it, delete everything. On a small invented mailbox."""

from __future__ import annotations

import json
import mailbox
import shutil
import zipfile

import pytest

from app import privacy
from app.schedule_settings import ScheduleSettings
from store.api import Store
from store.jobs import Cancelled, CancelToken
from store.retrieval import SearchFilters
from tests.conftest import SHARED_MODELS
from tests.mailfactory import message, write_mbox
from trainer.dataset import own_emails
from trainer.engine.prompts import Profile
from trainer.feedback import Feedback, load_feedback, record_feedback
from trainer.playback_run import playback, playback_cache
from trainer.registry import register_adapter
from trainer.run import read_state, runs_dir, write_state

SENT = [
    message(1, sender="me@example.org", to="ann@example.org", subject="Greenhouse glass",
            body="Ann, the glazier quoted £340 for the east panes. Shall we book him for March?"),
    message(2, sender="me@example.org", to="bob@example.org", subject="Seed order",
            body="Bob, please order 40 packets of Cosmos and 12 of sweet peas by Friday. Ta."),
    message(3, sender="me@example.org", to="cat@example.org", subject="Rota",
            body="Cat, you're on watering duty Tuesday and Thursday next week. Cheers, me."),
]
INBOX = [
    message(4, sender="ann@example.org", subject="Re: Greenhouse glass",
            body="Yes, book the glazier for the 14th, the quote is fine by the committee.",
            headers={"In-Reply-To": SENT[0]["Message-ID"]}),
    message(5, sender="ann@example.org", subject="Compost bays",
            body="The compost bays by the north gate need new boards before the spring rush."),
    message(6, sender="dan@example.org", subject="Beekeeping course",
            body="Dan here: the beekeeping course starts on the first Saturday in April."),
]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The mailbox imported once; each test works on a copy."""
    root = tmp_path_factory.mktemp("privacy")
    write_mbox(root / "mail" / "Sent", SENT)
    write_mbox(root / "mail" / "Inbox", INBOX)
    (root / "mail" / "notes.txt").write_text("Allotment waiting list: 23 names as of May.")
    home = root / "home"
    home.mkdir()
    with Store(home) as store:
        report = store.import_paths([root / "mail"], me=["me@example.org"])
    assert report.status == "completed", report.errors
    return home


@pytest.fixture
def home(imported, isolated_home):
    """A copy of the imported home as this test's data home (models stays the shared link)."""
    for entry in imported.iterdir():
        target = isolated_home / entry.name
        (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, target)
    return isolated_home


def _trainer_data(store: Store) -> dict:
    """What training leaves behind: playback cache, feedback, three runs (finished, paused,
    trained but not yet registered), an adapter."""
    home = store.home
    cache = playback_cache(home)
    instructions, _ = playback(own_emails(store), None, cache=cache)
    cache.close()
    record_feedback(Feedback(instruction="thank Ann", text="Thanks Ann, lovely. Me",
                             subject="Thanks", recipient="ann@example.org"), home)
    ids = [i.ident for i in instructions]
    runs = {}
    for name, status in (("20250101-010000", "finished"), ("20250102-010000", "paused"),
                         ("20250103-010000", "trained")):
        run_dir = runs_dir(home) / name
        run_dir.mkdir(parents=True)
        items = [{"email_id": ident, "input_ids": [1, 2], "labels": [-100, 2]} for ident in ids]
        (run_dir / "data.json").write_text(json.dumps({"train": items[:2], "held_out": items[2:]}))
        pairs = [{"email_id": ident, "completion": "…", "request": {"instruction": "…"}}
                 for ident in ids]
        (run_dir / "pairs.json").write_text(json.dumps({"format": 1, "train": pairs[:2],
                                                        "held_out": pairs[2:]}))
        (run_dir / "metrics.jsonl").write_text('{"step": 1, "loss": 2.5}\n')
        (run_dir / "checkpoint.pt").write_bytes(b"\0" * 64)
        write_state(run_dir, model="smollm2-135m", status=status,
                    dataset={"train_examples": 2, "held_out_examples": 1})
        runs[status] = run_dir
    (runs["trained"] / "adapter.gguf").write_bytes(b"GGUF" + b"\0" * 60)
    adapter = runs["finished"] / "adapter.gguf"
    adapter.write_bytes(b"GGUF" + b"\0" * 60)
    register_adapter(runs["finished"].name, {"model": "smollm2-135m", "path": str(adapter)},
                     home=home)
    from trainer.report import write_report

    # An evaluation report quoting each held-out email as a sample.
    write_report({"model": "smollm2-135m", "settings": {"base": {"rouge_l": 10.0}},
                  "samples": [{"id": ident, "instruction": f"request {n}",
                               "reference": f"the real email number {n}",
                               "outputs": {"base": "a draft"}} for n, ident in enumerate(ids)]},
                 home / "trainer" / "eval" / "smollm2-135m-20250101")
    return {"ids": ids, "runs": runs, "adapter": adapter}


# --- what is kept ------------------------------------------------------------------------
def test_data_summary_counts_sources_mail_and_training_data(home):
    with Store(home) as store:
        made = _trainer_data(store)
        summary = privacy.data_summary(store)
    assert summary["home"] == str(home)
    assert (summary["messages"], summary["own_messages"], summary["other_messages"]) == (6, 3, 3)
    assert summary["documents"] == 1 and summary["senders"] == 3
    by_name = {s["path"].rsplit("/", 1)[-1]: s for s in summary["sources"]}
    assert by_name["Sent"]["messages"] == 3 and by_name["Inbox"]["messages"] == 3
    assert by_name["notes.txt"]["documents"] == 1
    training = summary["training"]
    assert training["playback_pairs"] == len(made["ids"]) == 3
    assert training["runs"] == 3 and training["adapters"] == 1
    assert training["active_adapters"] == 1 and training["pending_feedback"] == 1
    assert training["last_run_train_examples"] == 2
    sizes = summary["sizes"]
    assert sizes["catalogue"] > 0 and sizes["index"] > 0 and sizes["trainer"] > 0
    assert summary["personal_bytes"] == sum(sizes.values())
    with Store(home) as store:
        people = {row["address"]: row["messages"] for row in privacy.senders(store)}
        conversations = privacy.threads(store)
    assert people == {"me@example.org": 3, "ann@example.org": 2, "dan@example.org": 1}
    glass = [t for t in conversations if t["subject"].endswith("Greenhouse glass")]
    assert glass and glass[0]["messages"] == 2  # the reply joined its thread


# --- export ------------------------------------------------------------------------------
def test_export_to_a_zip_holds_mail_settings_feedback_and_training_metadata(home, tmp_path):
    Profile(name="Me", sign_off="Cheers, me").save()
    ScheduleSettings(start="02:30").save()
    (home / "api-token").write_text("secret-token")
    with Store(home) as store:
        made = _trainer_data(store)
        events = []
        result = privacy.export_everything(store, tmp_path / "out" / "all.zip",
                                           progress=events.append)
    assert result.messages == 6 and result.documents == 1
    assert events[-1].done == events[-1].total
    with zipfile.ZipFile(tmp_path / "out" / "all.zip") as archive:
        names = set(archive.namelist())
        finished, paused = made["runs"]["finished"].name, made["runs"]["paused"].name
        assert {"README.txt", "mail.jsonl", "mail.mbox", "documents.jsonl", "catalogue.json",
                "settings.toml", "trainer/feedback.jsonl", "trainer/playback.jsonl",
                "adapters/registry.json", f"adapters/{finished}/adapter.gguf",
                f"trainer/runs/{finished}/state.json", f"trainer/runs/{finished}/metrics.jsonl",
                f"trainer/runs/{paused}/state.json"} <= names
        assert not any(n.endswith(("data.json", "checkpoint.pt", "api-token")) for n in names)
        assert not any(n.startswith(("index/", "models/")) for n in names)
        records = [json.loads(line) for line in archive.read("mail.jsonl").splitlines()]
        assert {r["subject"] for r in records} >= {"Seed order", "Beekeeping course"}
        assert sum(r["own"] for r in records) == 3
        assert "40 packets of Cosmos" in archive.read("mail.mbox").decode()
        assert "Allotment waiting list" in archive.read("documents.jsonl").decode()
        settings = archive.read("settings.toml").decode()
        assert 'sign_off = "Cheers, me"' in settings and 'start = "02:30"' in settings
        assert b"Thanks Ann, lovely" in archive.read("trainer/feedback.jsonl")
        pairs = archive.read("trainer/playback.jsonl").decode().splitlines()
        assert len(pairs) == 3 and all(json.loads(p)["instruction"] for p in pairs)
        catalogue = json.loads(archive.read("catalogue.json"))
        assert catalogue["summary"]["messages"] == 6
        assert b"secret-token" not in b"".join(archive.read(n) for n in names)


def test_export_to_a_folder_and_the_mbox_reads_back(home, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "mine.txt").write_text("keep me")
    with Store(home) as store:
        with pytest.raises(FileExistsError):
            privacy.export_everything(store, tmp_path / "busy")
        result = privacy.export_everything(store, tmp_path / "export", include_adapters=False)
    assert (tmp_path / "busy" / "mine.txt").read_text() == "keep me"
    out = tmp_path / "export"
    assert (out / "mail.jsonl").is_file() and "mail.mbox" in result.files
    box = mailbox.mbox(str(out / "mail.mbox"))
    assert len(box) == 6
    assert {m["Subject"] for m in box} >= {"Rota", "Compost bays"}
    assert not (out / "settings.toml").exists()  # nothing saved yet: nothing to copy


def test_a_cancelled_export_leaves_nothing(home, tmp_path):
    token = CancelToken()

    def cancel_after_mail(event):
        if event.done >= 1:
            token.cancel()

    with Store(home) as store, pytest.raises(Cancelled):
        privacy.export_everything(store, tmp_path / "gone.zip", progress=cancel_after_mail,
                                  cancel=token)
    assert not (tmp_path / "gone.zip").exists()


# --- forget ------------------------------------------------------------------------------
def test_forget_removes_the_mail_and_the_training_data_made_from_it(home):
    with Store(home) as store:
        made = _trainer_data(store)
        before = {r["id"] for r in store.records()}
        outcome = privacy.forget(store, thread=next(r["thread_id"] for r in store.records()
                                                    if r["subject"] == "Greenhouse glass"))
        assert outcome.result.messages == 2
        gone = before - {r["id"] for r in store.records()}
        assert len(gone) == 2
        assert not [h for h in store.search("glazier east panes", k=5)
                    if h.message_id in gone]
        summary = privacy.data_summary(store)
    assert outcome.playback_pairs_removed == 1  # one of the two was the user's own
    # The evaluation report no longer quotes it; the other samples stay.
    assert outcome.eval_samples_removed == 1
    report_dir = home / "trainer" / "eval" / "smollm2-135m-20250101"
    samples = json.loads((report_dir / "summary.json").read_text())["samples"]
    assert len(samples) == len(made["ids"]) - 1 and all(s["id"] not in gone for s in samples)
    forgotten = next(n for n, ident in enumerate(made["ids"]) if ident in gone)
    report = (report_dir / "report.md").read_text()
    assert f"the real email number {forgotten}" not in report
    assert sum(f"the real email number {n}" in report for n in range(len(made["ids"]))) == 2
    assert summary["training"]["playback_pairs"] == 2
    finished, paused, trained = (made["runs"][s] for s in ("finished", "paused", "trained"))
    assert outcome.runs_discarded == [paused.name, trained.name]
    assert sorted(outcome.run_data_removed) == sorted([finished.name, paused.name,
                                                       trained.name])
    for run in (paused, trained):  # never reached drafting: nothing of it is kept
        assert read_state(run)["status"] == "discarded"
        assert not [p.name for p in run.iterdir() if p.name in (
            "checkpoint.pt", "data.json", "pairs.json", "adapter.gguf")]
    assert (finished / "adapter.gguf").exists() and (finished / "metrics.jsonl").exists()
    assert not (finished / "pairs.json").exists()
    assert len(load_feedback(home)) == 1


def test_forget_keeps_an_unfinished_run_that_never_saw_the_mail(home):
    with Store(home) as store:
        made = _trainer_data(store)
        outcome = privacy.forget(store, sender="dan@example.org")
        assert outcome.result.messages == 1
        assert not store.search("beekeeping course", k=5, filters=SearchFilters(
            sender="dan@example.org"))
    assert outcome.playback_pairs_removed == 0 and outcome.runs_discarded == []
    assert read_state(made["runs"]["paused"])["status"] == "paused"
    assert (made["runs"]["paused"] / "data.json").exists()
    assert (made["runs"]["paused"] / "pairs.json").exists()
    assert read_state(made["runs"]["trained"])["status"] == "trained"


def test_forgetting_a_sender_removes_their_email_from_accepted_drafts(home):
    quoted = {"text": "Can you bring the beekeeping gloves?", "sender": "Dan <dan@example.org>",
              "subject": "Gloves", "date": ""}
    record_feedback(Feedback(instruction="say yes", text="Yes, I'll bring them. Me",
                             reply_to=quoted), home)
    record_feedback(Feedback(instruction="thank Ann", text="Thanks Ann. Me",
                             reply_to={**quoted, "sender": "ann@example.org"}), home)
    with Store(home) as store:
        outcome = privacy.forget(store, sender="DAN@example.org")
    assert outcome.feedback_quotes_removed == 1
    kept = {entry.instruction: entry for entry in load_feedback(home)}
    assert kept["say yes"].reply_to is None and kept["say yes"].text.startswith("Yes")
    assert kept["thank Ann"].reply_to["sender"] == "ann@example.org"


# --- delete ------------------------------------------------------------------------------
def test_delete_everything_leaves_nothing_personal_and_keeps_the_model_cache(home):
    Profile(name="Me").save()
    (home / "api-token").write_text("secret")
    (home / "models.json").write_text('{"models": {}, "default": "smollm2-135m"}')
    (home / "my-notes.txt").write_text("not Amanuensis's")
    marker = SHARED_MODELS / "privacy-test-marker"
    marker.write_text("shared")
    with Store(home) as store:
        _trainer_data(store)
        assert store.search("compost bays", k=3)  # the index is open in this process
    removed, kept = privacy.planned_deletion(home)
    assert {"catalogue.sqlite3", "index", "trainer", "adapters", "settings.toml",
            "api-token", "models.json"} <= set(removed)
    assert "models" not in removed
    result = privacy.delete_everything(home)
    assert set(result.removed) == set(removed)
    left = {p.name for p in home.iterdir()}
    assert left == {"models", "my-notes.txt"}
    assert [k.split(" ")[0] for k in result.kept] == ["models", "my-notes.txt"]
    assert (home / "models").is_symlink() and marker.read_text() == "shared"
    marker.unlink()
    with Store(home) as store:  # a fresh, empty store in the same place
        stats = store.stats()
        assert stats["messages"] == stats["documents"] == 0 and stats["sources"] == []
        assert store.search("compost bays", k=3) == []
        assert store.index.count() == 0
    assert Profile.load() == Profile()


def test_delete_everything_can_take_the_model_cache_too_without_following_its_link(home):
    marker = SHARED_MODELS / "privacy-test-marker-2"
    marker.write_text("shared")
    result = privacy.delete_everything(home, include_model_cache=True)
    assert "models" in result.removed and not (home / "models").exists()
    assert marker.exists()  # the link went, not what it points at
    marker.unlink()


# --- the command line --------------------------------------------------------------------
def test_export_all_and_delete_all_commands(home, tmp_path, capsys):
    from app.cli import main

    assert main(["export-all", str(tmp_path / "all.zip"), "--json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["messages"] == 6 and "mail.mbox" in exported["files"]
    assert zipfile.is_zipfile(tmp_path / "all.zip")
    assert main(["delete-all"]) == 2  # refuses without --yes
    assert (home / "catalogue.sqlite3").exists()
    capsys.readouterr()
    assert main(["delete-all", "--yes", "--json"]) == 0
    deleted = json.loads(capsys.readouterr().out)
    assert "catalogue.sqlite3" in deleted["removed"] and not (home / "catalogue.sqlite3").exists()
    assert (home / "models").is_symlink()
