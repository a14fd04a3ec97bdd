"""Picking the retrieval setting for an adapter from measured points (trainer.context_pick)
and drafting with what was picked."""

from __future__ import annotations

from trainer.checks import DraftCheck
from trainer.context_pick import MIN_GAIN, pick
from trainer.engine.context import ContextSettings

REFERENCES = ["Hi Stan, the board approved the quote. When can you start?"]


def _check(missing: int, required: int = 2) -> DraftCheck:
    return DraftCheck(facts_required=[f"n:{i}" for i in range(required)],
                      facts_missing=[f"n:{i}" for i in range(missing)])


def test_the_best_measured_point_wins_only_by_a_clear_margin():
    good = (["Hi Stan, the board approved the quote. When can you start?"], [_check(0)])
    poor = (["Hello."], [_check(2)])
    picked = pick({(0, 0.0): poor, (3, 0.25): poor, (1, 0.25): good}, REFERENCES,
                  current=(3, 0.25))
    assert (picked["k"], picked["min_similarity"]) == (1, 0.25)
    assert len(picked["measured"]) == 3 and picked["emails"] == 1
    # A point hardly better than the current setting does not move it.
    close = (poor[0], [_check(99, required=100)])  # recall 0.01 against 0
    assert MIN_GAIN > 0.01
    kept = pick({(3, 0.25): poor, (2, 0.25): close}, REFERENCES, current=(3, 0.25))
    assert (kept["k"], kept["min_similarity"]) == (3, 0.25)


def test_drafting_serves_the_pick_unless_the_user_set_context(tmp_path, monkeypatch):
    monkeypatch.setenv("AMANUENSIS_HOME", str(tmp_path))
    entry = {"context": {"k": 1, "min_similarity": 0.4}}
    assert ContextSettings.for_adapter(entry) == ContextSettings(1, 0.4)
    assert ContextSettings.for_adapter(None) == ContextSettings()
    ContextSettings(k=2, min_similarity=0.3).save()
    assert ContextSettings.for_adapter(entry) == ContextSettings(2, 0.3)
