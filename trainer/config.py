"""Training settings: ``[training]`` in settings.toml, overridable per run from the CLI.

The recipe reads a finished ``TrainSettings``; no class below it looks at settings files.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from store.settings import load_section, save_section

PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
# Where a model fuses projections (Phi-3), the fused module stands for its parts.
FUSED_PROJECTIONS = {"qkv_proj": ("q_proj", "k_proj", "v_proj"),
                     "gate_up_proj": ("gate_proj", "up_proj")}


def target_modules_for(model, targets: list[str]) -> list[str]:
    """``targets`` as module names ``model`` has: a fused projection is adapted where the
    settings ask for any of its parts, so every architecture gets the same adapter."""
    present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    wanted = [name for name in targets if name in present]
    for fused, parts in FUSED_PROJECTIONS.items():
        if fused in present and fused not in wanted and set(parts) & set(targets):
            wanted.append(fused)
    return wanted


@dataclass
class TrainSettings:
    model: str = ""  # empty: the catalogue's default model
    # LoRA: Panza's recipe for small personal datasets (r 8, alpha 16, all projections).
    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: list(PROJECTIONS))
    # Optimisation
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    warmup_steps: int = 10
    epochs: int = 3
    batch_size: int = 4  # examples per optimiser step
    # Examples per forward pass. 1 means no padding, so attention runs the memory-efficient
    # causal kernel; a padding mask makes it fall back to full score matrices (11 GB RSS).
    micro_batch_size: int = 1
    max_seq_tokens: int = 640
    loss_chunk_tokens: int = 256  # rows of the vocabulary-wide logits held at once
    # Recompute each layer in the backward pass: ~20% slower, ~1.7 GB less at 700 tokens.
    # "auto" turns it on only where the run would not fit in memory without it
    # (trainer.sizing.plan_training); "on" and "off" force it.
    gradient_checkpointing: str = "auto"
    # With recomputation on, how many layers from the first are recomputed (0: all); the
    # plan sets it, recomputing no more layers than memory needs.
    recompute_layers: int = 0
    # The most memory a run may plan to use, in MB (0: 85% of what is free when it starts):
    # a machine that stays in use overnight keeps the rest; layers are recomputed to fit.
    memory_limit_mb: int = 0
    seed: int = 0
    # Data
    held_out_share: float = 0.2
    context_share: float = 0.5  # pairs trained with retrieved context, as drafting serves
    max_examples: int = 0  # 0: all; else only the newest N training pairs (quick trials)
    # Rhythm
    eval_every: int = 25
    eval_at_start: bool = True
    checkpoint_every: int = 25
    patience: int = 3  # evaluations without improvement before stopping early
    min_improvement: float = 0.005
    max_steps: int = 0  # 0: as many as the epochs need
    threads: int = 0  # 0: all cores but one, so the machine stays usable
    device: str = "auto"  # auto, cpu, cuda
    # bf16 weights on CUDA; on a CPU with native bf16 (AVX512-BF16, AMX, Arm BF16) the fp32
    # weights run under bf16 autocast: 2.1x the fp32 step here (trainer.sizing).
    bf16: bool = True
    load_in_4bit: bool = False  # CUDA + bitsandbytes, for 7-8B bases
    verify_texts: int = 4
    min_delta_cosine: float = 0.5  # below this the exported adapter is not activated

    @classmethod
    def load(cls, home: Path | None = None) -> TrainSettings:
        return load_section("training", cls, home)

    def save(self, home: Path | None = None) -> None:
        save_section("training", self, home)

    def to_json(self) -> dict:
        return asdict(self)

    def cpu_threads(self) -> int:
        return self.threads or max(1, (os.cpu_count() or 2) - 1)
