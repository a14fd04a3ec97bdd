"""Settings follow the data home they are given, whatever $AMANUENSIS_HOME says, and two
writers of the one settings file never lose each other's tables."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from app.drafting import DraftingService, DraftSettings
from store.api import Store
from store.settings import StoreSettings, load_section, save_section
from trainer.engine.context import ContextSettings
from trainer.engine.prompts import Profile


def test_a_store_and_its_drafting_read_their_own_home(tmp_path, monkeypatch):
    mine, other = tmp_path / "mine", tmp_path / "other"
    mine.mkdir()
    other.mkdir()
    monkeypatch.setenv("AMANUENSIS_HOME", str(other))
    DraftSettings(candidates=7).save(mine)
    ContextSettings(k=1, min_similarity=0.5).save(mine)
    Profile(name="Ada Brook").save(mine)
    StoreSettings(search_candidates=11).save(mine)
    DraftSettings(candidates=2).save()  # the process's default home says otherwise
    with Store(mine) as store:
        assert store.settings.search_candidates == 11
        service = DraftingService(store=store)
        assert service.settings.candidates == 7
        assert (service.context_settings.k, service.context_settings.min_similarity) == (1, 0.5)
        assert service.profile.name == "Ada Brook"
        assert service.catalogue.file.parent == mine
    assert DraftSettings.load().candidates == 2 and DraftSettings.load(mine).candidates == 7


@dataclass
class _Counter:
    n: int = 0


def test_two_writers_of_the_settings_file_keep_each_others_tables(tmp_path):
    def write(section: str) -> None:
        for n in range(40):
            save_section(section, _Counter(n), tmp_path)

    writers = [threading.Thread(target=write, args=(s,)) for s in ("left", "right")]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert load_section("left", _Counter, tmp_path).n == 39
    assert load_section("right", _Counter, tmp_path).n == 39


def test_adapters_registered_at_once_are_all_recorded(tmp_path):
    from trainer.registry import list_adapters, register_adapter, update_adapter

    def register(side: str) -> None:
        for n in range(15):
            ident = f"{side}-{n:02d}"
            register_adapter(ident, {"model": side, "path": f"{ident}.gguf"}, home=tmp_path)
            update_adapter(ident, tmp_path, scores={"n": n})

    writers = [threading.Thread(target=register, args=(s,)) for s in ("a", "b")]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    rows = list_adapters(home=tmp_path)
    assert len(rows) == 30 and all(r["scores"]["n"] == int(r["id"][-2:]) for r in rows)
    assert {r["id"] for r in rows if r["active"]} == {"a-14", "b-14"}


def test_settings_saved_reach_a_drafting_service_already_open(tmp_path):
    """The settings dialog saves; the next draft of an open window uses what it saved,
    and a service of another home is untouched."""
    from app.drafting import DraftingService, DraftSettings
    from trainer.engine.context import ContextSettings
    from trainer.engine.prompts import Profile

    other = tmp_path / "other"
    mine = DraftingService(home=tmp_path)
    theirs = DraftingService(home=other)
    DraftSettings(temperature=0.2, candidates=1, unload_after_min=5).save(tmp_path)
    ContextSettings(k=1).save(tmp_path)
    Profile(name="Teddy", sign_off="Onward,\nTeddy").save(tmp_path)
    assert mine.settings.temperature == 0.2 and mine.settings.candidates == 1
    assert mine.engine.idle_unload_s == 300
    assert mine.context_settings.k == 1
    assert mine.profile.name == "Teddy" and mine.sign_off() == "Onward,\nTeddy"
    assert theirs.settings.temperature == DraftSettings().temperature
    assert theirs.profile.name != "Teddy"
    fixed = DraftingService(home=tmp_path, settings=DraftSettings(temperature=0.9))
    DraftSettings(temperature=0.3).save(tmp_path)
    assert fixed.settings.temperature == 0.9  # handed in by the caller: it stays
    DraftSettings().save(tmp_path)


def test_the_model_list_and_accepted_drafts_lose_no_change_to_a_concurrent_writer(tmp_path):
    """models.json and feedback.jsonl are read, changed and written whole under a lock:
    ten writers at once (the settings dialog, a command, the nightly job) all land."""
    import threading

    from trainer.engine.models import ModelCatalogue, packaged_models
    from trainer.feedback import Feedback, drop_quotes_from, load_feedback, record_feedback

    gguf = Path(packaged_models()["smollm2-135m"]["path"])
    catalogue = ModelCatalogue(tmp_path)
    threads = [threading.Thread(target=catalogue.add, args=(gguf, f"mine-{i}"))
               for i in range(10)]
    for i in range(10):
        threads.append(threading.Thread(target=record_feedback, args=(Feedback(
            instruction=f"ask {i}", text=f"text {i}",
            reply_to={"text": "hi", "sender": "sam@example.org"}),), kwargs={"home": tmp_path}))
    threads.append(threading.Thread(target=drop_quotes_from, args=("sam@example.org",),
                                    kwargs={"home": tmp_path}))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {f"mine-{i}" for i in range(10)} <= set(catalogue.names())
    entries = load_feedback(tmp_path)
    assert sorted(e.instruction for e in entries) == sorted(f"ask {i}" for i in range(10))
    drop_quotes_from("sam@example.org", home=tmp_path)
    assert all(e.reply_to is None for e in load_feedback(tmp_path))
