"""Does a draft say what was asked? Checks that need no model: the facts of the request it
kept, the facts it made up, whether it greets the right person, what is wrong with its form,
and its length. Evaluation scores held-out drafts with them; drafting uses them to pick the
best of several candidates and to say what a draft still misses."""

from __future__ import annotations

import re
import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from trainer.engine.shaping import (
    CHATTER,
    CLOSING,
    HEADER,
    PLACEHOLDER,
    SENTENCE_END,
    SUBJECT,
    plain,
)
from trainer.facts import COMMON, OPENERS, fact_keys, mentioned, proper_names
from trainer.greetings import parse_greeting
from trainer.grounding import sentences, unasked_sentences
from trainer.story import said_to_assistant
from trainer.typed import REQUEST_VERBS, plain_request

DEFECTS = ("header_in_body", "placeholder", "chatter", "sign_off", "unfinished", "empty",
           "restates_instruction", "greeting_in_body", "repeated", "copies_thread",
           "to_the_assistant")
# A run of this many words of the email replied to, said again in the draft, is that email
# copied back: its writer's words in the user's mouth ("I'll bring one", said by Bernard).
THREAD_RUN = 7


@dataclass
class DraftCheck:
    facts_required: list[str] = field(default_factory=list)
    facts_missing: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)
    right_recipient: bool | None = None  # None: the real email greets no one by name
    defects: list[str] = field(default_factory=list)
    length_ratio: float | None = None
    # What the request asked the email to do that a check can see ("ask", "thank"), and
    # which of them the draft does not do: "ask when he can start" wants a question.
    acts_required: list[str] = field(default_factory=list)
    acts_missing: list[str] = field(default_factory=list)
    # Facts that only the retrieved examples give: another email's £20,640, "Friday" or
    # "David Port", said in this one. Not invented by the model, but wrong here all the same.
    borrowed: list[str] = field(default_factory=list)
    # Sentences that say what nothing asked for or gave (``trainer.grounding``): "I hope it
    # doesn't take too long." in an email that was to say yes.
    unasked_talk: list[str] = field(default_factory=list)
    # Sentences that copy the email replied to back to its writer (``copies_thread``).
    copied: list[str] = field(default_factory=list)

    @property
    def fact_recall(self) -> float | None:
        if not self.facts_required:
            return None
        return 1 - len(self.facts_missing) / len(self.facts_required)

    @property
    def made_up(self) -> set[str]:
        """The facts this email has no ground for: invented, or borrowed from another."""
        return set(self.invented) | set(self.borrowed)

    def no_worse_than(self, other: DraftCheck) -> bool:
        """As sound as ``other`` on every count: no more facts lost or made up, no defect or
        asked act missing that ``other`` does not have. A revision must keep to this."""
        return (len(self.facts_missing) <= len(other.facts_missing)
                and len(self.made_up) <= len(other.made_up)
                and len(self.unasked_talk) <= len(other.unasked_talk)
                and set(self.defects) <= set(other.defects)
                and set(self.acts_missing) <= set(other.acts_missing))


def body_lines(text: str, sign_off: str = "") -> list[str]:
    """The lines that carry content: not the greeting, not the sign-off block."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if lines and parse_greeting(lines[0], bare=True):
        lines = lines[1:]
    first = plain(sign_off.splitlines()[0]) if sign_off.strip() else ""
    for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
        if (first and plain(lines[i]) == first) or (CLOSING.match(lines[i])
                                                    and len(lines[i]) <= 30):
            return lines[:i]
    return lines


# A request that asks: "ask when he can start", "…, and ask Priya to check it", "coffee
# next week?". Not "asked" (something already done) nor "ask me"/"ask us" (the reader asks).
_REQUEST_ASKS = re.compile(r"(?:^|[;:.,—–-]\s*|\b(?:and|then|also|please)\s+)ask\b"
                           r"(?!\s+(?:me|us)\b)|\?", re.I)
_REQUEST_THANKS = re.compile(r"\b(?:thank|thanks|thanking)\b", re.I)
_REQUEST_SORRY = re.compile(r"\b(?:sorry|apologi[sz](?:e|ing)|apology)\b", re.I)
# An email that asks: a question, or a request put politely without one.
_DRAFT_ASKS = re.compile(
    r"\?|\b(?:could|can|would|will) you\b|\bplease\b|\blet (?:me|us) know\b|"
    r"\bi(?:'d| would) (?:like|love|be grateful|appreciate)\b|\bif you (?:could|can|would)\b|"
    r"\b(?:i'm|i am|we're|we are) wondering\b|\bdo you (?:mind|know|have)\b", re.I)
_DRAFT_SORRY = re.compile(r"\b(?:sorry|apologi[sz]e|apologies|my apology|forgive me|"
                          r"my fault|my mistake|regret)\b", re.I)
_DRAFT_THANKS = re.compile(r"\b(?:thank|thanks|grateful|appreciate[ds]?|cheers for|"
                           r"much obliged)\b", re.I)
ACT_NAMES = {"ask": "the question asked", "thank": "the thanks", "apologise": "the apology"}


def act_name(act: str) -> str:
    """What a missing act is called in the window: "ask when" → "the question when"."""
    if act in ACT_NAMES:
        return ACT_NAMES[act]
    verb, _, about = act.partition(" ")
    return f"the question {about}" if verb == "ask" and about else act


def asked_acts(instruction: str) -> list[str]:
    """What the request asks the email to do that a check can see ("Could you draft a
    thank-you to Ellie?" asks the assistant, not Ellie)."""
    instruction = plain_request(instruction)
    acts = []
    if _REQUEST_ASKS.search(instruction):
        acts.append("ask")
    if _REQUEST_THANKS.search(instruction):
        acts.append("thank")
    if _REQUEST_SORRY.search(instruction):
        acts.append("apologise")
    if "ask" in acts:
        # "ask Herr Lenz when the pallet ships": a question about when, not any question
        acts += [f"ask {_asked_word(m.group(1))}" for m in _ASKED_ABOUT.finditer(instruction)]
    return list(dict.fromkeys(acts))


# What an asking request asks about: "ask Jo when …", "ask how much the repair is".
_ASKED_ABOUT = re.compile(r"\bask\b(?:\s+[\w'’.-]+){0,3}?\s+(when|where|what\s+time|how\s+much|"
                          r"how\s+many|how\s+long|which\s+day|who)\b", re.I)


def copies(draft: str, thread: str, sign_off: str = "") -> list[str]:
    """The draft's sentences that repeat a run of ``THREAD_RUN`` words of ``thread``."""
    def runs(text: str) -> set[tuple[str, ...]]:
        tokens = re.findall(r"[\w'’£$€%.-]+", text.lower())
        return {tuple(tokens[i:i + THREAD_RUN]) for i in range(len(tokens) - THREAD_RUN + 1)}

    theirs = runs(thread)
    if not theirs:
        return []
    return [s for line in body_lines(draft, sign_off) for s in sentences(line) if runs(s) & theirs]


def _asked_word(words: str) -> str:
    """ "what time", "which day" ask when."""
    said = " ".join(words.lower().split())
    return "when" if re.fullmatch(r"what (?:time|day|date)|which (?:day|date)", said) else said


def acts_done(body: str) -> set[str]:
    """What the body of an email does (its greeting and sign-off do not count)."""
    done = set()
    if _DRAFT_ASKS.search(body):
        done.add("ask")
        for sentence in sentences(body):
            if _DRAFT_ASKS.search(sentence):  # the question words of the asking sentences
                done |= {f"ask {_asked_word(w)}" for w in re.findall(
                    r"\b(when|where|what\s+(?:time|day|date)|how\s+much|how\s+many|how\s+long|"
                    r"which\s+(?:day|date)|who)\b", sentence, re.I)}
    if _DRAFT_THANKS.search(body):
        done.add("thank")
    if _DRAFT_SORRY.search(body):
        done.add("apologise")
    return done


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def required_facts(instruction: str, reference: str | None) -> set[str]:
    """The facts a draft must carry: those of the request that the real email also has
    (without a real email, those of the request)."""
    plain = plain_request(instruction)
    asked = mentioned(instruction) | mentioned(plain)
    if reference is None:
        # "Send a note to Mei: …": the request's own verb opening it is no one's name.
        stated = {k for k in fact_keys(plain) if k[2:] not in _ASKING_WORDS}
        return stated | {k for k in asked if not k.startswith("p:")}
    return fact_keys(reference) & asked


_ASKING_WORDS = set(REQUEST_VERBS.split("|")) | {
    "write", "email", "reply", "respond", "draft", "forward", "follow", "introduce", "intro",
    "chase", "nudge", "schedule", "arrange", "set", "book", "message", "text", "please"}


def structure_defects(draft: str, instruction: str = "", sign_off: str = "") -> list[str]:
    lines = [line.strip() for line in draft.strip().splitlines() if line.strip()]
    found: list[str] = []
    if any(SUBJECT.match(line) or HEADER.match(line) for line in lines):
        found.append("header_in_body")
    if PLACEHOLDER.search(draft):
        found.append("placeholder")
    if any(parse_greeting(line) for line in lines[1:]):
        found.append("greeting_in_body")  # a second email begun inside the first
    asked = " ".join(re.findall(r"\w+", f"{instruction} | {plain_request(instruction)}".lower())
                     ) if instruction else ""
    if any((chat := CHATTER.match(line)) and " ".join(re.findall(r"\w+", chat.group(0).lower()))
           not in asked for line in lines):
        found.append("chatter")  # not "please review the draft" where the request says it
    elif any(phrase.lower() not in asked for phrase in _GUIDANCE.findall(draft)):
        found.append("chatter")  # "Two to four sentences.": the prompt's own words
    if sign_off.strip():
        closing = [line.strip() for line in sign_off.strip().splitlines()]
        first, last = plain(closing[0]), plain(closing[-1])
        at = [i for i, line in enumerate(lines) if plain(line) == first]
        tail = len(closing)
        # "… anything we're missing. Onward," then "Teddy", then more email.
        word = closing[0].rstrip(",.!—–- ")
        signed_inline = any(re.search(rf"[.!?]\s+{re.escape(closing[0])}$", line)
                            or word.lower() not in _EVERYDAY_CLOSINGS
                            and re.search(rf"[.!?]\s+{re.escape(word)}[,.!—–-]?$", line)
                            for line in lines[:-tail] or lines)
        named_early = tail > 1 and any(plain(line) == last for line in lines[:-tail])
        if len(at) != 1 or at[0] != len(lines) - tail or signed_inline or named_early \
                or _opens_with_closing(lines[1:-tail], closing[0]):
            found.append("sign_off")
    elif sum(1 for line in lines if CLOSING.match(line) and len(line) <= 30) > 1:
        found.append("sign_off")
    people = proper_names(instruction)
    greeted = parse_greeting(lines[0], bare=True) if lines else None
    if greeted and greeted.name:
        people.add(plain(greeted.name).split()[0])
    if "sign_off" not in found and _signed_midway(lines, len(sign_off.strip().splitlines()),
                                                   people):
        found.append("sign_off")
    body = body_lines(draft, sign_off)
    if not body:
        found.append("empty")
    elif (not SENTENCE_END.search(body[-1]) and len(body[-1].split()) >= 4
          and not re.match(r"\s*(?:[-*•–]|\d{1,2}[.)])\s", body[-1])) \
            or _broken_paragraph(draft, body):
        found.append("unfinished")
    if instruction and body and (restates(body, instruction)
                                 or _about_the_reader(body, greeted.name if greeted else "")):
        found.append("restates_instruction")
    if _said_twice(body):
        found.append("repeated")
    # "Keep it short.", "Could you write a cover email for my application?": what the
    # request said to the assistant, passed on to the reader.
    if any(said_to_assistant(sentence) for line in body
           for sentence in re.split(r"(?<=[.!?])\s+", line)):
        found.append("to_the_assistant")
    return found


# The prompt's guidance, which a small model sometimes writes out as the email ("Two to
# four sentences.", "Keep it short."): chatter, unless the request says it too.
_GUIDANCE = re.compile(r"\b(?:two to four|one or two short paragraphs|three or more paragraphs|"
                       r"write only the email|keep it short|what to say|in your own voice)\b", re.I)


# Closings that are also everyday words at a line's start: "Thanks — that helps."
_EVERYDAY_CLOSINGS = {"thanks", "thank", "cheers", "best", "regards", "love", "yours", "many",
                      "kind", "warm", "all", "see", "talk", "speak", "take"}


def _opens_with_closing(lines: Sequence[str], closing: str) -> bool:
    """A line of the body opening with the user's own closing word and going on: "Onward —
    that's just a slip-up …", a small model starting to sign off mid-email."""
    word = re.match(r"[^\W\d_][\w'’-]*", closing.strip())
    if not word or word.group(0).lower() in _EVERYDAY_CLOSINGS:
        return False
    pattern = re.compile(rf"{re.escape(word.group(0))}\s*[,—–:!-]\s*\S", re.I)
    return any(pattern.match(line) for line in lines)


def _about_the_reader(body: Sequence[str], greeted: str) -> bool:
    """The email greets Beth, then talks of her: "One more question for Beth", "ask Beth
    whether …" — the request passed on, not said to her."""
    first = greeted.split()[0].strip(",.—–-") if greeted and greeted.strip() else ""
    if not first or not first[:1].isupper():
        return False
    return bool(re.search(rf"\b(?:for|to|ask|tell|remind|thank|with)\s+{re.escape(first)}\b"
                          rf"(?![’']s)", "\n".join(body)))


def _said_twice(body: Sequence[str]) -> bool:
    """The same sentence twice ("Yes. Yes."): a small model's loop, never the writer's."""
    seen: set[str] = set()
    for sentence in re.split(r"(?<=[.!?])\s+|\n", "\n".join(body)):
        folded = " ".join(re.findall(r"\w+", sentence.lower()))
        if folded in seen:
            return True
        if folded:
            seen.add(folded)
    return False


# Words a paragraph may open with in lower case, as people type: "please send …", "ok, …".
_LOWER_OPENERS = {"i", "i'm", "i'll", "i've", "i'd", "please", "thanks", "thank", "ok", "okay",
                  "yes", "no", "sure", "fyi", "btw", "it", "it's", "we", "we're", "and", "but",
                  "also", "just", "sorry", "great", "hi", "hello", "cheers", "see", "let"}
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]|\(?\d{1,2}[.):]|\(?[a-h][.)])\s")


def _broken_paragraph(draft: str, body: Sequence[str]) -> bool:
    """A paragraph of the body that stops mid-sentence before the next ("… but I am not
    sure if you can" / "If you are able …"), or opens mid-sentence ("trophy on my desk this
    Friday …"): what a small model leaves when it loses the thread."""
    paragraphs = [[line.strip() for line in block.splitlines() if line.strip()]
                  for block in re.split(r"\n\s*\n", draft.strip())]
    kept = set(body)
    paragraphs = [[line for line in p if line in kept] for p in paragraphs]
    paragraphs = [p for p in paragraphs if p]
    for n, lines in enumerate(paragraphs):
        first, last = lines[0], lines[-1]
        word = re.match(r"[a-z][\w'’]*", first)
        opener = word.group(0).replace("’", "'") if word else ""
        if word and opener not in _LOWER_OPENERS and opener not in COMMON \
                and opener not in OPENERS \
                and len(first.split()) >= 3 and not _LIST_ITEM.match(first) \
                and not re.match(r"\S+[@/]", first):
            return True
        if n < len(paragraphs) - 1 and not SENTENCE_END.search(last) \
                and len(last.split()) >= 4 and not _LIST_ITEM.match(last):
            return True
    return False


# A line that is a name and nothing else: "Priya", "Stan K.".
_NAME_LINE = re.compile(r"^[A-Z][\w'’-]+(?:\s+[A-Z][\w'’.-]*)?,?$")


def _signed_midway(lines: Sequence[str], tail: int, people: set[str]) -> bool:
    """Someone signed, then the email went on: the name of someone the request names,
    alone on its line after a finished sentence, with more of the email after it (a list
    of names, one per line, is not; nor is a heading, which names no one)."""
    body_end = len(lines) - tail if tail else len(lines)
    for i in range(1, body_end - 1):
        if not _NAME_LINE.match(lines[i]) or plain(lines[i]).split()[0] not in people:
            continue
        if SENTENCE_END.search(lines[i - 1]) and not _NAME_LINE.match(lines[i - 1]) \
                and not _NAME_LINE.match(lines[i + 1]):
            return True
    return False


_REQUEST_VERB = re.compile(
    r"^\s*(?:please\s+)?(?:(?:tell|ask|let|remind|thank|inform|reply to|say|write to|email|"
    r"answer|invite|confirm to|warn)\s+(?!(?:you|me|us)\b)(?:[A-Z][\w'’-]*|him|her|them|the)\b"
    # Instructions about the writing itself, passed on as if they were the email.
    r"|(?:joke|stress|emphasi[sz]e|point out|hint|tease|grumble|complain|insist|admit)"
    r"\s+(?:that|about|to)\b)", re.I)


def passes_request_on(sentence: str) -> bool:
    """It opens with the request's own imperative: "Tell Stan the panes arrived."."""
    return bool(_REQUEST_VERB.match(sentence))


def restates(body: Sequence[str], instruction: str) -> bool:
    """The draft passes the request on instead of writing the email: it opens a line with
    the request's own imperative ("Tell Stan the panes arrived."), or is the request again,
    word for word, and little else."""
    if any(passes_request_on(sentence) for line in body
           for sentence in re.split(r"(?<=[.!?])\s+", line)):
        return True
    # "…just tell him to start": the email talks about its reader instead of to them.
    names = "|".join(re.escape(n) for n in re.findall(
        r"\b(?:tell|ask|remind|thank|let|inform|invite)\s+([A-Z][\w'’-]+)", instruction))
    about = re.compile(rf"\b(?:tell|ask|remind|inform|let)\s+(?:him|her|them"
                       rf"{'|' + names if names else ''})\b", re.I)
    if any(about.search(line) for line in body):
        return True
    # "confirm Bernard for Thursday and thank him" → "…, and thank him for …": the
    # request's own words about its reader, said in the email.
    echoed = {m.group(0).lower() for m in re.finditer(
        r"\b(?:thank|invite|confirm|congratulate|welcome)\s+(?:him|her|them)\b", instruction,
        re.I)}
    if echoed and any(pair in line.lower() for line in body for pair in echoed):
        return True
    # The request again, word for word, its lead ("reply to Felix", "tell the board") and
    # all: what the writer dictated, written to the reader, is not an echo.
    asked_words = re.findall(r"\w+", instruction.lower())
    asked = set(asked_words)
    said = re.findall(r"\w+", " ".join(body).lower())
    if not said or len(asked_words) < 2:
        return False
    # The lead as the request reads plainly: "Could you write a thank-you to Pete …" leads
    # with "thank Pete", not with the "could you" said to the assistant.
    lead_words = re.findall(r"\w+", plain_request(instruction).lower())[:2]
    if not lead_words or not re.fullmatch(rf"(?:{REQUEST_VERBS}|write|email|reply|respond|draft|"
                                          r"message|follow|forward)", lead_words[0]):
        return False  # "the caterer cancelled, let Nadia know …": what is said leads
    lead = " ".join(lead_words)
    return lead in " ".join(said) and len(said) <= len(asked) + 2 and \
        sum(w in asked for w in said) / len(said) >= 0.95


# "1. Accounts …", "2) Two board seats": a list's numbers are not figures.
_LIST_NUMBER = re.compile(r"^(\s*)\d{1,2}[.)](?=\s)", re.M)


def check_draft(draft: str, *, instruction: str, reference: str | None = None,
                sources: Sequence[str] = (), sign_off: str = "",
                allowed_names: Sequence[str] = (), examples: Sequence[str] = (),
                everyday: Collection[str] = frozenset(),
                usual: Collection[str] = frozenset(), thread: str = "") -> DraftCheck:
    """``sources``: what the draft may draw facts from besides the request (the email
    replied to, the user's profile). ``examples``: the user's past emails it was shown;
    what only they say (a figure, a date, a colleague's name) belongs to those emails
    (``borrowed``): a request that names no one else wants no one else in its email.
    ``everyday``: the user's everyday words, no one's name where a sentence opens with one
    (``trainer.facts.everyday_words``). ``usual``: the stems of the words the user writes
    in a fifth of their mail, which ground a sentence as the request does
    (``trainer.grounding.usual_words``). ``thread``: the email replied to, which the draft
    answers and does not copy."""
    result = DraftCheck()
    required = required_facts(instruction, reference)
    present = mentioned(draft)
    result.facts_required = sorted(required)
    result.facts_missing = sorted(required - present)
    plain = plain_request(instruction)
    offered = mentioned(instruction) | mentioned(plain)
    for source in (*sources, sign_off, *allowed_names):
        offered |= mentioned(source)
    from_examples: set[str] = set()
    named_in_examples: set[str] = set()
    for example in examples:
        from_examples |= mentioned(example)
        named_in_examples |= {f"p:{name}" for name in proper_names(example)}
    stated = fact_keys(_LIST_NUMBER.sub(r"\1", draft), everyday=everyday) - offered
    result.invented = sorted(stated - from_examples)
    # A capitalised word the examples write as an everyday one ("Since …", "since") is no
    # one's name; one they write as a name is their person.
    result.borrowed = sorted(k for k in stated & from_examples
                             if not k.startswith("p:") or k in named_in_examples)
    if reference is not None:
        result.right_recipient = right_recipient(draft, reference)
        if words(reference):
            result.length_ratio = round(words("\n".join(body_lines(draft, sign_off)))
                                        / max(1, words("\n".join(body_lines(reference,
                                                                           sign_off)))), 3)
    result.defects = structure_defects(draft, instruction, sign_off)
    result.copied = copies(draft, thread, sign_off) if thread else []
    if result.copied:
        result.defects.append("copies_thread")
    # The examples ground nothing here: what only they say is other emails' talk.
    result.unasked_talk = unasked_sentences(
        [s for line in body_lines(draft, sign_off) for s in sentences(line)],
        [instruction, plain, *sources, sign_off, *allowed_names], usual)
    result.acts_required = asked_acts(instruction)
    done = acts_done("\n".join(body_lines(draft, sign_off)))
    result.acts_missing = [act for act in result.acts_required if act not in done]
    return result


def right_recipient(draft: str, reference: str) -> bool | None:
    """Whether the draft greets the person the real email greets by name."""
    ref_lines = [line for line in reference.strip().splitlines() if line.strip()]
    wanted = parse_greeting(ref_lines[0], bare=True) if ref_lines else None
    if wanted is None or not wanted.name:
        return None
    draft_lines = [line for line in draft.strip().splitlines() if line.strip()]
    got = parse_greeting(draft_lines[0], bare=True) if draft_lines else None
    return bool(got and got.name and got.name.split()[0].lower().strip(".")
                == wanted.name.split()[0].lower().strip("."))


def summarise(checks: Sequence[DraftCheck]) -> dict:
    """Per setting: ``fact_recall`` (share of required facts found, over all drafts),
    ``invented_facts`` (per draft), ``right_recipient`` (share, where the real email
    greets by name), ``structure_defects`` (share of drafts with any), ``length_ratio``
    (median draft / real email, in words) and the count of each defect."""
    required = sum(len(c.facts_required) for c in checks)
    missing = sum(len(c.facts_missing) for c in checks)
    greeted = [c.right_recipient for c in checks if c.right_recipient is not None]
    ratios = [c.length_ratio for c in checks if c.length_ratio is not None]
    n = len(checks)
    acts = sum(len(c.acts_required) for c in checks)
    acts_missing = sum(len(c.acts_missing) for c in checks)
    return {
        "fact_recall": round(1 - missing / required, 4) if required else None,
        # Of the questions and thanks the requests asked for, the share the drafts have.
        "act_recall": round(1 - acts_missing / acts, 4) if acts else None,
        "invented_facts": round(sum(len(c.invented) for c in checks) / n, 3) if n else None,
        # Figures and dates of the retrieved examples, said as if they were this email's.
        "borrowed_facts": round(sum(len(c.borrowed) for c in checks) / n, 3) if n else None,
        # Sentences per draft that say what nothing asked for (``trainer.grounding``).
        "unasked_talk": round(sum(len(c.unasked_talk) for c in checks) / n, 3)
        if n else None,
        "right_recipient": round(sum(greeted) / len(greeted), 4) if greeted else None,
        "structure_defects": round(sum(bool(c.defects) for c in checks) / n, 4) if n else None,
        "length_ratio": round(statistics.median(ratios), 3) if ratios else None,
        "defects": {d: sum(d in c.defects for c in checks) for d in DEFECTS},
    }
