"""A subject line from the request itself, where the model's is a poor one: "tell Stan
the board approved the glazing quote; …" → "The board approved the glazing quote"."""

from __future__ import annotations

import re

from trainer.clauses import REQUEST_VERB_SET, clauses
from trainer.engine.shaping import CLOSING
from trainer.literal import (
    _COMPILED,
    _GERUNDS,
    _PROPER_WORDS,
    _addressed,
    _lower_first,
    _proper,
    _to_reader,
    addressed_reader,
    one_line,
)
from trainer.story import sentences
from trainer.typed import asked_subject, plain_request

SUBJECT_WORDS = 8
_DANGLING = {"or", "and", "the", "a", "an", "of", "at", "to", "for", "with", "by",
             "from", "our", "my", "your", "their", "his", "her", "its", "but", "near", "into",
             "never", "not", "still", "just", "was", "were", "is", "are", "has", "have", "will"}


# A clause that says who the writer is, not what the email is about.
_ABOUT_THE_WRITER = re.compile(r"(?i)^(?:i|we)\s+(?:run|am|['’]m|work|coordinate|manage|organi[sz]e|"
                               r"look\s+after|teach|volunteer|own|rent|live|help\s+run|supply|sell|provide|"
                               r"coach|chair)\b")
# Forms whose subject says what the email does: "Thank you for the flowers".
_SUBJECT_LEADS = {"thank you for {x}.": "thank you for ", "I'm sorry for {x}.": "sorry for ",
                  "congratulations on {x}!": "congratulations on "}


def subject_from_request(instruction: str) -> str:
    """A subject from what the request is about: "tell Stan the board approved the glazing
    quote; …" → "The board approved the glazing quote"; "" when it can't tell. The one it
    asks for ("…, subject: Friday drinks") where it asks for one."""
    asked = asked_subject(instruction)[1]
    if asked:
        return asked[:1].upper() + asked[1:]
    text = one_line(plain_request(instruction))
    # "introduce Femi and Ingrid: …" → "Introduction: Femi and Ingrid"
    introduced = re.match(r"(?i:introduce)\s+(?P<a>[A-ZÀ-Þ][\w'’-]+)\s+(?:and|to)\s+(?P<b>[A-ZÀ-Þ][\w'’-]+)\b", text)
    if introduced:
        return f"Introduction: {introduced.group('a')} and {introduced.group('b')}"
    addressed = _addressed(text)
    addressee = ""
    if addressed:  # "Noah's teacher - he'll be out …, can she …": about Noah
        who, known, text = addressed_reader(addressed)
        addressee = known or who
    parts = clauses(text)
    # "I run the Tuesday work party. The skip never came …": about the skip, not the writer
    while len(parts) > 1 and _ABOUT_THE_WRITER.match(parts[0]):
        parts = parts[1:]
    if not parts:
        return ""
    # "One of them, The Copper Kettle, hasn't paid …": about the one named
    clause = re.sub(r"^(?i:one|some|two|three|all|both|most|none)\s+of\s+(?i:them|us|these|those)\s*,\s*"
                    r"(?P<named>[^,]{2,40}),\s*", r"\g<named> ", parts[0])
    clause = _lower_first(clause)
    first, _, rest = clause.partition(" ")
    if first in _GERUNDS:  # "saying the sellers accepted": what is said
        clause = f"{_GERUNDS[first]} {rest}"
    lead = ""
    for pattern, form in _COMPILED:
        match = pattern.match(clause)
        if match and match.groupdict().get("x"):
            who = match.groupdict().get("who") or addressee
            # The reader's things as theirs: "say sorry to Amy for missing her call".
            clause = _to_reader(match.group("x") + (match.groupdict().get("y") or ""), who)
            lead = _SUBJECT_LEADS.get(form, "")
            break
    else:
        clause = _to_reader(clause, addressee) if addressee else clause
    clause = lead + re.sub(r"^(?:that|whether|if|about|to)\s+", "", clause.strip())
    # "he can replace the panes" is about replacing the panes.
    clause = re.sub(r"^(?:(?:he|she|they|you)['’](?:s|ve)|he|she|they|you|we|i)\s+(?:(?:can|could|will|would|should|might|"
                    r"may|must)\s+|(?:wants?|needs?|would like|['’]d like)\s+to\s+)?", "", clause,
                    flags=re.I)
    clause = _PROPER_WORDS.sub(_proper, clause)
    # At a colon, bracket, spaced dash or comma; never inside "10:30" or "2–5 March".
    clause = re.split(r"\s*(?::(?!\d)|\(|\s[—–-]\s|—|\?)\s*|,\s+", clause)[0]
    subject = _trimmed(clause.split())
    return subject[0].upper() + subject[1:] if subject else ""


# Words that end a subject cut short in the middle of a phrase ("… hasn't paid the last
# three").
_CUT_SHORT = {"in", "on", "due", "dated", "last", "first", "next", "two", "three", "four", "five",
              "six", "few", "several", "many", "some"}


def _trimmed(words: list[str]) -> str:
    """A subject's words: up to a "before"/"by" that adds a condition, at most
    ``SUBJECT_WORDS``, and no word left dangling at the end ("Fit the £380 lids on the 13th
    or"); "" for fewer than two."""
    for n, word in enumerate(words):
        if n >= 4 and word.lower() in ("before", "by", "until", "after", "because", "so"):
            words = words[:n]
            break
    cut = len(words) > SUBJECT_WORDS
    words = words[:SUBJECT_WORDS]
    while words and (words[-1].lower() in _DANGLING or cut and (
            words[-1].lower() in _CUT_SHORT or re.fullmatch(r"[\d,.]+", words[-1]))):
        words.pop()
    return " ".join(words).rstrip(".,;?!") if len(words) >= 2 else ""


def poor_subject(subject: str, instruction: str) -> bool:
    """A subject that repeats itself ("Start: Start: Start"), hands the request back ("Ask
    Sam whether next week's rota is final") or is a sign-off ("Onward, Teds")."""
    words = re.findall(r"\w+", subject.lower())
    if not words:
        return True
    if len(words) <= 3 and CLOSING.match(subject):
        return True
    if max(words.count(w) for w in set(words)) >= 3 or subject.count(":") >= 2:
        return True
    first = words[0]
    return first in REQUEST_VERB_SET and instruction.lower().lstrip().startswith(first)


def fitting_subject(subject: str, instruction: str) -> str:
    """``subject``, or what the request is about where it is a poor one."""
    return subject_from_request(instruction) if poor_subject(subject, instruction) else subject


# What opens an email before what it is about: its greeting, "Hope you're well", "I'm Chris
# from TalentBridge", "Thanks for your email".
_NOT_THE_TOPIC = re.compile(
    r"(?i)^(?:(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings|to\s+whom\s+it\s+may\s+concern|"
    r"whom\s+it\s+may\s+concern)\b(?:[^!?\n,:]{0,40}?(?:[,!:—–]|$)|\s+(?=[a-z]))|(?:i\s+)?hope\b[^.!?]*\b(?:well|good|great|ok|okay|fine|week|weekend)\b|"
    r"(?:i['’]m|i\s+am|this\s+is|my\s+name\s+is)\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s+(?:from|at|with|here)\b|"
    r"(?:many\s+)?thanks?\s+(?:you\s+)?for\s+(?:your|the)\s+(?:e-?mail|message|note|reply)\b)")
# How a sentence leads in to what it says: "Just checking whether …", "Our records show that …".
_LEAD_IN = re.compile(
    r"(?i)^(?:just\s+)?(?:(?:a\s+)?quick\s+(?:question|note|one)\s*[:,—–-]\s*|"
    r"(?:i\s+was\s+|i['’]m\s+|i\s+am\s+)?(?:just\s+)?(?:checking|wondering|writing|wanted|want|emailing|"
    r"letting\s+you\s+know|reaching\s+out)(?:\s+(?:in|to\s+(?:ask|check|see|let\s+you\s+know|confirm|say)))?"
    r"(?:\s+(?:whether|if|that|about|regarding))?\s+|"
    r"(?:our|my)\s+records\s+show\s+(?:that\s+)?|please\s+(?:note|be\s+advised)\s+(?:that\s+)?|"
    r"(?:this\s+is\s+|just\s+)to\s+(?:let\s+you\s+know|confirm|inform\s+you)\s+(?:that\s+)?|"
    r"(?:we|i)\s+(?:regret\s+to\s+inform\s+you|(?:can\s+)?confirm|(?:have\s+)?noticed|would\s+like\s+to\s+"
    r"(?:inform\s+you|let\s+you\s+know))\s+(?:that\s+)?)")


def reply_subject(email: str) -> str:
    """"Re: " and what an email replied to is about, for one pasted without its subject:
    "Hi Sam, just checking whether the replacement part has shipped? Thanks, Ana" → "Re:
    The replacement part has shipped"; "" where it says nothing past its greeting."""
    for line in email.splitlines():
        for sentence in sentences(line.strip()):
            while True:
                opening = _NOT_THE_TOPIC.match(sentence)
                if not opening or not opening.group(0).strip():
                    break
                sentence = sentence[opening.end():].strip(" ,.!—–-")
            sentence = _LEAD_IN.sub("", sentence).strip()
            words = sentence.rstrip(".!?").split()
            if len(words) < 3 or CLOSING.match(sentence):
                continue
            topic = _trimmed(re.split(r"\s*(?:,\s+|\s[—–-]\s|;|:(?!\d)|\()\s*", " ".join(words))[0].split())
            if topic:
                return f"Re: {topic[0].upper()}{topic[1:]}"
    return ""
