"""How many of the user's own emails to show the adapter, and how close they must be: a
small sweep on the held-out split after training, recorded with the adapter. Retrieved
examples help one user's adapter and crowd out another's (measured: for some authors LoRA
alone beat LoRA with three examples), so the choice is measured, not fixed; drafting serves
what was picked unless the user set ``[context]`` themselves."""

from __future__ import annotations

from collections.abc import Sequence

from trainer.checks import DraftCheck, summarise
from trainer.engine.context import ContextSettings

# Besides no examples (LoRA alone) and the current setting, both measured anyway.
CONTEXT_CHOICES = (ContextSettings(1, 0.25), ContextSettings(2, 0.25), ContextSettings(3, 0.25),
                   ContextSettings(3, 0.4))
# Less than this better than the current setting is noise on a few held-out emails.
MIN_GAIN = 0.02


def value(outputs: Sequence[str], checks: Sequence[DraftCheck],
          references: Sequence[str]) -> float:
    """One number for "more like the real email and says what was asked": ROUGE-L (0-1)
    plus fact recall, less facts invented or borrowed from the examples and sentences no one
    asked for, and drafts with a form defect."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    rouge = sum(scorer.score(r or "", p or "")["rougeL"].fmeasure
                for p, r in zip(outputs, references, strict=True)) / max(1, len(outputs))
    summary = summarise(list(checks))
    made_up = (summary["invented_facts"] or 0) + (summary.get("borrowed_facts") or 0) \
        + (summary.get("unasked_talk") or 0)
    return (rouge + (summary["fact_recall"] or 0.0) - 0.1 * made_up
            - (summary["structure_defects"] or 0.0))


def pick(points: dict[tuple[int, float], tuple[Sequence[str], Sequence[DraftCheck]]],
         references: Sequence[str], current: tuple[int, float]) -> dict:
    """``points``: (k, min_similarity) → the drafts and checks measured with it. The best,
    if it beats ``current`` by ``MIN_GAIN``; else ``current``."""
    values = {key: round(value(o, c, references), 4) for key, (o, c) in points.items()}
    best = max(values, key=lambda key: values[key])
    if values[best] < values.get(current, float("-inf")) + MIN_GAIN:
        best = current
    return {"k": best[0], "min_similarity": best[1], "value": values[best],
            "measured": [{"k": k, "min_similarity": m, "value": v}
                         for (k, m), v in sorted(values.items())],
            "emails": len(references)}
