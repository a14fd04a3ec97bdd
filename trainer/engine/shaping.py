"""Shape raw model output into a well-formed email as it streams: the greeting the user
uses with this person, no subject or header line in the body, no placeholders or assistant
chatter, exactly one sign-off (the user's) at the end, no unfinished last sentence.

``DraftShaper`` works line by line and only ever emits text it will not take back: the
opening is held until it is known to be clean, a possible closing until the next line says
whether it was one, and an incomplete line until it ends. So what a window or an SSE client
has been sent, plus what ``finish()`` returns, is exactly the final body. ``clean_draft``
runs the same shaper over a whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trainer.greetings import GREETING_START, parse_greeting

TEMPLATE_TOKENS = re.compile(r"<\|[a-z_]+\|>|<(?:start|end)_of_turn>|</?s>|\[/?INST\]")
SUBJECT = re.compile(r"^\s*\**subject\**\s*:\s*(?:\**subject\**\s*:\s*)*(.*?)\s*$", re.I)
HEADER = re.compile(r"^\s*\**(?:to|from|cc|bcc|date|sent|recipient|sender|premise|instructions?|"
                    r"context|task|user|assistant|prompt|tone|length|what to say)\**\s*:"
                    # The prompt's own frame around the examples: "--- Email 2 to Stan".
                    r"|^\s*-{2,}\s*(?:email\s+\d+\b|end of examples)", re.I)
# A label the model put before the email itself: the label goes, the text stays.
LABEL = re.compile(r"^\s*\**(?:email|body|message|reply|response|output|answer|draft)\**\s*:\s*",
                   re.I)
PLACEHOLDER = re.compile(
    r"\[(?:your|recipient|sender|name|first|last|full|company|organi[sz]ation|date|time|"
    r"insert|position|title|phone|email|address|contact|signature|x+)\b[^\]\n]{0,40}\]"
    r"|<(?:your|recipient)[ _][a-z ]{2,20}>|\{(?:name|recipient|sender)\}"
    r"|\*+(?:your|recipient'?s?|sender'?s?) [a-z ]{2,20}\*+"
    # "[Fictitious Date]", "[event name]", "[amount TBC]": a blank left to fill in
    r"|\[[^\]\n]{0,30}\b(?:date|time|name|amount|number|day|month|year|location|venue|place|"
    r"event|link|url|fictitious|placeholder|tbd|tbc|details|project|topic|price|cost)\b"
    r"[^\]\n]{0,30}\]", re.I)
CHATTER_OPENING = re.compile(
    r"^\s*(sure|certainly|of course|absolutely|okay|ok|here('s| is| are)|below is|i've drafted"
    r"|i have drafted|this email|as requested)\b[^\n]{0,120}[:!.]?\s*$", re.I)
# Assistant talk that is never part of an email, wherever it stands.
CHATTER = re.compile(
    r"^\s*(?:here(?:'s| is) (?:a|an|the|your|my) (?:suggested|revised|draft|edited|possible|"
    r"sample|new|improved|polished|rewritten|email|version|response|reply)|as an ai\b|"
    r"i hope this (?:draft|email|message|helps)|feel free to (?:adjust|modify|customi[sz]e|"
    r"edit|change|tweak)|(?:the )?(?:first|next|last) (?:line|sentence|paragraph) (?:should|"
    r"could|will|must)|this (?:email|draft|message|version) (?:is|should|will|was|keeps|uses)\b|"
    r"note:|\(note|i(?:'ve| have) (?:written|drafted|included|kept|made|added|revised)\b|"
    r"please (?:review|adjust|modify|edit) (?:the|this) (?:draft|email)|let me know if you"
    r"(?:'d| would) like (?:me to|any) |(?:you can|you may) (?:adjust|modify|customi[sz]e|add)\b"
    r"|\*\*(?:subject|body|email)\b|this is an? (?:polite|professional|friendly|formal|"
    r"informal|good|great|short|concise|clear|simple|possible|sample|suggested)"
    r"(?:,? (?:and )?\w+)? (?:email|draft|message|reply|response|version|template)\b"
    # "This is a short email to say thanks" is the writer's own
    r"(?! to (?:say|let|tell|ask|confirm|remind|check|thank|update|introduce|follow|flag|share|"
    r"give|see|welcome|invite|apologi[sz]e)\b)|"
    r"you (?:can|could|might) (?:rephrase|reword)\b"
    # The prompt's own length note, said back: "Two to four sentences."
    r"|(?:keep it (?:short|to)|write it in full)\b|(?:one|two|three|four) (?:to|or) (?:two|three|"
    r"four|five|more) (?:short )?(?:sentences|paragraphs)\b"
    # Talk about the email rather than the email: "This is a classic example of a … email.",
    # "The tone is friendly …", "… with no typos or grammatical errors."
    r"|this is an? (?:\w+ ){0,2}example of [^\n]{0,60}\b(?:email|draft|message|reply|letter)s?\b"
    r"|(?:the )?tone (?:of (?:the|this|your) (?:email|draft|message) )?"
    r"(?:is|should be) (?:\w+ )?(?:friendly|formal|informal|polite|professional|warm|casual|"
    r"enthusiastic|positive|respectful|appropriate|upbeat|conversational)\b|[^\n]{0,120}\bno (?:typos|spelling mistakes|spelling or|"
    r"grammatical)\b"
    r"|[^\n]{0,80}\b(?:something like|as follows|the following(?: email| draft)?)\s*:\s*$|"
    r"(?:in this|this) (?:email|draft|response),? (?:i|we|you)\b|to instruct\b|"
    r"your (?:email|message|draft) (?:should|could|needs to)\b|"
    r"(?:start|begin|end|open|close) (?:it |the email |your email )?with (?:a|an|the) "
    r"(?:line|sentence|greeting|paragraph|question|note)\b)", re.I)
CLOSING = re.compile(
    r"^\s*(?:(?:best|kind|warm|warmest|many|with)\s+)?(?:regards|wishes|thanks|thank you|cheers|"
    r"sincerely|yours(?: truly| sincerely)?|best|all the best|take care|love|onward|talk soon|"
    r"speak soon|respectfully|gratefully|with thanks)\b[^\n]{0,20}$", re.I)
SEPARATOR = re.compile(r"^\s*(?:-{2,}|_{2,}|\*{3,}|={3,})\s*$")
SENTENCE_END = re.compile(r"[.!?…)\]\"'’”:;]\s*$")
NAME_LINE = re.compile(r"^[\w.'’\- ]{1,30}$")
# A list item the model numbered and never wrote ("2." on its own line).
BARE_ITEM = re.compile(r"^\s*(?:\(?\d{1,2}[.):]|\(?[a-h][.)]|[-*•–])\s*$")


def plain(line: str) -> str:
    """"Onward —" and "Onward," close the same way."""
    return re.sub(r"[^\w\s]", "", line).strip().lower()


@dataclass
class Shaped:
    body: str
    subject: str = ""
    added_sign_off: bool = False
    complete: bool = False  # the email reached its closing: generation may stop


class DraftShaper:
    def __init__(self, *, sign_off: str = "", greeting: str | None = None,
                 want_subject: bool = True, max_repeats: int = 2):
        self.sign_off = sign_off.strip()
        self.greeting = greeting
        self.want_subject = want_subject
        self.max_repeats = max_repeats
        self._sign_off_first = plain(self.sign_off.splitlines()[0]) if self.sign_off else ""
        self._sign_off_lines = {plain(line) for line in self.sign_off.splitlines() if plain(line)}
        self._pending = ""  # text of the line not yet ended
        self._shown_part: str | None = None  # the part of it already handed out
        self._lines: list[str] = []  # committed body lines
        self._emitted = 0  # characters of the committed text already handed out
        self._held: list[str] = []  # a possible closing and what follows it
        self._blank = False  # a paragraph break waits for the next line
        self._seen: dict[str, int] = {}
        self.subject = ""
        self.started = False  # the opening (greeting or first line) is committed
        self.complete = False  # the closing has come: nothing more is taken
        self.stopped = False  # repetition: nothing more is taken
        self.wrote_sign_off = False

    # --- feeding ------------------------------------------------------------------------
    def feed(self, piece: str) -> str:
        """Take a piece of raw output; returns the text that may be shown now."""
        if self.complete or self.stopped:
            return ""
        self._pending += TEMPLATE_TOKENS.sub("", piece).replace("\r\n", "\n")
        while "\n" in self._pending and not (self.complete or self.stopped):
            line, self._pending = self._pending.split("\n", 1)
            self._line(line)
        self._partial()
        return self._new_text()

    # --- a long line, sentence by sentence -----------------------------------------------
    def _partial(self) -> None:
        """Hand out the finished sentences of a long body line before the line ends, once
        its start shows it is email text and not a header, label, chatter or closing."""
        if not self.started or self._held or self.complete or self.stopped:
            return
        pending = self._pending
        if self._shown_part is None and (len(pending.strip()) < 40 or self._risky(pending)):
            return
        ends = [m.end() for m in re.finditer(r"[.!?…](?=\s)", pending)]
        if not ends or (self._shown_part is not None and ends[-1] <= len(self._shown_part)):
            return
        prefix = pending[:ends[-1]]
        if any(prefix.count(a) > prefix.count(b) for a, b in ("[]", "{}", "<>")):
            return  # a placeholder may be open: wait for it to close
        text = PLACEHOLDER.sub("", prefix).rstrip()
        if self._shown_part is None:
            self._commit(text)
        else:
            self._lines[-1] = text
        self._shown_part = prefix

    def _risky(self, line: str) -> bool:
        stripped = line.strip()
        return bool(SUBJECT.match(stripped) or HEADER.match(stripped) or LABEL.match(stripped)
                    or CHATTER.match(stripped) or PLACEHOLDER.search(stripped[:40])
                    or self._is_closing(stripped.split(".")[0]))

    def _close_open(self, raw: str) -> None:
        """The rest of a line whose first sentences were already handed out."""
        shown, self._shown_part = self._lines[-1], None
        text = PLACEHOLDER.sub("", raw).rstrip()
        self._lines[-1] = text if text.startswith(shown) else shown + text[len(shown):]
        key = self._lines[-1].strip().lower()
        self._seen[key] = self._seen.get(key, 0) + 1

    def finish(self, cut_by_length: bool = False) -> str:
        """The end of the output; returns the rest of the text (ending with the sign-off)."""
        if not (self.complete or self.stopped) and self._pending.strip():
            tail = self._pending
            if cut_by_length and not SENTENCE_END.search(tail):
                ends = [m.end() for m in re.finditer(r"[.!?…](?=\s|$)", tail)]
                # A half sentence goes, unless it is all the draft would say.
                tail = tail[:ends[-1]] if ends else ("" if self._content else tail)
            if tail.strip():
                self._line(tail)
        self._pending = ""
        if not self.complete:  # no closing with a name came: the sign-off goes on now
            self._drop_held_closing()
            if self._lines and self.sign_off:
                self._commit_blank()
                self._lines.extend(self.sign_off.splitlines())
            elif self._lines and self._held_name:
                self._commit_blank()
                self._lines.extend(self._held_name)
        self._held = []
        self.complete = True
        return self._new_text()

    @property
    def said_something(self) -> bool:
        """Whether the body holds a line besides the greeting and the sign-off."""
        return self._content > 0

    @property
    def text(self) -> str:
        return "\n".join(self._lines)

    def result(self) -> Shaped:
        return Shaped(body=self.text.strip(), subject=self.subject if self.want_subject else "",
                      added_sign_off=bool(self.sign_off) and not self.wrote_sign_off,
                      complete=self.complete)

    # --- one line -----------------------------------------------------------------------
    def _line(self, raw: str) -> None:
        if self._shown_part is not None:
            self._close_open(raw)
            return
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or SEPARATOR.match(stripped):
            if self._held:
                self._held.append("")
            elif self.started:
                self._blank = True
            return
        subject = SUBJECT.match(stripped)
        if subject:
            if not self.started and not self.subject:
                self.subject = clean_subject(subject.group(1))
            return
        stripped = LABEL.sub("", stripped)
        line = LABEL.sub("", line)
        if not stripped:
            return
        if HEADER.match(stripped) or CHATTER.match(stripped):
            return
        if not self.started and CHATTER_OPENING.match(stripped):
            return
        line = PLACEHOLDER.sub("", line).rstrip()
        line = re.sub(r"\s+([,.!?])", r"\1", line) if line != raw.rstrip() else line
        if not plain(line) or BARE_ITEM.match(line):
            return
        if self._held:
            self._after_closing(line)
            return
        if self._sign_off_lines and not self._has_body() and plain(line) in self._sign_off_lines:
            return  # the user's name (or closing) before anything was said
        if self._is_closing(line) and (self._has_body() or self._bare_closing(line)):
            if not self._has_body():
                return  # a sign-off before anything was said ("Onward," at the top)
            self._held = [line]
            return
        key = line.strip().lower()
        if len(key) > 3:
            self._seen[key] = self._seen.get(key, 0) + 1
            if self._seen[key] > self.max_repeats:
                self.stopped = True
                return
        if not self.started:
            self._open(line)
            return
        self._commit(line)

    def _open(self, line: str) -> None:
        """The first line of the body: the greeting, in the user's form for this person."""
        self.started = True
        greeting = parse_greeting(line, bare=True)
        rest = ""
        if greeting is None:
            match = GREETING_START.match(line)
            if match and parse_greeting(line[:match.start("rest")].rstrip()):
                greeting = parse_greeting(line[:match.start("rest")].rstrip())
                rest = match.group("rest")
        if greeting is not None:
            self._lines.append(self.greeting or greeting.line())
            self._greeted = True
            if rest:
                self._blank = True
                self._commit(rest)
            return
        if self.greeting:
            self._lines.append(self.greeting)
            self._blank = True
        self._commit(line)

    def _is_closing(self, line: str) -> bool:
        key = plain(line)
        if self._sign_off_first and key == self._sign_off_first:
            return True
        return bool(CLOSING.match(line.strip())) and len(line.strip()) <= 30

    def _after_closing(self, line: str) -> None:
        """A line after a possible closing: a name ends the email; text means it was not
        a closing after all."""
        stripped = line.strip()
        if NAME_LINE.match(stripped) and len(stripped.split()) <= 4:
            self._held.append(line)
            self._end_at_closing()
            return
        held, self._held = self._held, []
        for earlier in held:
            if not earlier.strip():
                self._blank = True
            elif not self._bare_closing(earlier):  # "Onward:" mid-text is noise, not words
                self._commit(earlier)
        self._line(line)

    def _bare_closing(self, line: str) -> bool:
        stripped = line.strip()
        if self._sign_off_first and plain(stripped) == self._sign_off_first:
            return True
        return bool(re.match(r"^[\w\s'’]+[,:;—–-]?$", stripped)) and len(stripped.split()) <= 3

    def _end_at_closing(self) -> None:
        closing = [h for h in self._held if h.strip()]
        is_users = self._sign_off_first and plain(closing[0]) == self._sign_off_first
        self._held_name = [] if self.sign_off else closing
        if is_users:
            self.wrote_sign_off = True
        self._held = []
        self.complete = True
        if self.sign_off:
            self._commit_blank()
            self._lines.extend(self.sign_off.splitlines())
        elif closing:
            self._commit_blank()
            self._lines.extend(closing)

    _held_name: list[str] = []  # the model's own closing, kept where the user has none
    _greeted = False
    _content = 0  # body lines committed (not the greeting, not the sign-off)

    def _drop_held_closing(self) -> None:
        """A closing with no name after it at the very end: the user's sign-off replaces it
        (or, where there is none, it stays as the model wrote it)."""
        closing = [h for h in self._held if h.strip()]
        self._held = []
        if not closing:
            return
        if not self._bare_closing(closing[0]):
            for line in closing:  # "Best of luck with the show!" was a sentence after all
                self._commit(line)
            return
        if not self.sign_off:
            self._held_name = closing
        if self._sign_off_first and plain(closing[0]) == self._sign_off_first:
            self.wrote_sign_off = True

    def _has_body(self) -> bool:
        return any(plain(line) for line in self._lines[1 if self._greeted else 0:])

    def _commit_blank(self) -> None:
        if self._lines and self._lines[-1] != "":
            self._lines.append("")
        self._blank = False

    def _commit(self, line: str) -> None:
        if self._blank:
            self._commit_blank()
        self._lines.append(line)
        self._content += 1

    def _new_text(self) -> str:
        """Committed text not yet handed out. While the email is open, the last committed
        line is handed out with its line break only once the next line is committed."""
        text = self.text
        if not self.complete and self._shown_part is None:
            text = text + "\n" if text else text
        new = text[self._emitted:]
        self._emitted = len(text)
        return new


def clean_draft(raw: str, *, sign_off: str = "", want_subject: bool = True,
                greeting: str | None = None, cut_by_length: bool = False) -> Shaped:
    shaper = DraftShaper(sign_off=sign_off, greeting=greeting, want_subject=want_subject)
    shaper.feed(raw)
    shaper.finish(cut_by_length=cut_by_length)
    return shaper.result()


SUBJECT_WORDS = 12


def clean_subject(raw: str) -> str:
    """A subject line the model wrote when asked for one alone: its first line, without
    quotes, markup, placeholders or a repeated "Subject:"; empty when nothing usable is left
    (chatter, the prompt's own words, a template token, a greeting)."""
    line = TEMPLATE_TOKENS.split(raw.strip(), maxsplit=1)[0].strip().split("\n", 1)[0]
    repeated = SUBJECT.match(line)
    line = repeated.group(1) if repeated else line
    line = PLACEHOLDER.sub("", line).strip().strip("*\"'“”‘’").strip()
    line = re.sub(r"\s+", " ", line).rstrip(" .,;:-—")
    if (not line or CHATTER.match(line) or CHATTER_OPENING.match(line) or HEADER.match(line)
            or GREETING_START.match(line) or parse_greeting(line)):
        return ""
    words = line.split()
    return " ".join(words[:SUBJECT_WORDS]).rstrip(" .,;:-—")

