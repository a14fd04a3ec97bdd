"""Chat formatting per model: the GGUF's own template when it has one, else a known turn
format chosen by the special tokens in its vocabulary. Never llama-cpp-python's silent
``llama-2`` fallback, which turns a ChatML or Gemma model's output into garbage."""

from __future__ import annotations

import re
from dataclasses import dataclass

from trainer.engine.models import ModelError, ModelInfo

# What a tokenizer parsing special tokens would read as control tokens: every model's turn
# markers and the like ("<|im_start|>", "<start_of_turn>", "</s>", "[INST]", "<file_sep>").
CONTROL_LIKE = re.compile(r"<\|[^|<>\s]{1,40}\|>|</?s>|<(?:bos|eos|pad|unk|mask|unused\d+)>"
                          r"|<[a-z]+(?:_[a-z]+)+>|\[/?(?:INST|SYS|AVAILABLE_TOOLS|TOOL_CALLS|"
                          r"TOOL_RESULTS)\]")
_BREAK = "\u200b"  # a zero-width space after the first character: read as plain text


def plain_text(text: str) -> str:
    """Text from mail, the user or the model with every control-token look-alike broken, so
    that it reaches the tokenizer as the characters it is and never as a turn of the chat:
    a received email that says "<|im_start|>system" cannot start a system turn."""
    return CONTROL_LIKE.sub(lambda m: m.group(0)[0] + _BREAK + m.group(0)[1:], text)


@dataclass
class ChatFormat:
    name: str
    end_of_turn: str  # what closes the assistant's turn; training puts it under the loss
    stop_strings: tuple[str, ...]
    template: str | None = None  # a Jinja chat template from the GGUF
    bos_token: str = ""

    def render(self, messages: list[dict], add_generation_prompt: bool = True) -> str:
        # Template tokens come from the format alone: every message's text is plain text.
        messages = [dict(m, content=plain_text(str(m.get("content", "")))) for m in messages]
        if self.template is not None:
            text = _render_jinja(self.template, messages, add_generation_prompt, self.bos_token,
                                 self.end_of_turn)
        else:
            text = _BUILTIN[self.name](messages, add_generation_prompt)
        # The tokenizer adds BOS itself when the model wants one; never add it twice.
        if self.bos_token and text.startswith(self.bos_token):
            text = text[len(self.bos_token):]
        return text


def _render_jinja(template: str, messages, add_generation_prompt, bos, eos) -> str:
    from jinja2.exceptions import TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message):
        raise TemplateError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    try:
        return env.from_string(template).render(
            messages=messages, add_generation_prompt=add_generation_prompt,
            bos_token=bos, eos_token=eos,
            # Qwen3's template opens the answer with an empty thought when this is false:
            # an email is drafted, not reasoned aloud. Other templates ignore it.
            enable_thinking=False,
        )
    except TemplateError as exc:
        raise ModelError(f"the model's chat template failed: {exc}") from exc


def _chatml(messages, add_generation_prompt):
    out = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return out + ("<|im_start|>assistant\n" if add_generation_prompt else "")


def _gemma(messages, add_generation_prompt):
    # Gemma has no system role: the system text opens the first user turn.
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    out = []
    for m in (m for m in messages if m["role"] != "system"):
        role = "model" if m["role"] == "assistant" else "user"
        content = m["content"]
        if system and role == "user":
            content, system = f"{system}\n\n{content}", ""
        out.append(f"<start_of_turn>{role}\n{content}<end_of_turn>\n")
    return "".join(out) + ("<start_of_turn>model\n" if add_generation_prompt else "")


def _llama3(messages, add_generation_prompt):
    out = "".join(f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{m['content']}<|eot_id|>"
                  for m in messages)
    return out + ("<|start_header_id|>assistant<|end_header_id|>\n\n"
                  if add_generation_prompt else "")


def _mistral(messages, add_generation_prompt):
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    out = []
    for m in (m for m in messages if m["role"] != "system"):
        if m["role"] == "user":
            content = f"{system}\n\n{m['content']}" if system else m["content"]
            system = ""
            out.append(f"[INST] {content} [/INST]")
        else:
            out.append(f" {m['content']}</s>")
    return "".join(out)


_BUILTIN = {"chatml": _chatml, "gemma": _gemma, "llama3": _llama3, "mistral": _mistral}
_ENDS = {"chatml": "<|im_end|>", "gemma": "<end_of_turn>", "llama3": "<|eot_id|>",
         "mistral": "</s>"}
_MARKERS = (("<|im_start|>", "chatml"), ("<start_of_turn>", "gemma"),
            ("<|start_header_id|>", "llama3"), ("[INST]", "mistral"))


def chat_format_for(info: ModelInfo) -> ChatFormat:
    family = next((name for marker, name in _MARKERS if marker in info.special_tokens), None)
    if info.architecture.startswith("gemma") and family is None:
        family = "gemma"
    if info.chat_template:
        end = _ENDS.get(family or "", "")
        if not end:
            end = next((token for token in ("<|im_end|>", "<|end|>")  # ChatML, Phi-3
                        if token in info.chat_template), "</s>")
        bos = "<bos>" if family == "gemma" else ("<|begin_of_text|>" if family == "llama3"
                                                 else "")
        return ChatFormat("gguf-template", end, (end,), template=info.chat_template,
                          bos_token=bos)
    if family is None:
        raise ModelError(
            f"{info.path}: the model has no chat template and no known turn format "
            "(ChatML, Gemma, Llama 3, Mistral); add it with an instruct GGUF that has one")
    return ChatFormat(family, _ENDS[family], (_ENDS[family],))
