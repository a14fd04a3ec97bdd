"""Scores for "does this draft sound like the user": overlap metrics and a style distance.

BLEU, chrF and ROUGE-L measure how much of the real email's wording a draft reproduces;
they reward content more than voice. The stylometric profile below looks only at *how*
things are written (function words, punctuation, sentence shape, greeting, sign-off), which
is what a fine-tuned adapter should change even when the content differs. MAUVE compares
the two sets of texts as distributions in our own embedding space.

sacrebleu, rouge_score (nltk) and mauve (torch, transformers, faiss) take seconds to import,
so they are imported inside the functions that need them: the drafting app imports this
package too and must not pay for the evaluation stack.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from typing import Any

# Closed-class words people use at different rates regardless of topic: a classic
# authorship signal that survives a change of subject.
FUNCTION_WORDS = (
    "the a an and but or so if then because "
    "of to in on at for with from by about as into "
    "i me my we us our you your it its this that these those there "
    "is am are was be been have has had do will would can could should "
    "just not no also very really all").split()

# ASCII and typographic variants are folded together: the choice of straight or curly
# quotes depends on the mail client, not on the writer.
PUNCTUATION = {",": ",", ".": ".", "!": "!", "?": "?", ";": ";", ":": ":", "-": "-",
               "\u2013": "-", "\u2014": "-", "'": "'", "\u2019": "'", "\u2018": "'",
               '"': '"', "\u201c": '"', "\u201d": '"', "(": "(", ")": ")"}

GREETINGS = {"hi", "hello", "hey", "dear", "morning", "afternoon", "evening", "hiya",
             "greetings", "howdy"}
# Addressing a group counts as a greeting only on a short line: "All," but not "All the ...".
GROUP_GREETINGS = {"all", "team", "folks", "everyone", "guys", "gents", "ladies"}
# Short first lines that are replies, not names.
NOT_NAMES = {"yes", "no", "sure", "ok", "okay", "thanks", "great", "fine", "done", "sorry"}

# Weights of style_distance; they sum to 1 so the distance stays in [0, 1].
WEIGHTS = {"function_words": 0.25, "punctuation": 0.20, "sentence_length": 0.10,
           "word_length": 0.05, "bullets": 0.05, "greeting": 0.15, "signoff": 0.20}

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# Sentences end at terminal punctuation, a blank line or the start of a bullet, but not at a
# single newline: many clients hard-wrap at ~72 columns mid-sentence.
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n[ \t]*\n|\n(?=[ \t]*(?:[-*\u2022]|\d{1,2}[.)])\s)")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_BARE_NAME = re.compile(r"^[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?\s*[,:\-\u2014]?$")
_SHORT_LINE_WORDS = 4


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _greeting(lines: list[str]) -> str:
    if not lines:
        return ""
    words = _WORD.findall(lines[0])
    if not words:
        return ""
    first = words[0].lower()
    if first == "good" and len(words) > 1:  # "Good morning," is one greeting
        return f"good {words[1].lower()}"
    if first in GREETINGS or (first in GROUP_GREETINGS and len(words) <= 3):
        return first
    # "Sam," or "Jane -" on a line of its own: addressing by name without a greeting word.
    if len(lines) > 1 and first not in NOT_NAMES and _BARE_NAME.match(lines[0]):
        return "name"
    return ""


def _signoff(lines: list[str]) -> str:
    # A one-line email has no separate closing; a long last line is a sentence, not a sign-off.
    if len(lines) < 2:
        return ""
    words = _WORD.findall(lines[-1])
    if not words or len(words) > _SHORT_LINE_WORDS:
        return ""
    return " ".join(w.lower() for w in words)


def style_profile(text: str) -> dict[str, float | str]:
    """Numeric rates keyed ``fw:<word>`` (per word), ``punct:<char>``, ``newline`` and
    ``paragraph`` (per character), plus ``sentence_length`` (words), ``word_length``
    (characters), ``bullets`` (share of non-empty lines), and the strings ``greeting``
    ("hi", "dear", "name" for a bare name, "" for none) and ``signoff`` (last short line,
    lower-cased words, "" for none)."""
    # Surrounding whitespace says more about the generator or mail client than the writer.
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    words = [w.lower() for w in _WORD.findall(text)]
    n_words, n_chars = max(len(words), 1), max(len(text), 1)
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    profile: dict[str, float | str] = {f"fw:{w}": counts.get(w, 0) / n_words
                                       for w in FUNCTION_WORDS}
    marks: dict[str, int] = dict.fromkeys(set(PUNCTUATION.values()), 0)
    for char in text:
        if char in PUNCTUATION:
            marks[PUNCTUATION[char]] += 1
    profile.update({f"punct:{m}": c / n_chars for m, c in sorted(marks.items())})
    profile["newline"] = text.count("\n") / n_chars
    profile["paragraph"] = len(_PARAGRAPH.findall(text)) / n_chars
    sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    profile["sentence_length"] = len(words) / len(sentences) if sentences else 0.0
    profile["word_length"] = sum(map(len, words)) / n_words
    lines = _lines(text)
    profile["bullets"] = sum(bool(_BULLET.match(ln)) for ln in lines) / max(len(lines), 1)
    profile["greeting"] = _greeting(lines)
    profile["signoff"] = _signoff(lines)
    return profile


def _bray_curtis(a: dict, b: dict, keys: list[str]) -> float:
    # Bounded in [0, 1] whatever the scale of the rates, unlike a plain L1 on tiny numbers.
    total = sum(a[k] + b[k] for k in keys)
    return sum(abs(a[k] - b[k]) for k in keys) / total if total else 0.0


def _relative(x: float, y: float) -> float:
    return abs(x - y) / max(x, y) if max(x, y) > 0 else 0.0


def style_distance(prediction: str, reference: str) -> float:
    """Distance in [0, 1] between the writing styles of two texts; 0 means same profile.

    Weighted sum of seven parts, each in [0, 1] (weights in ``WEIGHTS``):
    function-word rates, Bray-Curtis dissimilarity (0.25); punctuation, newline and
    paragraph-break rates, Bray-Curtis (0.20); mean sentence length, relative difference
    (0.10); mean word length, relative difference (0.05); share of bullet lines, absolute
    difference (0.05); greeting mismatch (0.15); sign-off mismatch (0.20).
    """
    p, r = style_profile(prediction), style_profile(reference)
    fw = [k for k in p if k.startswith("fw:")]
    punct = [k for k in p if k.startswith("punct:")] + ["newline", "paragraph"]
    parts = {
        "function_words": _bray_curtis(p, r, fw),
        "punctuation": _bray_curtis(p, r, punct),
        "sentence_length": _relative(p["sentence_length"], r["sentence_length"]),
        "word_length": _relative(p["word_length"], r["word_length"]),
        "bullets": abs(p["bullets"] - r["bullets"]),
        "greeting": float(p["greeting"] != r["greeting"]),
        "signoff": float(p["signoff"] != r["signoff"]),
    }
    return round(sum(WEIGHTS[k] * v for k, v in parts.items()), 4)


def mean_style_distance(predictions: Sequence[str], references: Sequence[str]) -> float:
    if len(predictions) != len(references):
        raise ValueError("predictions and references differ in length")
    if not predictions:
        raise ValueError("nothing to score")
    total = sum(style_distance(p, r) for p, r in zip(predictions, references, strict=True))
    return round(total / len(predictions), 4)


@contextmanager
def _quiet_stderr():
    # faiss prints "WARNING clustering N points to K centroids" from C++ whenever there are
    # fewer than 39 points per bucket, which is always the case at our sample sizes.
    # Python-level redirection cannot catch it, so file descriptor 2 is muted for the call.
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (e.g. a windowed app): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _mauve(predictions: list[str], references: list[str],
           features: Callable[[list[str]], Any], seed: int) -> float:
    import mauve
    import numpy as np

    embedded = np.asarray(features(list(references) + list(predictions)), dtype=np.float64)
    q_feats, p_feats = embedded[len(references):], embedded[: len(references)]
    n = len(predictions)
    # mauve's 'auto' uses n / 10 buckets; at 10-40 samples that is 1-4 clusters, too coarse
    # to tell anything apart, so use about 5 samples per bucket instead.
    with _quiet_stderr():
        out = mauve.compute_mauve(p_features=p_feats, q_features=q_feats,
                                  num_buckets=max(2, n // 5), seed=seed, verbose=False)
    # Identical histograms make the divergence curve collapse to one point, and mauve's
    # area then depends on how argsort breaks ties (0.75 is typical): the answer is 1.
    if np.allclose(out.p_hist, out.q_hist):
        return 1.0
    return float(out.mauve)


def score(predictions: list[str], references: list[str],
          features: Callable[[list[str]], Any] | None = None, seed: int = 0) -> dict:
    """BLEU, chrF and ROUGE-L F (all 0-100, higher is better), mean style distance
    (0-1, lower is better), MAUVE (0-1, higher is better; None without ``features`` or
    with fewer than 4 samples) and ``n``. ``features`` maps texts to an (n, d) array."""
    if len(predictions) != len(references):
        raise ValueError("predictions and references differ in length")
    n = len(predictions)
    if n == 0:
        return {"bleu": None, "rouge_l": None, "chrf": None, "style_distance": None,
                "mauve": None, "n": 0}
    import sacrebleu
    from rouge_score import rouge_scorer

    predictions = [p or "" for p in predictions]
    references = [r or "" for r in references]
    bleu = sacrebleu.corpus_bleu(predictions, [references]).score
    chrf = sacrebleu.corpus_chrf(predictions, [references]).score
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    rouge_l = 100 * sum(scorer.score(r, p)["rougeL"].fmeasure
                        for p, r in zip(predictions, references, strict=True)) / n
    mauve_score = None
    if features is not None and n >= 4:
        mauve_score = round(_mauve(predictions, references, features, seed), 4)
    return {"bleu": round(bleu, 4), "rouge_l": round(rouge_l, 4), "chrf": round(chrf, 4),
            "style_distance": mean_style_distance(predictions, references),
            "mauve": mauve_score, "n": n}
