"""Export a PEFT LoRA model as a GGUF LoRA adapter that llama.cpp applies to the base GGUF.

The file holds, per adapted projection, ``blk.{i}.{tensor}.weight.lora_a`` (PEFT's lora_A,
rank x n_in) and ``.lora_b`` (lora_B, n_out x rank), plus ``adapter.lora.alpha``; llama.cpp
scales the product by alpha / rank, as PEFT does without rsLoRA.

One trap: for the llama architecture, llama.cpp's HF->GGUF conversion reorders the rows of
the q and k weights (the rotary halves of each head become interleaved pairs), and
transformers undoes that when it loads a GGUF. The base we train on therefore has HF's row
order and the GGUF has llama.cpp's, so the output side of the q/k deltas (lora_b) must get
the same reordering, or the adapter silently moves llama.cpp's logits in an unrelated
direction. ``verify.verify_adapter`` measures exactly that.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from trainer.engine.models import ModelInfo

PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj",
               "qkv_proj", "gate_up_proj")  # Phi-3 fuses q/k/v and gate/up, as its GGUF does
# Architectures proven with a PEFT-vs-llama.cpp test: llama and gemma3 on the packaged
# models (tests/test_export.py), llama, qwen2, qwen3 and phi3 on tiny random models
# (tests/test_export_architectures.py).
SUPPORTED_ARCHITECTURES = ("llama", "gemma3", "qwen2", "qwen3", "phi3")
# Architectures whose HF->GGUF conversion permutes the q/k rows.
_PERMUTED_ARCHITECTURES = frozenset({"llama"})
_DTYPES = {"f32": np.float32, "f16": np.float16}


def require_exportable(info: ModelInfo) -> None:
    """Refuse, before any training, a model whose adapter could not be exported."""
    from trainer.snapshot import TrainingError

    if info.architecture not in SUPPORTED_ARCHITECTURES:
        raise TrainingError(
            f"{info.name} is a {info.architecture} model: it drafts, but training it is not "
            "offered yet, because its adapter export has not been proven against llama.cpp "
            f"(proven: {', '.join(SUPPORTED_ARCHITECTURES)})")


def permute_qk_rows(weights: np.ndarray, n_head: int) -> np.ndarray:
    """HF's rotary row order -> llama.cpp's, within each of ``n_head`` heads.

    HF keeps each head's rows as [first half | second half] of the rotary pairs; GGUF
    interleaves them: row j of the first half and row j of the second half become rows
    2j and 2j+1 of the head.
    """
    rows = weights.shape[0]
    if n_head <= 0 or rows % (2 * n_head):
        raise ValueError(f"cannot split {rows} rows into {n_head} heads of rotary pairs")
    half = rows // n_head // 2
    by_head = weights.reshape(n_head, 2, half, *weights.shape[1:])
    return np.ascontiguousarray(by_head.swapaxes(1, 2).reshape(weights.shape))


def _active_adapter(peft_model) -> str:
    active = peft_model.active_adapter
    if isinstance(active, (list, tuple)):
        if len(active) != 1:
            raise ValueError(f"several active adapters {list(active)}: export one at a time")
        active = active[0]
    return active


def _check_config(config) -> None:
    """Refuse PEFT settings that llama.cpp's adapter format cannot express."""
    from peft import PeftType

    if config.peft_type != PeftType.LORA:
        raise ValueError(f"only LoRA adapters can be exported, not {config.peft_type}")
    problems = []
    if getattr(config, "use_rslora", False):
        problems.append("rsLoRA (use_rslora=True; llama.cpp scales by alpha / rank)")
    if getattr(config, "use_dora", False):
        problems.append("DoRA (use_dora=True)")
    if getattr(config, "rank_pattern", None):
        problems.append(f"a per-module rank pattern {dict(config.rank_pattern)}")
    if getattr(config, "alpha_pattern", None):
        problems.append(f"a per-module alpha pattern {dict(config.alpha_pattern)}")
    if getattr(config, "bias", "none") != "none" or getattr(config, "lora_bias", False):
        problems.append("trained biases")
    if getattr(config, "modules_to_save", None):
        problems.append(f"fully trained modules {list(config.modules_to_save)}")
    if getattr(config, "trainable_token_indices", None):
        problems.append("trainable token indices")
    if getattr(config, "target_parameters", None):
        problems.append("target_parameters (LoRA on bare parameters)")
    if problems:
        raise ValueError("this LoRA cannot be written as a llama.cpp adapter: it uses "
                         + "; ".join(problems))


def _head_counts(peft_model, info: ModelInfo) -> tuple[int, int]:
    config = peft_model.get_base_model().config
    n_head = info.head_count or config.num_attention_heads
    n_head_kv = info.head_count_kv or getattr(config, "num_key_value_heads", None) or n_head
    return n_head, n_head_kv


def adapter_tensors(peft_model, info: ModelInfo) -> tuple[dict[str, np.ndarray], float]:
    """GGUF tensor name -> float32 array for every adapted projection, and lora alpha."""
    import gguf
    import torch

    arch = info.architecture
    if arch not in SUPPORTED_ARCHITECTURES:
        raise ValueError(f"cannot export a LoRA adapter for the {arch!r} architecture: only "
                         f"{', '.join(SUPPORTED_ARCHITECTURES)} are supported (each needs its "
                         "own check that llama.cpp agrees with the trained model)")
    arch_ids = {name: arch_id for arch_id, name in gguf.MODEL_ARCH_NAMES.items()}
    name_map = gguf.get_tensor_name_map(arch_ids[arch], info.block_count)
    adapter = _active_adapter(peft_model)
    config = peft_model.peft_config[adapter]
    _check_config(config)
    rank, alpha = int(config.r), float(config.lora_alpha)
    n_head, n_head_kv = _head_counts(peft_model, info)
    permute = arch in _PERMUTED_ARCHITECTURES

    tensors: dict[str, np.ndarray] = {}
    for module_name, module in peft_model.get_base_model().named_modules():
        lora_a = getattr(module, "lora_A", None)
        if not isinstance(lora_a, torch.nn.ModuleDict) or adapter not in lora_a:
            continue
        short = module_name.rsplit(".", 1)[-1]
        if short not in PROJECTIONS:
            raise ValueError(f"LoRA on {module_name}: llama.cpp adapters cover only the "
                             f"projections {', '.join(PROJECTIONS)}")
        if getattr(module, "merged", False):
            raise ValueError(f"{module_name}: the adapter is merged into the weights; unmerge it")
        if getattr(module, "lora_magnitude_vector", None) and adapter in module.lora_magnitude_vector:
            raise ValueError(f"{module_name}: DoRA magnitudes cannot be exported")
        gguf_name = name_map.get_name(module_name)
        if gguf_name is None:
            raise ValueError(f"{module_name}: no llama.cpp tensor of the {arch} architecture "
                             "matches this module")
        a = lora_a[adapter].weight.detach().float().cpu().numpy()
        b = module.lora_B[adapter].weight.detach().float().cpu().numpy()
        if a.shape[0] != rank or b.shape[1] != rank:
            raise ValueError(f"{module_name}: rank {a.shape[0]} differs from the config's {rank}")
        if not np.isclose(module.scaling[adapter], alpha / rank):
            raise ValueError(f"{module_name}: scale {module.scaling[adapter]} is not "
                             f"alpha / rank = {alpha / rank}; llama.cpp cannot express it")
        if permute and short in ("q_proj", "k_proj"):
            b = permute_qk_rows(b, n_head if short == "q_proj" else n_head_kv)
        tensors[f"{gguf_name}.weight.lora_a"] = a
        tensors[f"{gguf_name}.weight.lora_b"] = b
    if not tensors:
        raise ValueError(f"the model has no LoRA layers for adapter {adapter!r}")
    return tensors, alpha


def export_adapter(peft_model, info: ModelInfo, out_path: Path, *, dtype: str = "f32") -> Path:
    """Write the active LoRA of ``peft_model`` (trained on ``info``'s base) as a GGUF adapter."""
    import gguf

    if dtype not in _DTYPES:
        raise ValueError(f"adapter dtype must be one of {', '.join(_DTYPES)}, not {dtype!r}")
    tensors, alpha = adapter_tensors(peft_model, info)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    writer = gguf.GGUFWriter(str(partial), info.architecture)
    try:
        writer.add_string(gguf.Keys.General.TYPE, gguf.GGUFType.ADAPTER)
        writer.add_string(gguf.Keys.General.NAME, f"{info.display_name or info.name} LoRA")
        writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
        writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
        writer.add_string("amanuensis.base_model", info.name)
        for name, array in tensors.items():
            writer.add_tensor(name, array.astype(_DTYPES[dtype]))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(partial, out_path)
    except BaseException:
        writer.close()
        partial.unlink(missing_ok=True)
        raise
    return out_path
