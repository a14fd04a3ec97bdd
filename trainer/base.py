"""The trainable base model: an HF weights folder, or the GGUF itself dequantized once.

Dequantizing SmolLM2-135M takes ~14 s and Gemma 3 270M ~37 s, so the fp32 copy is cached
under ``<home>/models/hf/<name>-<hash of the GGUF>/``; reloading it takes seconds. The hash
makes a replaced GGUF produce a fresh copy rather than train on stale weights.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from store.settings import data_home
from trainer.engine.models import ModelError, ModelInfo


def file_fingerprint(path: Path) -> str:
    """A cheap, stable identity for a large model file: size, plus hashes of its ends."""
    path = Path(path)
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(1 << 20))
        handle.seek(max(0, size - (1 << 20)))
        digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:16]


def base_weights_dir(info: ModelInfo, home: Path | None = None) -> Path:
    """Where the fp32 weights of ``info`` live (the user's HF folder, or our cached copy)."""
    if info.hf_dir:
        return Path(info.hf_dir)
    return (home or data_home()) / "models" / "hf" / f"{info.name}-{file_fingerprint(Path(info.path))}"


def prepare_base(info: ModelInfo, home: Path | None = None, progress=None) -> Path:
    """Make sure fp32 HF weights exist for ``info`` and return their folder."""
    target = base_weights_dir(info, home)
    if (target / "config.json").exists():
        return target
    if info.hf_dir:
        raise ModelError(f"{info.hf_dir}: the model's HF folder has no config.json")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = Path(info.path)
    if progress:
        progress(f"dequantizing {gguf.name} to fp32 (once)")
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    except Exception as exc:  # transformers raises many kinds for unsupported GGUFs
        raise ModelError(f"{gguf}: cannot be turned into trainable weights ({exc}); add the "
                         "model with its Hugging Face folder instead (models add --hf-dir)") from exc
    # save_pretrained refuses a model that still says it is quantized.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def load_base(info: ModelInfo, home: Path | None = None, dtype=None, progress=None,
              four_bit: bool = False):
    """(model, tokenizer) in ``dtype`` (fp32 by default), ready for PEFT. ``four_bit`` loads
    the weights as 4-bit NF4 on a CUDA GPU (bitsandbytes), for 7-8B bases."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    extra = {}
    if four_bit:
        try:
            import bitsandbytes  # noqa: F401
        except ImportError as exc:
            raise ModelError("4-bit training needs the bitsandbytes package and a CUDA GPU "
                             "(pip install bitsandbytes)") from exc
        from transformers import BitsAndBytesConfig

        extra["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=dtype or torch.bfloat16)
        extra["device_map"] = {"": 0}
    folder = prepare_base(info, home, progress)
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=dtype or torch.float32,
                                                 **extra)
    if four_bit:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def load_base_tokenizer(info: ModelInfo, home: Path | None = None, progress=None):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(prepare_base(info, home, progress)))
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer
