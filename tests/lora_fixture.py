"""A small random LoRA adapter in llama.cpp's GGUF adapter format, for runtime tests.

The trainer writes real adapters; this one only has to change the model's output in a
repeatable way, so that switching and clearing adapters can be observed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_random_adapter(path: Path, *, arch: str, blocks: int, n_embd: int, rank: int = 8,
                         alpha: float = 16.0, scale: float = 0.2, seed: int = 0) -> Path:
    import gguf

    rng = np.random.default_rng(seed)
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_string(gguf.Keys.General.TYPE, gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
    for block in range(blocks):
        # PEFT shapes: lora_A is (rank, n_in), lora_B is (n_out, rank).
        a = (rng.standard_normal((rank, n_embd)) * scale).astype(np.float32)
        b = (rng.standard_normal((n_embd, rank)) * scale).astype(np.float32)
        writer.add_tensor(f"blk.{block}.attn_q.weight.lora_a", a)
        writer.add_tensor(f"blk.{block}.attn_q.weight.lora_b", b)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
