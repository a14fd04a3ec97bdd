"""Evaluation scores and report, with a cheap hashed bag-of-words standing in for embeddings."""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pytest

from trainer.metrics import mean_style_distance, score, style_distance, style_profile
from trainer.report import write_report

REFERENCE = ("Jeff,\n\nI received the rent roll. I am going to be in San Marcos this weekend, "
             "but I will drive by on Friday evening.\n\nLet me know if you need anything "
             "else from me.\n\nPhillip")
PARAPHRASE = ("Jeff,\n\nI got the rent roll. I am going to be in San Marcos this weekend, "
              "but I will stop by on Friday evening.\n\nLet me know if you need anything "
              "more from me.\n\nPhillip")
OTHER_STYLE = ("Dear Mr. Smith!!! Received the rent roll - thank you so much!!! Driving by "
               "Friday evening; anything else?? (just ask!) Best regards, Phillip Allen")

TOPICS = ["rota", "glass quote", "bulb planting", "invoice", "minutes", "keys", "tickets",
          "parking", "budget", "hall booking", "seed order", "newsletter"]


def fake_features(texts: list[str], dim: int = 48) -> np.ndarray:
    """Deterministic hashed bag of words: similar texts land close together."""
    out = np.zeros((len(texts), dim))
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % dim] += 1.0
    return out


def emails(n: int) -> list[str]:
    return [f"Hi Sam,\n\nThe {TOPICS[i % len(TOPICS)]} for week {i} is sorted. Could you "
            f"check it before Friday and tell me if anything is missing?\n\nThanks,\nJo"
            for i in range(n)]


def test_profile_reads_greeting_signoff_and_shape():
    profile = style_profile("Hi Sam,\n\nShort one. Two lines here!\n- first\n- second\n\nCheers,\nJo")
    assert profile["greeting"] == "hi"
    assert profile["signoff"] == "jo"
    assert profile["bullets"] == pytest.approx(2 / 6)
    assert style_profile(REFERENCE)["greeting"] == "name"
    assert style_profile("Good morning all,\nsee below.\nThanks!")["greeting"] == "good morning"
    assert style_profile("All the numbers are in the sheet.\nP")["greeting"] == ""
    assert style_profile("Yes,\nthat works.")["greeting"] == ""
    # A one-line email has no separate sign-off; a long last line is not one either.
    assert style_profile("Sounds good, thanks")["signoff"] == ""
    assert style_profile("Hi,\nI will send the full report over to you tomorrow")["signoff"] == ""
    # Hard-wrapped lines do not end sentences.
    assert style_profile("One two three\nfour five six.")["sentence_length"] == 6
    fw = style_profile("the cat and the dog")
    assert fw["fw:the"] == pytest.approx(0.4) and fw["fw:and"] == pytest.approx(0.2)


def test_style_distance_orders_texts_by_style():
    assert style_distance(REFERENCE, REFERENCE) == 0.0
    near, far = style_distance(PARAPHRASE, REFERENCE), style_distance(OTHER_STYLE, REFERENCE)
    assert 0 < near < far <= 1
    assert near < 0.15 and far > 0.5
    # Greeting and sign-off alone move the distance by their weights (0.15 + 0.20).
    swapped = REFERENCE.replace("Jeff,", "Hi Jeff,").replace("Phillip", "Thanks, Phillip")
    assert style_distance(swapped, REFERENCE) >= 0.35
    assert 0 < style_distance("", REFERENCE) <= 1
    assert style_distance("", "") == 0.0
    assert mean_style_distance([REFERENCE, PARAPHRASE], [REFERENCE, REFERENCE]) == \
        pytest.approx(near / 2, abs=1e-4)
    with pytest.raises(ValueError):
        mean_style_distance([REFERENCE], [])


def test_identical_texts_score_perfectly():
    refs = emails(6)
    result = score(refs, refs, features=fake_features)
    assert set(result) == {"bleu", "rouge_l", "chrf", "style_distance", "mauve", "n"}
    assert result["bleu"] == pytest.approx(100, abs=0.01)
    assert result["chrf"] == pytest.approx(100, abs=0.01)
    assert result["rouge_l"] == pytest.approx(100, abs=0.01)
    assert result["style_distance"] == 0.0
    assert result["mauve"] == 1.0  # not mauve's tie-dependent 0.75 for equal histograms
    assert result["n"] == 6


def test_scores_have_sensible_ranges_and_order():
    refs = emails(12)
    close = [r.replace("sorted", "done").replace("Thanks", "Cheers") for r in refs]
    unrelated = ["Dear all: the meeting is cancelled!!! Regards, Management."] * 12
    good = score(close, refs, features=fake_features)
    bad = score(unrelated, refs, features=fake_features)
    for result in (good, bad):
        assert 0 <= result["bleu"] <= 100 and 0 <= result["chrf"] <= 100
        assert 0 <= result["rouge_l"] <= 100 and 0 <= result["style_distance"] <= 1
        assert 0 < result["mauve"] <= 1
        assert all(round(v, 4) == v for v in result.values() if isinstance(v, float))
    for key in ("bleu", "rouge_l", "chrf"):
        assert good[key] > bad[key], key
    assert good["style_distance"] < bad["style_distance"]
    # MAUVE compares the two sets, not pairs: the same emails in another order are the same
    # distribution. (`close` is not used here: its word swap is the one systematic difference
    # between the sets, which is exactly what MAUVE's clustering picks up.)
    assert score(refs[::-1], refs, features=fake_features)["mauve"] > bad["mauve"]
    # Same inputs, same seed: same numbers.
    assert score(close, refs, features=fake_features) == good


def test_mauve_needs_features_and_four_samples():
    refs = emails(3)
    assert score(refs, refs, features=fake_features)["mauve"] is None
    assert score(emails(8), emails(8))["mauve"] is None
    value = score(emails(8)[::-1], emails(8), features=fake_features)["mauve"]
    assert isinstance(value, float) and 0 < value <= 1


def test_empty_predictions_are_scored_not_fatal():
    refs = emails(5)
    result = score(["", "", "", "", "Hi Sam"], refs, features=fake_features)
    assert result["bleu"] == pytest.approx(0, abs=1) and result["style_distance"] > 0.5
    assert result["mauve"] is not None
    assert score([], [])["n"] == 0
    with pytest.raises(ValueError):
        score(["a"], [])


def _result(settings: dict) -> dict:
    sample = {"id": "m1", "instruction": "to Jeff: rent roll in, drive by Friday",
              "reference": REFERENCE,
              "outputs": {name: PARAPHRASE + " ```x```" * (name == "rag") for name in settings}}
    return {"model": "smollm2-135m", "adapter": None, "created": "2026-11-27T10:15:00",
            "held_out": 34, "scored": 30, "skipped_echo": 4, "settings": settings,
            "samples": [dict(sample, id=f"m{i}") for i in range(5)]}


def _scores(mauve):
    return {"bleu": 12.3456, "rouge_l": 30.1, "chrf": 40.2, "style_distance": 0.2345,
            "mauve": mauve, "n": 30}


def test_report_writes_markdown_png_and_summary(tmp_path):
    settings = {"base": _scores(None), "rag": _scores(0.61), "lora": _scores(0.7),
                "lora_rag": _scores(0.8)}
    paths = write_report(_result(settings), tmp_path / "new" / "dir")
    assert set(paths) == {"report", "plot", "summary"}
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = paths["report"].read_text()
    for label in ("| Base model |", "| RAG |", "| LoRA |", "| LoRA + RAG |"):
        assert label in md
    base_row = next(line for line in md.splitlines() if line.startswith("| Base model |"))
    assert "n/a" in base_row and "12.3" in base_row
    assert "![Scores per setting](scores.png)" in md
    assert "4 were skipped" in md and "none (not trained yet)" in md
    assert md.count("### Sample") == 3
    assert "````text" in md  # output containing ``` gets a longer fence
    summary = json.loads(paths["summary"].read_text())
    # The report shows three; the summary keeps every sample (to write it again without one).
    assert len(summary["samples"]) == 5 and summary["settings"]["base"]["mauve"] is None


def test_report_with_only_base_and_rag(tmp_path):
    paths = write_report(_result({"base": _scores(0.5), "rag": _scores(0.6)}), tmp_path)
    md = paths["report"].read_text()
    assert "| Base model |" in md and "| RAG |" in md
    assert "LoRA" not in md
    assert "**0.600**" in md  # best MAUVE is bold
    assert paths["plot"].read_bytes()[:4] == b"\x89PNG"
