"""Turn raw model output into a clean email: no chatter, no template tokens, a subject
split from the body, the user's usual sign-off, and no runaway repetition."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TEMPLATE_TOKENS = re.compile(r"<\|[a-z_]+\|>|<(?:start|end)_of_turn>|</?s>|\[/?INST\]")
_CHATTER_OPENING = re.compile(
    r"^\s*(sure|certainly|of course|absolutely|okay|ok|here('s| is| are)|below is|i've drafted"
    r"|i have drafted|this email)\b[^\n]{0,120}[:!.]?\s*$", re.I)
_CHATTER_CLOSING = re.compile(
    r"^\s*(i hope this (helps|email)|let me know if|feel free to|please let me know if you"
    r"(?:'d| would) like|this (email|message|is a reminder)|note:|\(note)", re.I)
_SUBJECT = re.compile(r"^\s*\**subject\**\s*:\s*(.+?)\s*$", re.I)
# A closing the model chose ("Best regards," "Thanks!" "Sincerely") where the user has one.
_CLOSING = re.compile(
    r"^\s*(?:(?:best|kind|warm|warmest|many)\s+)?(?:regards|wishes|thanks|thank you|cheers|"
    r"sincerely|yours(?: truly| sincerely)?|best|all the best|take care)\b.{0,20}$", re.I)
_SEPARATOR = re.compile(r"^\s*(?:-{2,}|_{2,}|\*{3,})\s*$")


@dataclass
class CleanDraft:
    body: str
    subject: str = ""
    added_sign_off: bool = False


def _cut_repetition(lines: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for line in lines:
        key = line.strip().lower()
        if key and len(key) > 3:
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 2:
                break
        out.append(line)
    return out


def _sign_off_position(lines: list[str], sign_off: str) -> int | None:
    """Index of the last line of the sign-off block in ``lines``, if it is there."""
    def plain(line: str) -> str:  # "Onward —" and "Onward," close the same way
        return re.sub(r"[^\w\s]", "", line).strip().lower()

    wanted = [plain(s) for s in sign_off.strip().splitlines() if plain(s)]
    if not wanted:
        return None
    stripped = [plain(line) for line in lines]
    for i in range(len(stripped) - len(wanted), -1, -1):
        if stripped[i : i + len(wanted)] == wanted:
            return i + len(wanted) - 1
    return None


def _other_sign_off(lines: list[str]) -> int | None:
    """Where a sign-off that is not the user's starts: a closing phrase in the last three
    lines with text, followed only by short lines (a name, a "[Your Name]")."""
    filled = [i for i, line in enumerate(lines) if line.strip()][-3:]
    for i in filled:
        if _CLOSING.match(lines[i]) and all(len(lines[j].strip()) <= 30
                                            for j in filled if j > i):
            return i
    return None


def clean_draft(raw: str, *, sign_off: str = "", want_subject: bool = True) -> CleanDraft:
    text = _TEMPLATE_TOKENS.sub("", raw).replace("\r\n", "\n").strip()
    lines = text.split("\n")
    subject = ""
    for index, line in enumerate(lines[:4]):
        match = _SUBJECT.match(line)
        if match:
            subject = match.group(1).strip().strip("*").strip()
            lines = lines[index + 1 :]
            break
    while lines and (not lines[0].strip() or _CHATTER_OPENING.match(lines[0])):
        lines = lines[1:]
    lines = _cut_repetition(lines)
    end = _sign_off_position(lines, sign_off) if sign_off else None
    if end is not None:
        lines = lines[: end + 1]
    else:
        while lines and (not lines[-1].strip() or _CHATTER_CLOSING.match(lines[-1])):
            lines = lines[:-1]
    if sign_off and end is None:
        start = _other_sign_off(lines)
        if start is not None:  # the user's own closing replaces the model's
            lines = lines[:start]
        while lines and (not lines[-1].strip() or _SEPARATOR.match(lines[-1])):
            lines = lines[:-1]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()
    added = False
    if sign_off and end is None and body:
        body = f"{body}\n\n{sign_off.strip()}"
        added = True
    return CleanDraft(body=body, subject=subject if want_subject else "", added_sign_off=added)


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
