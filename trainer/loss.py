"""Next-token loss on the answer tokens only, without materialising the full logits.

A plain loop builds logits of batch × length × vocabulary (4 × 384 × 49k floats ≈ 300 MB,
and as much again for their gradient): that, not the 135M weights, is why it peaked at 8 GB.
Here only the positions that carry a label are projected, a chunk at a time, and each chunk
is recomputed in the backward pass instead of kept.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

IGNORE = -100


def _chunk_loss(hidden: torch.Tensor, targets: torch.Tensor, weight: torch.Tensor,
                softcap: float | None) -> torch.Tensor:
    logits = hidden @ weight.t()
    if softcap:
        logits = torch.tanh(logits / softcap) * softcap
    return F.cross_entropy(logits.float(), targets, reduction="sum")


def answer_loss(hidden: torch.Tensor, labels: torch.Tensor, weight: torch.Tensor, *,
                chunk: int = 256, softcap: float | None = None) -> tuple[torch.Tensor, int]:
    """(mean loss over labelled tokens, their count). Position t predicts label t + 1."""
    targets = labels[:, 1:]
    mask = targets != IGNORE
    picked = hidden[:, :-1][mask]
    wanted = targets[mask]
    count = int(wanted.numel())
    if count == 0:
        return hidden.sum() * 0.0, 0
    total = hidden.new_zeros((), dtype=torch.float32)
    for start in range(0, count, chunk):
        part = slice(start, start + chunk)
        if torch.is_grad_enabled():
            total = total + checkpoint(_chunk_loss, picked[part], wanted[part], weight, softcap,
                                       use_reentrant=False)
        else:
            total = total + _chunk_loss(picked[part], wanted[part], weight, softcap)
    return total / count, count
