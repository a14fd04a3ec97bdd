"""Training pairs to token ids and reproducible batches.

Each pair is laid out by the drafting prompt builder, fitted to the training window (weakest
context examples dropped first, exactly as when drafting), and tokenized the way llama.cpp
sees it when serving: the prompt on its own, then the answer and the end-of-turn token.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import torch

from trainer.dataset import TrainingPair
from trainer.engine.chat import ChatFormat, plain_text
from trainer.engine.prompts import Profile, PromptBuilder
from trainer.loss import IGNORE


@dataclass
class Encoded:
    email_id: str
    input_ids: list[int]
    labels: list[int]

    @property
    def answer_tokens(self) -> int:
        return sum(label != IGNORE for label in self.labels)


def encode_pairs(pairs: list[TrainingPair], tokenizer, chat_format: ChatFormat,
                 max_tokens: int, profile: Profile | None = None,
                 ) -> tuple[list[Encoded], Counter]:
    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    builder = PromptBuilder(chat_format, count, max_tokens, profile)
    encoded, skipped = [], Counter()
    for pair in pairs:
        # The email is data: a marker in it is text, never a turn (as in the prompt).
        answer = tokenizer(plain_text(pair.completion.strip()) + chat_format.end_of_turn,
                           add_special_tokens=False)["input_ids"]
        if len(answer) > max_tokens // 2:
            skipped["email too long for the training window"] += 1
            continue
        try:
            built = builder.build(pair.request, max_new_tokens=len(answer))
        except ValueError:
            skipped["prompt too long for the training window"] += 1
            continue
        prompt = tokenizer(built.text, add_special_tokens=True)["input_ids"]
        encoded.append(Encoded(pair.email_id, prompt + answer, [IGNORE] * len(prompt) + answer))
    return encoded, skipped


def epoch_order(items: list[Encoded], batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """Batches of indices for one epoch: shuffled, with similar lengths grouped to save
    padding, and the same for the same seed and epoch (so a resumed run sees the same data)."""
    generator = torch.Generator().manual_seed(seed * 1000 + epoch)
    order = torch.randperm(len(items), generator=generator).tolist()
    group = batch_size * 8
    batches = []
    for start in range(0, len(order), group):
        window = sorted(order[start:start + group], key=lambda i: len(items[i].input_ids))
        batches.extend(window[i:i + batch_size] for i in range(0, len(window), batch_size))
    shuffle = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffle]


def collate(items: list[Encoded], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(item.input_ids) for item in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    labels = torch.full((len(items), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    for row, item in enumerate(items):
        n = len(item.input_ids)
        ids[row, :n] = torch.tensor(item.input_ids)
        labels[row, :n] = torch.tensor(item.labels)
        mask[row, :n] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}
