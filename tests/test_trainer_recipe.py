"""The real recipe on the default model: a few steps on the sample persona's mail, an
adapter llama.cpp loads, a resumed run that repeats the uninterrupted loss curve, and an
evaluation through all four settings."""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest

from store.api import Store
from store.jobs import CancelToken
from tests.conftest import share_models
from trainer.config import TrainSettings
from trainer.engine.context import ContextSettings
from trainer.registry import load_registry
from trainer.run import train

pytestmark = pytest.mark.slow


def _settings() -> TrainSettings:
    return TrainSettings(max_examples=8, batch_size=2, max_steps=6, eval_every=3,
                         checkpoint_every=100, max_seq_tokens=384, learning_rate=2e-3,
                         warmup_steps=2, threads=2, patience=10, held_out_share=0.05)


def _losses(run_dir) -> list[float]:
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    return [r["loss"] for r in records if "loss" in r]


@pytest.fixture(scope="module")
def trained_home(sample_home, tmp_path_factory):
    """A copy of the sample home with one uninterrupted run and one stopped-and-resumed run."""
    home = tmp_path_factory.mktemp("recipe-home")
    for name in ("catalogue.sqlite3", "index"):
        src = sample_home / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, home / name)
    share_models(home)
    return home


@pytest.fixture(scope="module")
def runs(trained_home):
    with Store(trained_home) as store:
        whole = train(store, _settings(), home=trained_home)
        token = CancelToken()

        def stop_after_three(record):
            if record["step"] == 3:
                token.cancel()

        paused = train(store, _settings(), home=trained_home, log=stop_after_three,
                       cancel=token)
        resumed = train(store, _settings(), home=trained_home, resume=True)
    return whole, paused, resumed


def test_the_recipe_trains_exports_and_registers_an_adapter(runs, trained_home):
    whole, _, _ = runs
    assert whole["status"] == "finished" and whole["step"] == 6
    losses = _losses(trained_home / "trainer" / "runs" / whole["run"])
    assert len(losses) == 6 and all(math.isfinite(x) for x in losses)
    # 8 examples, 2 per step: steps 5-6 revisit what steps 1-2 saw, now learned.
    assert sum(losses[4:]) < sum(losses[:2])
    adapter = trained_home / "trainer" / "runs" / whole["run"] / "adapter.gguf"
    assert adapter.is_file() and adapter.stat().st_size > 100_000
    verification = whole["verification"]
    assert verification["delta_cosine"] > 0.5, verification
    assert verification["agreement"] >= verification["base_agreement"] - 0.1
    assert whole["dataset"]["train_examples"] == 8


def test_a_resumed_run_repeats_the_uninterrupted_loss_curve(runs, trained_home):
    whole, paused, resumed = runs
    assert paused["status"] == "paused" and paused["step"] == 3
    assert resumed["run"] == paused["run"] and resumed["status"] == "finished"
    root = trained_home / "trainer" / "runs"
    assert (json.loads((root / whole["run"] / "data.json").read_text())
            == json.loads((root / paused["run"] / "data.json").read_text()))
    assert _losses(root / paused["run"]) == pytest.approx(_losses(root / whole["run"]),
                                                          abs=1e-4)
    assert resumed["eval_loss"] == pytest.approx(whole["eval_loss"], abs=1e-4)
    first = json.loads((root / whole["run"] / "metrics.jsonl").read_text().splitlines()[0])
    assert first["step"] == 0 and first["eval_loss"] > whole["best_eval_loss"]


def test_llama_cpp_drafts_with_the_trained_adapter(runs, trained_home, monkeypatch):
    from app.drafting import DraftingService, DraftRequest

    monkeypatch.setenv("AMANUENSIS_HOME", str(trained_home))
    _, _, resumed = runs
    with Store(trained_home) as store:
        service = DraftingService(store=store)
        try:
            draft = service.draft(DraftRequest("thank Stan for the glazing quote", seed=1,
                                               max_tokens=60, use_rag=False))
        finally:
            service.close()
    assert draft.adapter == resumed["run"]  # the last registered run is the active one
    # A 6-step adapter on 8 emails may stop after the subject line; what matters here is
    # that llama.cpp serves it and generates.
    assert draft.raw_text.strip() and draft.completion_tokens > 0
    # Candidates are ranked with the adapter's own likelihood of what it wrote.
    assert draft.check["likelihood"] is not None and draft.check["likelihood"] < 0


def test_evaluation_scores_four_settings_and_writes_a_report(runs, trained_home, monkeypatch,
                                                            capsys):
    from app.cli import main

    monkeypatch.setenv("AMANUENSIS_HOME", str(trained_home))
    assert main(["eval", "--limit", "2", "--pick-context", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["held_out"] >= 2 and result["scored"] == 2
    # The retrieval setting for this adapter, picked from measured points, is recorded.
    picked = result["context_pick"]
    measured = {(p["k"], p["min_similarity"]) for p in picked["measured"]}
    assert {(0, 0.0), (3, 0.25), (1, 0.25), (3, 0.4)} <= measured
    assert (picked["k"], picked["min_similarity"]) in measured and picked["emails"] == 2
    entry = load_registry(trained_home)["adapters"][result["adapter"]]
    assert entry["context"] == picked
    assert set(result["settings"]) == {"base", "rag", "lora", "lora_rag"}
    for scores in result["settings"].values():
        assert {"bleu", "rouge_l", "chrf", "style_distance", "mauve"} <= set(scores)
        # Counted over the setting's own drafts, not the sweep's.
        assert 0 <= scores["from_request"] <= result["scored"]
        assert 0 <= scores["style_distance"] <= 1
    for path in result["report"].values():
        assert Path(path).is_file() and Path(path).stat().st_size > 100
    report = Path(result["report"]["report"]).read_text()
    assert "| LoRA + RAG |" in report and "| Base model |" in report
    assert "## Retrieval for this adapter" in report
    assert main(["adapters", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(row["scores"] for row in rows)


def test_evaluation_from_natural_requests_checks_what_each_draft_says(
        runs, trained_home, monkeypatch, capsys, tmp_path):
    """`eval --instructions`: the held-out emails are drafted from requests as people type
    them (our set for the sample persona), and every draft is checked."""
    from app.cli import main
    from tests.conftest import REPO

    monkeypatch.setenv("AMANUENSIS_HOME", str(trained_home))
    natural = REPO / "resources" / "eval" / "natural-requests.jsonl"
    given = {json.loads(line)["instruction"] for line in natural.read_text().splitlines()}
    assert main(["eval", "--limit", "2", "--json", "--instructions", str(natural)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["scored"] == 2 and result["instructions"] == str(natural)
    assert result["revised"] is True
    # With the adapter, the examples drafting gives it (its pick, where one was recorded).
    entry = load_registry(trained_home)["adapters"][result["adapter"]]
    assert result["context"]["lora_rag"] == asdict(ContextSettings.for_adapter(entry,
                                                                               trained_home))
    assert result["context"]["rag"] == asdict(ContextSettings.load(trained_home))
    for scores in result["settings"].values():
        assert scores["facts_filled"] >= 0 and scores["facts_struck"] >= 0
        assert 0 <= scores["structure_defects"] <= 1
        assert scores["fact_recall"] is None or 0 <= scores["fact_recall"] <= 1
        assert scores["invented_facts"] >= 0 and scores["length_ratio"] > 0
        assert set(scores["defects"]) >= {"header_in_body", "placeholder", "unfinished"}
    summary = json.loads(Path(result["report"]["summary"]).read_text())
    for sample in summary["samples"]:
        assert sample["instruction"] in given  # drafted from the typed request
        assert set(sample["checks"]) == set(result["settings"])
        # What is scored is what the user gets, in every setting: signed as she signs.
        assert {draft.strip().splitlines()[-1] for draft in sample["outputs"].values()} \
            == {"Teddy"}
    report = Path(result["report"]["report"]).read_text()
    assert "## Does the draft say what was asked?" in report

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"message_id": "<x@y>", "instruction": "hi"}\nnot json\n')
    assert main(["eval", "--instructions", str(broken)]) == 1
    assert f"{broken}, line 2" in capsys.readouterr().err
    elsewhere = tmp_path / "elsewhere.jsonl"
    elsewhere.write_text('{"message_id": "<nobody@nowhere>", "instruction": "say hi"}\n')
    assert main(["eval", "--instructions", str(elsewhere)]) == 1
    assert "none of its 0 known emails is held out" in capsys.readouterr().err


def test_sigterm_pauses_a_training_process_with_a_checkpoint(runs, trained_home, monkeypatch):
    """How the desktop scheduler stops a night's run: SIGTERM, then a clean, resumable stop."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import REPO
    from trainer.run import list_runs

    monkeypatch.setenv("AMANUENSIS_HOME", str(trained_home))
    settings = _settings()
    settings.max_steps = 50
    settings.save()
    before = {run["id"] for run in list_runs(trained_home)}
    process = subprocess.Popen([sys.executable, "-m", "trainer", "train", "--json"], cwd=REPO,
                               env=os.environ.copy(), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 240
        metrics = None
        while time.monotonic() < deadline and process.poll() is None:
            new = [r for r in list_runs(trained_home) if r["id"] not in before]
            if new:
                metrics = trained_home / "trainer" / "runs" / new[0]["id"] / "metrics.jsonl"
                if metrics.exists() and metrics.read_text().strip():
                    break
            time.sleep(0.5)
        assert metrics is not None and metrics.exists(), "training never reached a step"
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 3  # paused, resumable
    result = json.loads(out)
    assert result["status"] == "paused" and 1 <= result["step"] < 50
    run_dir = metrics.parent
    assert (run_dir / "checkpoint.pt").is_file()
    assert json.loads((run_dir / "state.json").read_text())["status"] == "paused"


def test_mail_forgotten_while_it_trains_stops_the_run_and_the_next_has_none_of_it(
        trained_home, tmp_path):
    """Forget during a running training: the run stops at the next step, keeps no checkpoint,
    registers and activates nothing; the next run's frozen data holds none of that mail."""
    from app import privacy
    from trainer.engine.models import ModelCatalogue
    from trainer.run_files import read_state, runs_dir
    from trainer.snapshot import freeze_run

    home = tmp_path / "forget-home"
    home.mkdir()
    for name in ("catalogue.sqlite3", "index"):
        src = trained_home / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, home / name)
    share_models(home)
    settings = _settings()
    settings.max_steps = 8
    forgotten: dict = {}
    with Store(home) as store:
        def forget_at_step_two(record):
            if record.get("step") == 2 and not forgotten:
                run_dir = sorted(runs_dir(home).iterdir())[-1]
                frozen = json.loads((run_dir / "data.json").read_text())
                uid = frozen["train"][0]["email_id"]
                forgotten.update(uid=uid, run=run_dir,
                                 outcome=privacy.forget(store, message=uid))

        result = train(store, settings, home=home, log=forget_at_step_two)
        run_dir = forgotten["run"]
        assert forgotten["outcome"].runs_discarded == [run_dir.name]
        assert result["status"] == "discarded" and result["step"] <= 3
        assert read_state(run_dir)["status"] == "discarded"
        assert not (run_dir / "checkpoint.pt").exists()
        assert not list(run_dir.glob("*.gguf"))
        assert load_registry(home)["adapters"] == {}

        # The next run's snapshot, frozen as training starts.
        next_run = freeze_run(store, settings, ModelCatalogue(home).info().name, home)
    frozen = json.loads((next_run / "pairs.json").read_text())
    trained_on = {item["email_id"] for part in ("train", "held_out") for item in frozen[part]}
    assert trained_on and forgotten["uid"] not in trained_on


def test_the_trainer_process_trains_a_frozen_run_without_the_store(trained_home, tmp_path):
    """The owner freezes a run; ``python -m trainer train --run``, started as the owner's
    delegate, trains it in a home that holds nothing but that run folder and the models,
    writes only into the run folder, and leaves the run for the owner to register."""
    import os
    import subprocess
    import sys

    from store.owner import claim_home, delegate_env, release_home
    from trainer.engine.models import ModelCatalogue
    from trainer.registry import active_adapter
    from trainer.run_files import read_state
    from trainer.snapshot import freeze_run, register_trained_run

    settings = _settings()
    settings.max_steps, settings.eval_at_start = 2, False
    with Store(trained_home) as store:
        frozen = freeze_run(store, settings, ModelCatalogue(trained_home).info().name,
                            trained_home)
    pairs = json.loads((frozen / "pairs.json").read_text())
    assert pairs["train"] and all(p["completion"] for p in pairs["train"])
    assert any(p["request"]["examples"] for p in pairs["train"])  # retrieved context is in

    owner = tmp_path / "bare-home"
    owner.mkdir()
    share_models(owner)
    run_dir = owner / "trainer" / "runs" / frozen.name
    shutil.copytree(frozen, run_dir)
    shutil.rmtree(frozen)  # the module's other runs never see it
    claim_home(owner, role="desktop")
    try:
        before = set(owner.rglob("*"))
        env = {**os.environ, "AMANUENSIS_HOME": str(owner), **delegate_env(owner)}
        done = subprocess.run([sys.executable, "-m", "trainer", "train", "--run", frozen.name,
                               "--json"], capture_output=True, text=True, env=env, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        result = json.loads(done.stdout)
        assert result["status"] == "trained" and result["step"] == 2
        written = set(owner.rglob("*")) - before
        outside = sorted(str(path.relative_to(owner)) for path in written
                         if run_dir not in path.parents and "models" not in path.parts)
        assert outside == ["trainer/training.lock"], outside  # drafting's "training now" sign
        assert not (owner / "catalogue.sqlite3").exists() and not (owner / "index").exists()
        assert read_state(run_dir)["status"] == "trained"
        model = ModelCatalogue(owner).default_name()
        assert active_adapter(model, owner) is None  # nothing reaches drafting yet
        activated = register_trained_run(run_dir, owner)
    finally:
        release_home(owner)
    assert read_state(run_dir)["status"] == "finished"
    assert activated == result["usable"]
    if activated:
        assert active_adapter(model, owner)[0] == frozen.name
