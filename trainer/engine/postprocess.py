"""Turn raw model output into a clean email: ``clean_draft`` (the streaming shaper of
``trainer.engine.shaping`` run over a whole text), and the user's usual sign-off learned from their
mail."""

from __future__ import annotations

import re

from trainer.engine.shaping import Shaped as CleanDraft
from trainer.engine.shaping import clean_draft

__all__ = ["CleanDraft", "clean_draft", "infer_sign_off"]


def infer_sign_off(own_bodies: list[str]) -> str:
    """The closing most of the user's emails share: two lines ("Onward,\nTeddy"), or where
    they sign with their name alone, that line ("Phillip")."""
    pairs: dict[str, int] = {}
    names: dict[str, int] = {}
    for body in own_bodies:
        lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
        if len(lines) >= 2 and len(lines[-1]) <= 30 and lines[-2].endswith(","):
            closing = f"{lines[-2]}\n{lines[-1]}"
            pairs[closing] = pairs.get(closing, 0) + 1
        if len(lines) >= 2 and _SIGNATURE.fullmatch(lines[-1]):
            names[lines[-1]] = names.get(lines[-1], 0) + 1
    enough = max(2, len(own_bodies) // 3)
    for counts in (pairs, names):
        if counts:
            closing, n = max(counts.items(), key=lambda kv: kv[1])
            if n >= enough:
                return closing
    return ""


# A name signed alone: "Phillip", "Jo B.", "—Sam".
_SIGNATURE = re.compile(r"[-—–~]?\s?[A-Z][\w'’-]*\.?(?:\s[A-Z][\w'’-]*\.?){0,2}")
