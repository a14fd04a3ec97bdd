"""Turn raw model output into a clean email: ``clean_draft`` (the streaming shaper of
``trainer.engine.shaping`` run over a whole text), and the user's usual sign-off learned from their
mail."""

from __future__ import annotations

from trainer.engine.shaping import Shaped as CleanDraft
from trainer.engine.shaping import clean_draft

__all__ = ["CleanDraft", "clean_draft", "infer_sign_off"]


def infer_sign_off(own_bodies: list[str]) -> str:
    """The closing two lines most of the user's emails share (e.g. "Onward,\\nTeddy")."""
    counts: dict[str, int] = {}
    for body in own_bodies:
        lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
        if len(lines) >= 2 and len(lines[-1]) <= 30 and lines[-2].endswith(","):
            closing = f"{lines[-2]}\n{lines[-1]}"
            counts[closing] = counts.get(closing, 0) + 1
    if not counts:
        return ""
    closing, n = max(counts.items(), key=lambda kv: kv[1])
    return closing if n >= max(2, len(own_bodies) // 3) else ""
