"""The person written to as "you": a request speaks of them ("ask Stan when he can
start"), the email speaks to them ("When can you start?"). Someone else the request speaks
of keeps their pronouns: the one introduced ("she's a potter"), the child of "Noah's
teacher" ("he'll be out Friday")."""

from __future__ import annotations

import re

_SINGULAR = {"he": "you", "she": "you", "him": "you", "his": "your", "himself": "yourself",
             "herself": "yourself", "he's": "you're", "she's": "you're", "he'll": "you'll",
             "she'll": "you'll", "he'd": "you'd", "she'd": "you'd"}
_PLURAL = {"they": "you", "them": "you", "their": "your", "theirs": "yours",
           "themselves": "yourselves", "they're": "you're", "they'll": "you'll"}
AGREE = {"is": "are", "was": "were", "has": "have", "does": "do", "doesn't": "don't",
         "isn't": "aren't", "wasn't": "weren't", "hasn't": "haven't"}


# After these, "her" is the person ("drive her home", "give her the keys"), not "your".
_HER_OBJECT = {"to", "for", "about", "with", "by", "at", "on", "in", "if", "whether", "that", "i",
               "know", "and", "home", "back", "up", "down", "out", "off", "over", "round",
               "around", "away", "here", "there", "now", "today", "tomorrow", "later", "soon",
               "again", "too", "tonight", "asap", "yesterday", "directly", "the", "a", "an",
               "properly", "personally", "formally", "officially", "publicly", "privately",
               "warmly", "politely", "sincerely", "enough", "so", "very", "immediately",
               "this", "these", "those", "some", "any", "next", "then",
               "everything", "anything", "something", "what", "how", "when", "why", "where"}
# "he's thought about" is "you've thought about"; "he's tired" stays "you're tired".
_PARTICIPLES = {"been", "thought", "done", "got", "gotten", "gone", "made", "built", "had",
                "seen", "said", "told", "found", "sent", "left", "put", "taken", "written",
                "given", "known", "brought", "bought", "heard", "kept", "paid", "read", "spent",
                "won", "lost", "met", "finished", "started", "asked", "agreed", "decided",
                "booked", "fixed", "signed", "sorted", "checked", "emailed", "called",
                "offered", "worked", "tried", "used", "moved", "changed", "completed",
                "received", "submitted", "managed", "missed", "forgotten", "chosen"}


_ADVERBS = {"still", "also", "really", "just", "never", "always", "only", "even", "usually",
            "often", "already", "probably", "definitely", "actually"}
HIS = {"he", "him", "his", "himself", "he's", "he’s", "he'll", "he'd"}
HERS = {"she", "her", "hers", "herself", "she's", "she’s", "she'll", "she'd"}


def to_you(text: str, plural: bool, reader: str = "") -> str:
    """The person's pronouns as "you": "when he can start" → "when you can start". Where
    the request called the reader "him" or "her", the other's pronouns are someone else's
    ("ask him to call her")."""
    # Writing to several people, "he" and "she" are someone else ("list what he's built").
    table = _PLURAL if plural else _SINGULAR
    others = HERS if reader == "him" else HIS if reader == "her" else set()
    words = text.split(" ")
    out: list[str] = []
    for n, word in enumerate(words):
        core = word.rstrip(",.;:!?")
        tail = word[len(core):]
        lowered = core.lower()
        if lowered in others:
            out.append(word)
            continue
        if lowered == "her" and not plural:
            following = words[n + 1] if n + 1 < len(words) else ""
            # "her" before a noun is "your"; at the end or before a preposition, "you".
            bare = following.lower().rstrip(",.;:!?")
            # "keep her posted", "get her informed": the object, before a participle
            # "quoted her £3,850", "owe her 2 hours": the object, before an amount
            swapped = "you" if not following or bare in _HER_OBJECT or tail \
                or bare in ("posted", "informed", "updated", "involved", "covered") \
                or re.match(r"[£$€₦₹¥]?\d", following) else "your"
        elif not plural and lowered in ("he's", "she's", "he’s", "she’s") and n + 1 < len(words) and (
                words[n + 1].lower().rstrip(",.;:!?") in _PARTICIPLES
                or words[n + 1].lower() in _ADVERBS and n + 2 < len(words)
                and words[n + 2].lower().rstrip(",.;:!?") in _PARTICIPLES):  # "he's always been"
            swapped = "you've"
        elif lowered in table:
            swapped = table[lowered]
        elif lowered in AGREE and out and (out[-1].lower() == "you" or len(out) > 1 and
                                           out[-2].lower() == "you" and out[-1].lower() in _ADVERBS):
            swapped = AGREE[lowered]
        elif re.fullmatch(r"[a-z]+s", core) and not core.endswith("ss") and (
                out and out[-1].lower() == "you" or len(out) > 1 and out[-2].lower() == "you"
                and out[-1].lower() in _ADVERBS):  # "you still want", "you also need"
            swapped = _base_form(core)
        else:
            out.append(word)
            continue
        if core[:1].isupper():
            swapped = swapped[:1].upper() + swapped[1:]
        if swapped.lower() == "you" and out and out[-1].lower() in AGREE:
            # "is she free?" → "are you free?"
            verb = AGREE[out[-1].lower()]
            out[-1] = verb[:1].upper() + verb[1:] if out[-1][:1].isupper() else verb
        out.append(swapped + tail)
    return " ".join(out)


def _base_form(verb: str) -> str:
    """ "needs" → "need", "tries" → "try", "watches" → "watch": the verb after "you"."""
    if verb.endswith(("ches", "shes", "xes", "zes", "sses")):
        return verb[:-2]
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    return verb[:-1]


_ASKED_PRONOUN = re.compile(r"\b(?:can|could|would|will|is|does|did|has|ask)\s+"
                            r"(he|she|him|her)\b", re.I)


def reader_pronoun(text: str) -> str:
    """ "her" or "him" where the request asks the reader by pronoun ("can she send …") and
    also speaks of someone of the other ("he'll be out"): that one's pronouns are not "you"."""
    asked = {word.lower() for word in _ASKED_PRONOUN.findall(text)}
    she = asked <= {"she", "her"}
    if not asked or not (she or asked <= {"he", "him"}):
        return ""
    words = {w.lower().strip(",.;:!?—–-") for w in text.split()}
    return ("her" if she else "him") if words & (HIS if she else HERS) else ""


_ANY_PRONOUN = re.compile(r"\b(?:he|she|him|her|his|hers|himself|herself)(?:['’](?:s|ll|d))?\b",
                          re.I)
# "Mia can't make training Wed, she's got a cold": she, after a named subject's clause,
# is that one.
_NAMED_THEN = re.compile(r"\b(?!I\b)(?P<name>[A-Z][a-z]+)(?:['’]s)?\s+[^.;!?]*?,\s+$")
_SUBJECT = re.compile(r"(?:he|she)(?:['’](?:s|ll|d))?$", re.I)
_NAME_IS = re.compile(r"(?i:her|his)\s+(?i:name)\s+(?i:was)\s+(?P<name>[A-Z][\w'’-]+)")
# A named subject earlier in the same sentence: "Finn will miss school … for his …".
_NAMED_DOER = re.compile(r"\b(?!I\b)(?P<name>[A-Z][a-z]+)\s+"
                         r"(?:will|is|was|has|had|can|could|would|won['’]t|can['’]t|[a-z]+ed)\b[^.;!?]*$")
_NAMED_SUBJECT = re.compile(r"\b(?!I\b)(?P<name>[A-Z][a-z]+)\s+"
                            r"(?:will|is|was|has|had|can|could|would|won['’]t|can['’]t|"
                            r"[a-z]+(?:s|ed))\b[^.;!?]*$")


def whose_pronouns(text: str, reader: str = "") -> str:
    """ "her" or "him": which the reader is, where a request speaks of two people by
    pronoun ("give Tom a heads up that his mum called and she sounded upset"): the first
    pronoun is the reader's, unless it opens a clause after one about someone named ("Mia
    can't come Wed, she's got a cold"); "" where nothing tells."""
    asked = reader_pronoun(text)
    if asked:
        return asked
    first = _ANY_PRONOUN.search(text)
    if not first:
        return ""
    she = re.split(r"['’]", first.group(0).lower())[0] in HERS
    # "Her name was Philippa and she was 88": someone named as they were, not the reader
    # ("his name is Mr Okafor" names the reader)
    introduced = _NAME_IS.match(text, first.start())
    if introduced and introduced.group("name") != reader and not reader.startswith(introduced.group("name")):
        return "him" if she else "her"
    named = _NAMED_THEN.search(text[:first.start()])
    if named and _SUBJECT.match(first.group(0)) and named.group("name") != reader:
        return "him" if she else "her"
    owner = _NAMED_SUBJECT.search(text[:first.start()])
    # "her", unlike "his", is also whom something is done to ("call her tonight")
    possessive = first.group(0).lower() == "his" or (
        first.group(0).lower() == "her"
        and re.search(r"\b(?:for|with|about|of|in|on|at|from|by)\s+$", text[:first.start()])
        and not re.match(r"\s+(?:tonight|today|tomorrow|now|later|again|back|up|out|too|know)\b",
                         text[first.end():]))
    if owner and first.group(0).lower() == "her":
        # "Amelia will be off for her …", not "… Lottery bids … for her class" ("bids" a noun)
        owner = _NAMED_DOER.search(text[:first.start()])
    if owner and possessive and owner.group("name") != reader:
        # "Finn will miss school for his grandad's funeral", "Amelia will be off for her
        # grandad's funeral": Finn's, Amelia's
        return "her" if first.group(0).lower() == "his" else "him"
    words = {w.lower().strip(",.;:!?—–-") for w in text.split()}
    return ("her" if she else "him") if words & (HIS if she else HERS) else ""


_CONTRACTED = {"ll": "will", "d": "would"}


def owner_named(text: str, owner: str, reader: str) -> str:
    """The other person, named where the request opens on their pronoun: "he'll be out" →
    "Noah will be out", the request having called the reader "Noah's teacher"."""
    other = "he" if reader == "her" else "she"
    found = re.match(rf"{other}(?:['’](ll|d|s))?\b", text, re.I)
    if not owner or not found:
        return text
    short = found.group(1)
    said = owner if not short else f"{owner}'s" if short == "s" else \
        f"{owner} {_CONTRACTED[short]}"
    return said + text[found.end():]


def about_the_introduced(about: str) -> str:
    """ "she's a potter looking for kiln space, he runs the co-op": the first pronoun is the
    one introduced; the other's are the reader's ("you run the co-op")."""
    first = re.search(r"\b(he|she|him|her|his)\b", about, re.I)
    if not first:
        return about
    return to_you(about, False, "her" if first.group(1).lower() in HIS else "him")
