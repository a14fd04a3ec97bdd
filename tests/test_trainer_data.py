"""The trainer's data layer: playback cache, split, context, encoding, loss, registry,
feedback. Real store (the sample persona), no training."""

from __future__ import annotations

import json

import pytest
import torch
import torch.nn.functional as F

from store.api import Store
from store.jobs import Cancelled, CancelToken
from trainer.batches import collate, encode_pairs, epoch_order
from trainer.dataset import build_dataset, own_emails, pair_from_feedback
from trainer.feedback import Feedback, load_feedback, pending_feedback, record_feedback
from trainer.loss import IGNORE, answer_loss
from trainer.playback import EmbeddingKeyphrases
from trainer.playback_run import PlaybackCache, playback
from trainer.registry import (
    activate_adapter,
    active_adapter,
    list_adapters,
    register_adapter,
    rollback,
    trained_feedback_ids,
)


@pytest.fixture
def sample_store(sample_home):
    with Store(sample_home) as store:
        yield store


@pytest.fixture
def sample_pairs(sample_store, tmp_path):
    emails = own_emails(sample_store)
    cache = PlaybackCache(tmp_path / "playback.sqlite")
    instructions, report = playback(emails, EmbeddingKeyphrases(sample_store.embedder), cache=cache)
    cache.close()
    return emails, instructions, report


def test_playback_cache_skips_done_emails_and_resumes_after_a_cancel(sample_store, tmp_path):
    emails = own_emails(sample_store)[:30]
    keyphrases = EmbeddingKeyphrases(sample_store.embedder)
    cache = PlaybackCache(tmp_path / "p.sqlite")
    token = CancelToken()
    seen = []

    def progress(event):
        seen.append(event.done)
        if event.done >= 10:
            token.cancel()

    with pytest.raises(Cancelled):
        playback(emails, keyphrases, cache=cache, progress=progress, cancel=token)
    done = cache.conn.execute("SELECT COUNT(*) FROM pairs").fetchone()[0]
    assert 10 <= done < 30  # committed work survives the cancel
    instructions, report = playback(emails, keyphrases, cache=cache)
    assert report.cached == done and report.emails == 30
    assert cache.conn.execute("SELECT COUNT(*) FROM pairs").fetchone()[0] == 30
    again, report2 = playback(emails, keyphrases, cache=cache)
    assert report2.cached == 30 and report2.emails_per_min == 0.0
    assert [i.text for i in again] == [i.text for i in instructions]
    assert all(i.check is not None for i in again)
    cache.close()


def test_split_is_chronological_and_context_never_leaks(sample_store, sample_pairs):
    emails, instructions, _ = sample_pairs
    data = build_dataset(sample_store, emails, instructions, held_out_share=0.2,
                         context_share=0.5, k=3, min_similarity=0.25)
    assert data.held_out and data.train
    assert len(data.held_out) == round((len(data.train) + len(data.held_out)) * 0.2)
    newest_trained = max(p.date for p in data.train)
    assert all(p.date >= newest_trained for p in data.held_out)
    held = {p.email_id for p in data.held_out}
    assert not held & {p.email_id for p in data.train}
    with_context = [p for p in data.train if p.with_context]
    assert 0.3 * len(data.train) < len(with_context) < 0.7 * len(data.train)
    for pair in with_context:
        used = {e.ident for e in pair.request.examples}
        assert pair.email_id not in used and not used & held
    new_mail = [p for p in data.train if p.request.reply_to is None]
    assert new_mail and all(p.completion.startswith("Subject: ") for p in new_mail)
    replies = [p for p in data.train if p.request.reply_to is not None]
    assert replies and not any(p.completion.startswith("Subject:") for p in replies)
    # The same inputs give the same data (a resumed run must see the same examples).
    again = build_dataset(sample_store, emails, instructions, held_out_share=0.2,
                          context_share=0.5, k=3, min_similarity=0.25)
    assert again.snapshot == data.snapshot


def test_a_frozen_run_holds_the_pairs_exactly_and_a_cancel_leaves_no_run(
        sample_store, sample_pairs, tmp_path):
    """What the owner hands the trainer process: every pair with its retrieved context and
    thread, read back equal; stopped midway (a pause, a forget), no half-made run."""
    import shutil

    from trainer.config import TrainSettings
    from trainer.run_files import list_runs, read_state
    from trainer.snapshot import freeze_run, read_pairs

    emails, instructions, _ = sample_pairs
    (tmp_path / "trainer").mkdir()  # the fixture's playback, as this home's cache
    shutil.copy2(tmp_path / "playback.sqlite", tmp_path / "trainer" / "playback.sqlite")
    settings = TrainSettings(held_out_share=0.2, context_share=0.5)
    run_dir = freeze_run(sample_store, settings, "smollm2-135m", tmp_path)
    train, held, profile = read_pairs(run_dir)
    expected = build_dataset(sample_store, emails, instructions, held_out_share=0.2,
                             context_share=0.5)
    assert train == expected.train and held == expected.held_out
    assert any(p.request.examples for p in train) and any(p.request.reply_to for p in train)
    assert profile.name  # the name the user's mail is sent under
    state = read_state(run_dir)
    assert state["status"] == "frozen" and state["model"] == "smollm2-135m"
    assert state["held_out_ids"] == [p.email_id for p in held]
    assert state["dataset"]["snapshot"] == expected.snapshot

    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        freeze_run(sample_store, settings, "smollm2-135m", tmp_path, cancel=token)
    assert [run["id"] for run in list_runs(tmp_path)] == [run_dir.name]


@pytest.mark.slow  # the training tokenizer: the base model dequantized from its GGUF
def test_encoding_puts_only_the_email_and_end_of_turn_under_the_loss(sample_store, sample_pairs,
                                                                     sample_home):
    from trainer.base import load_base_tokenizer
    from trainer.engine.chat import chat_format_for
    from trainer.engine.models import ModelCatalogue

    emails, instructions, _ = sample_pairs
    data = build_dataset(sample_store, emails, instructions)
    info = ModelCatalogue().info()
    tokenizer = load_base_tokenizer(info)
    fmt = chat_format_for(info)
    encoded, skipped = encode_pairs(data.train[:20], tokenizer, fmt, 640)
    assert len(encoded) + sum(skipped.values()) == 20
    for item in encoded:
        answer = [t for t, label in zip(item.input_ids, item.labels, strict=True) if label != IGNORE]
        text = tokenizer.decode(answer)
        assert text.endswith(fmt.end_of_turn)
        assert item.labels[: len(item.labels) - len(answer)] == [IGNORE] * (len(item.labels) - len(answer))
        assert len(item.input_ids) <= 640
    first = encoded[0]
    assert tokenizer.decode(first.input_ids).count("<|im_start|>assistant") == 1


def test_epoch_order_is_reproducible_and_covers_everything():
    from trainer.batches import Encoded

    items = [Encoded(str(i), [1] * (i % 7 + 1), [1] * (i % 7 + 1)) for i in range(37)]
    a = epoch_order(items, 4, seed=3, epoch=1)
    assert a == epoch_order(items, 4, seed=3, epoch=1)
    assert a != epoch_order(items, 4, seed=3, epoch=2)
    assert sorted(i for batch in a for i in batch) == list(range(37))


def test_chunked_answer_loss_matches_the_full_cross_entropy():
    torch.manual_seed(0)
    hidden = torch.randn(2, 9, 16, requires_grad=True)
    weight = torch.randn(50, 16, requires_grad=True)
    labels = torch.randint(0, 50, (2, 9))
    labels[0, :4] = IGNORE
    labels[1, :6] = IGNORE
    full = F.cross_entropy((hidden @ weight.t())[:, :-1].reshape(-1, 50), labels[:, 1:].reshape(-1),
                           ignore_index=IGNORE)
    full.backward()
    expected = hidden.grad.clone(), weight.grad.clone()
    hidden.grad = weight.grad = None
    loss, count = answer_loss(hidden, labels, weight, chunk=3)
    loss.backward()
    assert count == int((labels[:, 1:] != IGNORE).sum())
    assert torch.allclose(loss, full, atol=1e-6)
    assert torch.allclose(hidden.grad, expected[0], atol=1e-6)
    assert torch.allclose(weight.grad, expected[1], atol=1e-6)
    batch = collate([type("E", (), {"input_ids": [1, 2], "labels": [IGNORE, 2]})()], pad_id=0)
    assert batch["input_ids"].shape == (1, 2)


def test_registry_activates_rolls_back_and_drafting_sees_the_active_adapter(isolated_home):
    for ident in ("a1", "a2"):
        path = isolated_home / f"{ident}.gguf"
        path.write_bytes(b"GGUF")
        register_adapter(ident, {"model": "m", "path": str(path), "created": ident,
                                 "feedback_ids": [f"fb-{ident}"]})
    assert active_adapter("m")[0] == "a2"
    assert [row["id"] for row in list_adapters("m") if row["active"]] == ["a2"]
    assert rollback("m") == "a1" and active_adapter("m")[0] == "a1"
    assert rollback("m") is None and active_adapter("m") is None
    activate_adapter("a2")
    assert active_adapter("m")[0] == "a2"
    with pytest.raises(KeyError, match="nope"):
        activate_adapter("nope")
    assert trained_feedback_ids() == {"fb-a1", "fb-a2"}


def test_accepted_drafts_are_pending_until_an_adapter_trains_on_them(isolated_home):
    first = record_feedback(Feedback(instruction="thank Stan", text="Cheers Stan.\n\nOnward,\nTeddy",
                                     subject="Glazing", recipient="stan@example.com"))
    second = record_feedback(Feedback(instruction="yes to Tuesday", text="Tuesday works.",
                                      reply_to={"text": "Tuesday?", "sender": "Nina"}))
    with (isolated_home / "trainer" / "feedback.jsonl").open("a") as out:
        out.write('{"instruction": "cut off mid-wri')  # a crash mid-write loses only that line
    assert [f.ident for f in load_feedback()] == [first.ident, second.ident]
    assert [f.ident for f in pending_feedback({first.ident})] == [second.ident]
    pair = pair_from_feedback(first)
    assert pair.completion.startswith("Subject: Glazing") and pair.source == "feedback"
    assert pair_from_feedback(second).request.reply_to.sender == "Nina"
    with pytest.raises(ValueError):
        record_feedback(Feedback(instruction=" ", text="x"))


def test_deadline_takes_the_earlier_of_minutes_and_time_of_day():
    from datetime import datetime

    from trainer.cli import deadline_from

    now = datetime(2026, 11, 27, 23, 0)
    assert deadline_from(None, None, now) is None
    assert deadline_from(30, None, now) == datetime(2026, 11, 27, 23, 30).timestamp()
    assert deadline_from(None, "06:00", now) == datetime(2026, 11, 28, 6, 0).timestamp()
    assert deadline_from(600, "06:00", now) == datetime(2026, 11, 28, 6, 0).timestamp()


def test_playback_cli_exports_every_pair_with_its_flags(sample_home, monkeypatch, tmp_path,
                                                        capsys):
    from app.cli import main

    monkeypatch.setenv("AMANUENSIS_HOME", str(sample_home))
    out = tmp_path / "pairs.jsonl"
    assert main(["playback", "--json", "--export", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("emails", "usable", "echo", "meta", "invented", "methods", "emails_per_min"):
        assert key in report
    assert report["usable"] / report["emails"] >= 0.9
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == report["emails"]
    assert {"email_id", "instruction", "method", "usable", "echo", "meta", "invented"} <= set(rows[0])


def test_four_bit_training_without_bitsandbytes_says_what_is_missing():
    import importlib.util

    from trainer.base import load_base
    from trainer.engine.models import ModelCatalogue, ModelError

    if importlib.util.find_spec("bitsandbytes") is not None:
        pytest.skip("bitsandbytes is installed here")
    with pytest.raises(ModelError, match="bitsandbytes"):
        load_base(ModelCatalogue().info(), four_bit=True)


def test_a_read_only_playback_cache_reads_what_is_kept_and_writes_nothing(sample_store,
                                                                          tmp_path):
    """What a process working for the home's owner (the evaluation) uses."""
    emails = own_emails(sample_store)[:12]
    path = tmp_path / "playback.sqlite"
    cache = PlaybackCache(path)
    playback(emails[:6], None, cache=cache)
    cache.close()
    before = path.read_bytes()
    reader = PlaybackCache(path, read_only=True)
    instructions, report = playback(emails, None, cache=reader)
    assert report.cached == 6 and len(instructions) == 12
    again, report = playback(emails, None, cache=reader)
    assert report.cached == 12 and [i.text for i in again] == [i.text for i in instructions]
    reader.close()
    assert path.read_bytes() == before
    fresh = PlaybackCache(tmp_path / "never-made.sqlite", read_only=True)
    playback(emails[:2], None, cache=fresh)
    fresh.close()
    assert not (tmp_path / "never-made.sqlite").exists()
