"""The model manager's command line: the curated catalogue, the doctor, and a download
through ``amanuensis models download`` against a hub on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.hub_server import Hub
from tests.test_download import catalogue, tiny_gguf
from trainer.engine.curated import USES, load_curated
from trainer.engine.models import ModelError

FAMILIES = {"llama", "qwen2", "qwen3", "gemma3", "phi3"}


def test_the_curated_catalogue_covers_every_family_and_size_class_with_pinned_files():
    models = load_curated()
    assert {model.architecture for model in models} >= FAMILIES
    sizes = sorted(model.parameters_b for model in models)
    assert sizes[0] <= 0.6 and sizes[-1] >= 7.5
    assert any(1 <= size < 2 for size in sizes) and any(3 <= size < 5 for size in sizes)
    for model in models:
        assert model.license and model.license_url.startswith("https://"), model.name
        assert model.local_use, model.name  # checked that private local use is allowed
        assert model.fits and set(model.fits) <= set(USES)
        assert model.layers and model.hidden_size and model.vocab_size, model.name
        # Pinned, or said not to be: never a made-up hash.
        assert model.hash_confirmed or "unconfirmed" in model.notes.lower(), model.name
        if model.hash_confirmed:
            assert model.provenance and model.size_bytes and model.revision


def test_a_broken_catalogue_entry_is_refused_with_the_file_and_entry(tmp_path):
    path = catalogue(tmp_path, sha256="not-a-hash")
    with pytest.raises(ModelError, match=r"catalogue.json: entry 1 \(tiny\): sha256"):
        load_curated(path)
    path.write_text("{")
    with pytest.raises(ModelError, match="not valid JSON"):
        load_curated(path)


def test_doctor_reports_the_machine_and_what_fits_it(capsys):
    assert main(["doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    hardware = report["hardware"]
    assert hardware["physical_cores"] >= 1 and hardware["ram_total_mb"] > 0
    assert hardware["matmul_gflops"] > 0 and hardware["llama_cpp_version"]
    assert {row["name"] for row in report["catalogue"]} == {m.name for m in load_curated()}
    small = min(report["catalogue"], key=lambda row: row["parameters_b"])
    assert small["drafting"]["fits"] and small["drafting"]["tokens_per_s"] > 0
    assert small["cpu_training"]["fits"]
    # The largest model that drafts at reading speed, as measured now: on a machine busy
    # with other work even the smallest may fall short, and then none is recommended.
    rec = report["recommendation"]
    quick = [row["name"] for row in report["catalogue"] if row["drafting"]["fits"] and (
             row["drafting"].get("gpu")
             or (row["drafting"]["tokens_per_s"] or 0) >= rec["reading_speed_tokens_per_s"]
             and (row["drafting"]["draft_seconds"] or 1e9) <= rec["draft_seconds"])]
    assert rec["drafting"] in quick if quick else rec["drafting"] is None
    assert any(m["name"] == "smollm2-135m" and m["default"] for m in report["installed_models"])
    assert all(row["cpu_training"].get("why", "").find("not offered") < 0
               for row in report["catalogue"])  # every catalogued architecture trains
    assert main(["doctor", "--quick"]) == 0
    text = capsys.readouterr().out
    assert "llama.cpp" in text and "For training" in text


def test_a_model_the_catalogue_offers_for_drafting_only_is_never_suggested_for_training(
        tmp_path):
    from app.doctor import doctor_report

    listed = catalogue(tmp_path, fits=["drafting"], layers=2, hidden_size=64,
                       vocab_size=49152)
    report = doctor_report(tmp_path / "home", measure=False, catalogue=listed)
    [row] = report["catalogue"]
    assert not row["cpu_training"]["fits"] and "not offered" in row["cpu_training"]["why"]
    assert report["recommendation"]["training"] is None


def test_models_download_fetches_verifies_and_adds_then_remove_deletes(tmp_path, monkeypatch,
                                                                       capsys):
    hub = Hub()
    try:
        data = tiny_gguf(tmp_path / "source.gguf")
        hosted = hub.host("test-org/tiny-GGUF", "tiny.gguf", data)
        listed = catalogue(tmp_path, sha256=hosted.sha256, size_bytes=len(data))
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("AMANUENSIS_HOME", str(tmp_path / "dl-home"))  # not the shared models
        assert main(["models", "catalogue", "--catalogue", str(listed), "--json"]) == 0
        [row] = json.loads(capsys.readouterr().out)
        assert row["name"] == "tiny" and not row["installed"]
        assert main(["models", "download", "tiny", "--catalogue", str(listed), "--json"]) == 0
        info = json.loads(capsys.readouterr().out)
        assert info["name"] == "tiny" and info["source"]["sha256"] == hosted.sha256
        assert main(["models", "list", "--json"]) == 0
        assert "tiny" in {row["name"] for row in json.loads(capsys.readouterr().out)}
        # A wrong pin is refused on the command line with the file named.
        bad = catalogue(tmp_path, name="tiny2", sha256="1" * 64)
        assert main(["models", "download", "tiny2", "--catalogue", str(bad)]) == 1
        assert "tiny.gguf" in capsys.readouterr().err
        assert main(["models", "remove", "tiny"]) == 0
        assert not Path(info["path"]).exists()
    finally:
        hub.close()


@pytest.mark.slow
def test_a_downloaded_model_drafts(tmp_path, monkeypatch, capsys, hub):
    """The whole way a user goes: download a catalogued GGUF (here the packaged SmolLM2
    file, served by the hub on loopback), make it the default, and draft with it."""
    from trainer.engine.models import ModelCatalogue

    source = ModelCatalogue().info("smollm2-135m").path
    data = Path(source).read_bytes()
    hosted = hub.host("test-org/smol-GGUF", "smol.gguf", data)
    listed = catalogue(tmp_path, name="smol-download", repo="test-org/smol-GGUF",
                       file="smol.gguf", sha256=hosted.sha256, size_bytes=len(data))
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("AMANUENSIS_HOME", str(tmp_path / "dl-home"))
    assert main(["models", "download", "smol-download", "--catalogue", str(listed),
                 "--use"]) == 0
    assert "SHA-256 verified" in capsys.readouterr().out
    assert ModelCatalogue().default_name() == "smol-download"
    assert main(["draft", "ask Sam whether Tuesday at 10am suits for the rota meeting",
                 "--no-rag", "--json", "--seed", "3"]) == 0
    draft = json.loads(capsys.readouterr().out)
    assert draft["model"] == "smol-download"
    assert "Tuesday" in draft["text"] and "10am" in draft["text"]
