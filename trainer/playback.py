"""Data playback: for each email the user wrote, the instruction that would have produced it.

Measured here, the default 135M model cannot summarise an email faithfully (roles swapped,
invented dates, copied text that leaks the answer), so instructions are faithful by
construction: short notes of who it goes to, what it is about and facts taken verbatim from
the email (numbers, dates, times, names, key phrases chosen with the embedding model),
written in the varied forms people type into a drafting box. ``check_instruction`` scores
any instruction, however made, for echo, assistant talk and invented facts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from store.retrieval import STOPWORDS
from trainer.facts import DATE as _DATE
from trainer.facts import MONEY as _MONEY
from trainer.facts import MONTH as _MONTH
from trainer.facts import NUMBER as _NUMBER
from trainer.facts import PERCENT as _PERCENT
from trainer.facts import PROPER as _PROPER
from trainer.facts import SENTENCE_START as _SENTENCE_START
from trainer.facts import TIME as _TIME

# v2: a third of the emails get a typed request (form "request"); v3: a sentence's first
# word that the writer uses as an everyday word is not taken for a name; v4: key phrases
# and names never run across punctuation, figures or lines ("thursday nd am" was
# "Thursday 22nd, 9am"; a list of names one to a line was one name), nor say a fact again
# ("thursday" beside "Thursday 22nd").
METHOD = "notes-v4"

_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|morning|good morning|afternoon|evening|hiya)\s+"
    r"([A-Z][a-zA-Z'-]+)", re.I)
_BARE_NAME = re.compile(r"^\s*([A-Z][a-z]+)\s*[,—-]?\s*$")
_META = re.compile(
    r"\b(as an ai|i am an ai|language model|to instruct|the instruction|this email|here is|"
    r"here's|the assistant|write a message|the user)\b", re.I)
_WORD = re.compile(r"[\w'£$€%-]+")
_STOP_NAMES = {"I", "The", "Thanks", "Thank", "Please", "Hi", "Hello", "Dear", "Morning",
               "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
               "Re", "Fw", "Fwd", "Cheers", "Best", "Regards", "Onward", "Yes", "No", "Ok",
               "Okay", "Sorry", "Let", "If", "We", "You", "It", "That", "This", "So", "And",
               "But", "Also", "Just", "Can", "Could", "Would", "Will", "Is", "Are", "Do"}


@dataclass
class EmailForPlayback:
    ident: str
    body: str
    subject: str = ""
    to: list[str] = field(default_factory=list)
    is_reply: bool = False
    writer_names: tuple[str, ...] = ()  # the user's own names: never a third party
    date: float | None = None
    in_reply_to: str = ""
    recipient: str = ""  # the first To address, as the prompt builder names it


@dataclass
class Check:
    echo: bool
    meta: bool
    invented: list[str]

    @property
    def usable(self) -> bool:
        return not (self.echo or self.meta or self.invented)


@dataclass
class Instruction:
    ident: str
    text: str
    method: str
    form: str
    facts: list[str]
    check: Check | None = None


def recipient_name(email: EmailForPlayback) -> str:
    for line in email.body.splitlines()[:3]:
        match = _GREETING.match(line) or _BARE_NAME.match(line)
        if match and match.group(1) not in _STOP_NAMES:
            return match.group(1)
    if email.to:
        local = email.to[0].split("@")[0]
        first = re.split(r"[._-]+", local)[0]
        if first.isalpha() and len(first) > 1:
            return first.capitalize()
    return ""


def extract_facts(email: EmailForPlayback, keyphrases: Callable[[str], list[str]] | None = None,
                  limit: int = 5, recipient: str = "",
                  everyday: Collection[str] = frozenset()) -> list[str]:
    """``everyday``: the writer's everyday words (``trainer.facts.everyday_words`` over
    their mail), which are no one's name where a sentence opens with them."""
    body = email.body
    facts: list[str] = []

    def add(value: str) -> None:
        value = " ".join(value.split()).strip(" ,.;:")
        if value and value.lower() not in (f.lower() for f in facts) and len(facts) < limit:
            facts.append(value)

    for pattern in (_MONEY, _PERCENT, _DATE, _TIME):
        for match in pattern.finditer(body):
            add(match.group(0))
    names = [name for match in _PROPER.finditer(body) for name in _names_in(match, body)]
    # A capitalised word opening a sentence is a name only if the text never writes it
    # in lower case and it is no common word ("Nina will…" yes, "Could you…" no).
    for match in _SENTENCE_START.finditer(body):
        word = match.group(1)
        if word.lower() not in STOPWORDS and not re.search(rf"\b{word.lower()}\b",
                                                            body.replace(word, "")):
            names.append(word)
    own = {n.lower() for n in email.writer_names} | {recipient.lower()} - {""}
    for name in names:
        if name.split()[0] not in _STOP_NAMES and name.split()[0].lower() not in STOPWORDS \
                and name.lower() not in own and name.lower() not in everyday \
                and not re.match(_MONTH + "$", name):
            add(name)
    # Key phrases fill in what an email without numbers or names is about; one with the
    # writer's or reader's name in it is the greeting or sign-off ("great cheers callum").
    if keyphrases is not None and len(facts) < 3:
        for phrase in keyphrases(body):
            said = re.sub(r"['’]s\b", "", phrase.lower())
            # "thursday" beside "Thursday 22nd", "julian's" beside "Julian": said already
            if not own & set(phrase.lower().split()) and not any(said in f.lower() for f in facts):
                add(phrase)
    return facts


# Prose wrapped by the mail program breaks lines at about 70 characters; a shorter line
# ends where the writer ended it (a heading, a list of names).
WRAPPED_LINE = 50


def _names_in(match: re.Match, body: str) -> list[str]:
    """A capitalised run split where the writer broke the line (one name a line, a heading
    then a sentence), but a name the mail program wrapped is one ("…with Vishal\nApte")."""
    text, offset = match.group(1), match.start(1)
    names, start = [], 0
    for newline in re.finditer(r"[ \t]*\n\s*", text):
        line_start = body.rfind("\n", 0, offset + newline.start()) + 1
        if offset + newline.start() - line_start < WRAPPED_LINE:
            names.append(text[start:newline.start()])
            start = newline.end()
    names.append(text[start:])
    return [" ".join(name.split()) for name in names]


def _topic(email: EmailForPlayback) -> str:
    subject = re.sub(r"^\s*((re|fw|fwd)\s*:\s*)+", "", email.subject or "", flags=re.I).strip()
    return "" if subject.lower() in ("(no subject)", "no subject", "untitled") else subject


def _form_for(ident: str) -> str:
    # A third are requests as people type them, so the adapter learns to turn what users
    # actually write into the email they would have sent.
    forms = ("notes", "sentence", "bullets", "terse", "request", "request")
    return forms[int(hashlib.sha1(ident.encode()).hexdigest(), 16) % len(forms)]


_ACTS = (
    ("thank", re.compile(r"\b(?:thank(?:s| you)|grateful|appreciate)", re.I)),
    ("decline", re.compile(r"\b(?:can't|cannot|can not|unable to|won't be able|not able to|"
                           r"have to (?:say no|decline|pass)|sorry,? (?:but|we|i))", re.I)),
    ("confirm", re.compile(r"\b(?:confirm(?:ed|ing)?|yes,|said yes|yes to|happy with|that works|fine by|"
                           r"sounds good|go ahead|approved|agreed|all set)", re.I)),
    ("propose", re.compile(r"\b(?:how about|shall we|could we|would you like|let's|"
                           r"(?:i|we) suggest|(?:i|we) propose)", re.I)),
)
_VERBS = {"thank": "thank {who}", "decline": "say no to {who}", "confirm": "confirm to {who}",
          "propose": "suggest to {who}", "tell": "tell {who}"}


def email_acts(body: str) -> list[str]:
    """What an email does, in order of weight: thanks, declines, confirms, proposes, asks;
    "tell" when it only informs."""
    acts = [name for name, pattern in _ACTS if pattern.search(body)]
    if re.search(r"\?(?:\s|$)", body):
        acts.append("ask")
    return acts or ["tell"]


def _request(name: str, topic: str, facts: list[str], body: str) -> str:
    """"tell Stan about the glazing quote: £1,840, Tuesday; ask about the start date" —
    only the email's own facts, subject and recipient, in the words of a busy person."""
    acts = email_acts(body)
    lead = next((a for a in acts if a != "ask"), "tell")
    who = name or "them"
    questions = " ".join(q for q in re.findall(r"[^.!?\n]*\?", body))
    asked = [f for f in facts if f.lower() in questions.lower()]
    told = [f for f in facts if f not in asked]
    text = _VERBS[lead].format(who=who)
    if topic:
        text += f" {'for' if lead == 'thank' else 'about'} {topic[:1].lower()}{topic[1:]}"
    if told:
        text += f": {', '.join(told[:4])}"
    if "ask" in acts:
        first = re.match(r"\s*(when|where|what|which|who|how|why)\b", questions, re.I)
        ask = f"ask {first.group(1).lower()}" if first else "ask if that works"
        text += f"; {ask}" + (f" ({', '.join(asked[:2])})" if asked else "")
    return text


def make_instruction(email: EmailForPlayback,
                     keyphrases: Callable[[str], list[str]] | None = None,
                     everyday: Collection[str] = frozenset()) -> Instruction:
    name = recipient_name(email)
    facts = extract_facts(email, keyphrases, recipient=name, everyday=everyday)
    topic = _topic(email)
    form = _form_for(email.ident)
    verb = "reply to" if email.is_reply else "write to"
    who = f"{verb} {name}" if name else ("reply" if email.is_reply else "write an email")
    about = f" about {topic}" if topic else ""
    if form == "bullets" and facts:
        text = f"{who}{about}:\n" + "\n".join(f"- {f}" for f in facts)
    elif form == "sentence":
        text = f"{who[:1].upper()}{who[1:]}{about}" + (f", mentioning {', '.join(facts)}." if facts
                                              else ".")
    elif form == "request":
        text = _request(name, topic, facts, email.body)
    elif form == "terse":
        text = f"{name or 'them'}: {topic or 'quick note'}" + (
            f" — {'; '.join(facts[:3])}" if facts else "")
    else:
        text = f"{who}{about}" + (f": {'; '.join(facts)}" if facts else "")
    return Instruction(email.ident, text.strip(), METHOD, form, facts)


def _runs(words: list[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def check_instruction(instruction: str, email: EmailForPlayback, run: int = 8) -> Check:
    """Echo: a copied run of ``run`` words. Meta: assistant talk. Invented: a name, number
    or date in the instruction that neither the email nor its headers contain."""
    body_words = [w.lower() for w in _WORD.findall(email.body)]
    text_words = [w.lower() for w in _WORD.findall(instruction)]
    echo = bool(_runs(text_words, run) & _runs(body_words, run))
    meta = bool(_META.search(instruction))
    known = " ".join(" ".join([email.body, email.subject, " ".join(email.to)]).split()).lower()
    invented = []
    for pattern in (_MONEY, _PERCENT, _TIME, _NUMBER):
        for match in pattern.finditer(instruction):
            value = match.group(0).lower().strip()
            if value and value not in known:
                invented.append(match.group(0))
    for match in _PROPER.finditer(instruction):
        word = match.group(1)
        if word.split()[0] not in _STOP_NAMES and word.lower() not in known:
            invented.append(word)
    return Check(echo, meta, list(dict.fromkeys(invented)))


_PHRASE_STOP = frozenset(
    "a an the and or but if of to in on at for with from by as is are was were be been i you "
    "we they he she it this that these those my your our their me us them not no so do does "
    "did have has had will would can could should may might just also very really please "
    "thanks thank let know get got think between about after before into over under than then "
    "there here what which who when where how why up out off still again any some all each "
    "every".split())


# A word, hyphenated or with an apostrophe inside ("re-pot", "Owen's"), not a fragment of a
# figure ("22nd" is no word "nd") or a word cut at a line's end ("hb-").
_RUN_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*(?![\w-])|\S+")
_WORD_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")


def _word_runs(text: str) -> list[list[str]]:
    """The runs of plain words a key phrase may come from: punctuation, figures and line
    ends break them, so no phrase joins the end of one thought to the next."""
    runs: list[list[str]] = []
    for line in text.splitlines():
        run: list[str] = []
        for token in _RUN_TOKEN.findall(line):
            if _WORD_TOKEN.fullmatch(token):
                run.append(token.rstrip("'’"))
            else:
                runs.append(run)
                run = []
        runs.append(run)
    return [run for run in runs if run]


def _edge_word(word: str) -> bool:
    """No key phrase begins or ends on a little word or a contraction ("call me can't")."""
    lower = word.lower().replace("’", "'")
    return lower in _PHRASE_STOP or ("'" in lower and not lower.endswith("'s"))


class EmbeddingKeyphrases:
    """Key phrases of an email: the 1-3 word spans whose embeddings sit closest to the
    email's own, picked for diversity (maximal marginal relevance)."""

    def __init__(self, embedder, top: int = 2, diversity: float = 0.5):
        self.embedder = embedder
        self.top = top
        self.diversity = diversity

    def candidates(self, text: str) -> list[str]:
        lines = [line for line in text.strip().splitlines() if line.strip()]
        # Greeting and sign-off are style, not content.
        if lines and (_GREETING.match(lines[0]) or len(lines[0].split()) <= 3):
            lines = lines[1:]
        while lines and len(lines[-1].split()) <= 3:
            lines = lines[:-1]
        found: dict[str, None] = {}
        runs = _word_runs("\n".join(lines))
        for size in (1, 2, 3):
            for run in runs:
                for i in range(len(run) - size + 1):
                    span = run[i : i + size]
                    if _edge_word(span[0]) or _edge_word(span[-1]):
                        continue
                    if size == 1 and len(span[0]) < 5:
                        continue
                    found[" ".join(span).lower()] = None
        return list(found)[:60]

    def __call__(self, text: str) -> list[str]:
        import numpy as np

        candidates = self.candidates(text)
        if not candidates:
            return []
        vectors = self.embedder.embed([text, *candidates])
        doc, cand = vectors[0], vectors[1:]
        relevance = cand @ doc
        chosen: list[int] = []
        while len(chosen) < min(self.top, len(candidates)):
            if chosen:
                redundancy = np.max(cand @ cand[chosen].T, axis=1)
            else:
                redundancy = np.zeros(len(candidates))
            score = (1 - self.diversity) * relevance - self.diversity * redundancy
            score[chosen] = -np.inf
            chosen.append(int(np.argmax(score)))
        return [candidates[i] for i in chosen]
