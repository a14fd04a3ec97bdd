"""A request cut into its clauses, each one thing to say: "tell Stan the board approved
the quote; ask when he can start" → ["tell Stan the board approved the quote", "ask when he
can start"]. Asides in brackets stay whole; a list of notes after a colon stays one clause."""

from __future__ import annotations

import re

from trainer.typed import REQUEST_VERBS

_VERBS = REQUEST_VERBS
REQUEST_VERB_SET = set(_VERBS.split("|")) | {"reply", "write", "respond", "please"}
_CLAUSE_SPLIT = re.compile(
    r";\s*"
    # a full stop, not one of a title or an abbreviation
    r"|(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bSt)(?<!\bProf)(?<!\be\.g)(?<!\bi\.e)"
    r"(?<!\bvs)(?<!\bpg)(?<!\bno)(?<!\bapprox)\.\s+"
    rf"|,\s*(?:and\s+)?(?=(?:{_VERBS}|need|want|think|hope)\b)"
    rf"|(?<=[?!])\s+(?=(?:{_VERBS})\b)"
    # "can she resend it? the one she sent …": a question, then the next sentence
    r"|(?<=[a-z]\?)\s+(?=[A-Za-z])"
    rf"|\s+and\s+(?P<and_verb>)(?=(?:{_VERBS})\s)|,\s*(?P<subject>)(?=(?:we|i|it|it's|there's|that's|he|she|they)\b)"
    # "…, our hall is booked" is a sentence; "thank Ana, our treasurer, for …" is not
    r"|,\s*(?=(?:our|my)\b[^,;.]*?\b(?:is|are|was|were|will|can|has|have|had|did|does)\b)"
    # "send the schedules, closing is pushed to 6/30": a news clause of its own, with a
    # subject of a few words and its verb ("the venue, the one on Main St, is free" is not)
    r"|,\s*(?P<news>)(?=(?!(?:which|who|whom|whose|that|where|when|if|as|so|but|or|and|because|"
    r"since|unless|until|while|what|how|why)\b)(?:[\w'’/$£€-]+\s+){0,2}[\w'’-]+\s+"
    r"(?:is|are|was|were|isn['’]t|aren['’]t|wasn['’]t|weren['’]t|has\s+been|have\s+been|"
    r"will\s+be|got|gets)\s[^,;]*(?:[.?!;]|$))"
    rf"|,?\s+(?:and\s+)?then\s+(?=(?:{_VERBS})\s)|\s+[—–-]\s+(?=(?:{_VERBS})\s)"
    # "…, how many tickets sold so far?": a question of its own
    r"|,\s*(?=(?:how|what|when|where|who|which|why)\b[^,;.]*\?)"
    # "the lids are in, can he fit them Thursday?": a question of its own, typed with its
    # question mark or, closing the request, without
    # "thursday is fine but ask if he can come at 10": the ask, a sentence of its own
    r"|,?\s+but\s+(?=ask\s+(?:if|whether|when|what|how)\b)"
    r"|(?:\s+[-—–]|,?\s+so|,\s+and)\s+(?=(?:can|could|will|would|shall|should|do|does|did)\s+"
    r"(?:he|she|they|you|we|i)\b)"
    r"|,\s*(?=(?:can|could|will|would|is|are|do|does|did)\s+(?:he|she|they|you|we)\b"
    r"(?:[^,;]*\?|[^,;?.]*$))",
    re.I)


def clauses(instruction: str) -> list[str]:
    # "(I took off $3,000; other income is $75/month)", "(non-refundable, it's in the
    # contract)": one aside each, not two clauses.
    asides: list[str] = []

    def keep(match: re.Match) -> str:
        asides.append(match.group(0))
        return f"\x01{len(asides) - 1}\x01"
    kept = re.sub(r"\([^()]*\)", keep, instruction.strip())
    # "$14,600 is unpaid", "rooms 3,4 and 5": a comma between digits splits nothing
    kept = re.sub(r"(?<=\d),(?=\d)", "\x02", kept)
    parts: list[str] = []
    start, joint = 0, ""
    for found in [*_CLAUSE_SPLIT.finditer(kept), None]:
        if found and found.group("news") is not None and re.search(
                r":|\bmentioning\b", kept[start:found.start()]):
            continue  # "pitch fees and dates: Christmas, hat is knitted": one list of notes
        if found and found.group("and_verb") is not None and re.search(
                r"\b(?:want|wants|wanted|need|needs|have|has|going|like|able|trying|hoping|hope)"
                r"\s+(?:(?:him|her|them|you|it|us)\s+)?to\s+\w+",
                kept[start:found.start()]):
            continue  # "we want to arrange the inspection and get the deposit back": one wish
        if found and found.group("subject") is not None and _CONDITION.match(
                kept[start:found.start()].strip()):
            continue  # "if that time doesn't work, she should suggest another": one sentence
        part = kept[start:found.start() if found else len(kept)].strip(" ,")
        if parts and joint.startswith(",") and INTRODUCES.match(parts[-1]) \
                and _SOMEONE_SAID.match(part):
            # "introducing Lena — she's a potter, he runs the co-op": one about both
            parts[-1] = f"{parts[-1]}, {part}"
        elif part:
            parts.append(part)
        if found:
            start, joint = found.end(), found.group(0).strip()
    return [re.sub(r"\x01(\d+)\x01", lambda m: asides[int(m.group(1))], c).replace("\x02", ",")
            for c in parts]


_CONDITION = re.compile(r"(?:if|when|whenever|unless|once|as\s+soon\s+as|because|since|"
                        r"although|though|while|before|after|until|in\s+case)\b", re.I)
INTRODUCES = re.compile(r"(?:.*\s)?(?:introduc\w*|intro)\s", re.I)
_SOMEONE_SAID = re.compile(r"(?:he|she|they)\b", re.I)
