"""One prompt builder for drafting and for training, so the two never drift apart.

A prompt is made of parts: a system preamble, the user's profile, examples of the user's own
emails (retrieved), the email being replied to, and the instruction with tone and length
turned into explicit words. It is fitted to the model's context by dropping whole examples
(lowest score first) and, only if still needed, shortening the quoted thread with a visible
marker. Everything dropped or shortened is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from store.settings import load_section, save_section
from trainer.engine.chat import ChatFormat

LENGTHS = {
    "short": "Keep it short: two to four sentences.",
    "medium": "Keep it to one or two short paragraphs.",
    "long": "Write it in full: three or more paragraphs.",
}


@dataclass
class Profile:
    """Who the user is, for the preamble. Stored as ``[profile]`` in settings.toml."""

    name: str = ""
    role: str = ""
    sign_off: str = ""
    about: str = ""

    @classmethod
    def load(cls, home: Path | None = None) -> Profile:
        return load_section("profile", cls, home)

    def save(self, home: Path | None = None) -> None:
        save_section("profile", self, home)


@dataclass
class Example:
    text: str
    subject: str = ""
    recipient: str = ""
    score: float = 0.0
    ident: str = ""


@dataclass
class ThreadMessage:
    text: str
    sender: str = ""
    subject: str = ""
    date: str = ""


@dataclass
class PromptRequest:
    instruction: str
    examples: list[Example] = field(default_factory=list)
    reply_to: ThreadMessage | None = None
    recipient: str = ""
    tone: str | None = None
    length: str | None = None


@dataclass
class BuiltPrompt:
    messages: list[dict]
    text: str
    prompt_tokens: int
    examples: list[Example]
    dropped: list[str]


class PromptBuilder:
    # Room kept free beyond the answer's own budget (template tokens, tokenizer drift).
    SAFETY_TOKENS = 32
    # An example longer than this is left out rather than cut.
    MAX_EXAMPLE_TOKENS = 400

    def __init__(self, chat_format: ChatFormat, count_tokens: Callable[[str], int],
                 context_length: int, profile: Profile | None = None):
        self.chat_format = chat_format
        self.count_tokens = count_tokens
        self.context_length = context_length
        self.profile = profile or Profile()

    # --- parts ----------------------------------------------------------------------------
    def system_text(self, examples: list[Example]) -> str:
        p = self.profile
        who = p.name or "the user"
        lines = [f"You write emails as {who}, in {who}'s own voice: the same greetings, "
                 "phrasing, sentence length and sign-off. Write only the email, with no "
                 "comments before or after it."]
        if p.role:
            lines.append(f"{who} is {p.role}.")
        if p.about:
            lines.append(p.about.strip())
        if p.sign_off:
            lines.append(f"{who} signs off like this:\n{p.sign_off.strip()}")
        if examples:
            lines.append(f"Emails {who} wrote before, for style and facts:")
            for number, example in enumerate(examples, 1):
                head = f"--- Email {number}"
                if example.recipient:
                    head += f" to {example.recipient}"
                if example.subject:
                    head += f", subject: {example.subject}"
                lines.append(f"{head}\n{example.text.strip()}")
            lines.append("--- end of examples")
        return "\n\n".join(lines)

    def user_text(self, request: PromptRequest, thread_text: str | None) -> str:
        parts = []
        if request.reply_to is not None:
            m = request.reply_to
            head = "Reply to this email"
            if m.sender:
                head += f" from {m.sender}"
            if m.date:
                head += f" ({m.date})"
            if m.subject:
                head += f", subject: {m.subject}"
            parts.append(f"{head}:\n{thread_text or m.text}".rstrip())
        elif request.recipient:
            parts.append(f"Write an email to {request.recipient}.")
        parts.append(f"What to say: {request.instruction.strip()}")
        if request.tone:
            parts.append(f"Tone: {request.tone.strip()}.")
        if request.length:
            parts.append(LENGTHS.get(request.length, f"Length: {request.length}."))
        if request.reply_to is None:
            parts.append("Start with a line 'Subject: ...', then the email.")
        return "\n\n".join(parts)

    def messages(self, request: PromptRequest, examples: list[Example],
                 thread_text: str | None = None, completion: str | None = None) -> list[dict]:
        messages = [{"role": "system", "content": self.system_text(examples)},
                    {"role": "user", "content": self.user_text(request, thread_text)}]
        if completion is not None:
            messages.append({"role": "assistant", "content": completion})
        return messages

    # --- fitting --------------------------------------------------------------------------
    def build(self, request: PromptRequest, max_new_tokens: int = 400) -> BuiltPrompt:
        budget = self.context_length - max_new_tokens - self.SAFETY_TOKENS
        dropped: list[str] = []
        examples = []
        for example in request.examples:
            size = self.count_tokens(example.text)
            if size > self.MAX_EXAMPLE_TOKENS:
                dropped.append(f"example {example.ident or example.subject!r}: too long "
                               f"({size} tokens)")
            else:
                examples.append(example)
        thread_text = request.reply_to.text if request.reply_to else None

        def render() -> tuple[str, int]:
            text = self.chat_format.render(self.messages(request, examples, thread_text))
            return text, self.count_tokens(text)

        text, size = render()
        while size > budget and examples:
            weakest = min(examples, key=lambda e: e.score)
            examples.remove(weakest)
            dropped.append(f"example {weakest.ident or weakest.subject!r}: no room in the "
                           "context")
            text, size = render()
        if size > budget and thread_text:
            words = thread_text.split(" ")
            keep = len(words)
            while size > budget and keep > 20:
                keep = int(keep * 0.8)
                omitted = len(words) - keep
                thread_text = " ".join(words[:keep]) + f" [… {omitted} more words not shown]"
                text, size = render()
            dropped.append(f"the email being replied to was shortened to its first {keep} "
                           "words")
        if size > budget:
            raise ValueError(f"the instruction alone needs {size} tokens; the model's context "
                             f"has room for {budget}")
        return BuiltPrompt(self.messages(request, examples, thread_text), text, size,
                           examples, dropped)

    def training_text(self, request: PromptRequest, completion: str) -> tuple[str, str]:
        """(prompt, target) for training: the target is the email plus the end-of-turn."""
        prompt = self.chat_format.render(self.messages(request, request.examples))
        return prompt, completion.strip() + self.chat_format.end_of_turn

