"""Every architecture the trainer offers, proven end to end on a tiny random model of it:
trained a few steps with PEFT, exported as a GGUF adapter, applied by llama.cpp to the
model's GGUF, and compared with PEFT (top-token agreement and the direction of the logit
change), with a negative control that gets the q/k row order wrong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.arch_models import HEADS, KV_HEADS, WIDTH, build
from tests.test_export import TEXTS
from trainer import export
from trainer.engine.models import ModelCatalogue, read_gguf_info
from trainer.verify import verify_adapter

pytestmark = pytest.mark.slow  # a tiny model per architecture, llama.cpp on each

# Proven on the real packaged models in tests/test_export.py; here on tiny ones.
TINY = ("llama", "qwen2", "qwen3", "phi3")


@pytest.fixture(scope="module")
def tokenizer_source(tmp_path_factory):
    """The packaged SmolLM2's GGUF and its HF tokenizer (from the dequantized base)."""
    from trainer.base import prepare_base

    info = ModelCatalogue().info("smollm2-135m")
    return Path(info.path), prepare_base(info)


def _train_a_little(peft_model, tokenizer, steps: int = 8) -> None:
    """A few real optimiser steps on our texts, so the adapter is a trained one."""
    import torch

    optimizer = torch.optim.AdamW([p for p in peft_model.parameters() if p.requires_grad],
                                  lr=5e-3)
    peft_model.train()
    batches = [tokenizer(text, return_tensors="pt")["input_ids"][:, :96] for text in TEXTS]
    for step in range(steps):
        ids = batches[step % len(batches)]
        loss = peft_model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    peft_model.eval()


def _adapter(folder: Path, targets):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    torch.manual_seed(0)
    peft_model = get_peft_model(model, LoraConfig(
        r=8, lora_alpha=16, lora_dropout=0.0, target_modules=list(targets),
        task_type="CAUSAL_LM"))
    _train_a_little(peft_model, tokenizer)
    return peft_model, tokenizer


@pytest.mark.parametrize("arch", TINY)
def test_a_trained_adapter_moves_llama_cpp_as_it_moves_peft(arch, tmp_path, tokenizer_source,
                                                            monkeypatch):
    gguf_source, tokenizer_dir = tokenizer_source
    folder = tmp_path / arch
    info = read_gguf_info(build(arch, folder, gguf_source, tokenizer_dir), name=f"tiny-{arch}")
    assert info.architecture == arch and arch in export.SUPPORTED_ARCHITECTURES

    # Every projection the trainer adapts, named as the settings name them.
    from transformers import AutoModelForCausalLM

    from trainer.config import PROJECTIONS, target_modules_for

    targets = target_modules_for(AutoModelForCausalLM.from_pretrained(str(folder)),
                                 list(PROJECTIONS))
    assert len(targets) == (4 if arch == "phi3" else 7), targets
    peft_model, tokenizer = _adapter(folder, targets)
    report = verify_adapter(peft_model, tokenizer, info,
                            export.export_adapter(peft_model, info, tmp_path / "all.gguf"),
                            TEXTS)
    assert report["adapter_changes_top"] > 0.05  # the adapter does something to compare
    assert report["base_agreement"] >= 0.95  # the two sides run the same model
    assert report["agreement"] >= report["base_agreement"] - 0.04
    assert report["delta_cosine"] >= 0.95 and 0.9 <= report["delta_scale"] <= 1.1

    # The negative control, on the attention's input side alone so that its row layout
    # decides: exported in another order than llama.cpp's converter uses (the rotary row
    # order; for Phi-3's fused projection, v's rows where q's belong), llama.cpp moves
    # elsewhere.
    attention = ("qkv_proj",) if arch == "phi3" else ("q_proj", "k_proj")
    peft_model, tokenizer = _adapter(folder, attention)
    right = verify_adapter(peft_model, tokenizer, info,
                           export.export_adapter(peft_model, info, tmp_path / "right.gguf"),
                           TEXTS)
    if arch == "phi3":
        exported = export.adapter_tensors

        def swapped(model, model_info):
            tensors, alpha = exported(model, model_info)
            for name in [n for n in tensors if n.endswith("attn_qkv.weight.lora_b")]:
                q_rows = WIDTH
                kv_rows = KV_HEADS * WIDTH // HEADS
                b = tensors[name]  # rows: q, then k, then v; written v, k, q
                tensors[name] = np.concatenate([b[q_rows + kv_rows:], b[q_rows:q_rows + kv_rows],
                                                b[:q_rows]])[:b.shape[0]]
            return tensors, alpha

        monkeypatch.setattr(export, "adapter_tensors", swapped)
    else:
        flipped = frozenset(set(export._PERMUTED_ARCHITECTURES) ^ {arch})
        monkeypatch.setattr(export, "_PERMUTED_ARCHITECTURES", flipped)
    wrong = verify_adapter(peft_model, tokenizer, info,
                           export.export_adapter(peft_model, info, tmp_path / "wrong.gguf"),
                           TEXTS)
    print(arch, {k: round(v, 3) for k, v in report.items() if isinstance(v, float)},
          "q/k right", round(right["delta_cosine"], 3), "wrong", round(wrong["delta_cosine"], 3))
    assert right["delta_cosine"] >= 0.95
    assert wrong["delta_cosine"] <= right["delta_cosine"] - 0.3


@pytest.mark.parametrize("arch", TINY)
def test_the_trainable_base_comes_from_the_gguf_alone(arch, tmp_path, tokenizer_source):
    """A downloaded GGUF has no HF folder beside it: the trainer dequantizes the GGUF
    (transformers, undoing llama.cpp's q/k row order) and must get the same weights."""
    import torch
    from transformers import AutoModelForCausalLM

    from trainer.base import prepare_base

    gguf_source, tokenizer_dir = tokenizer_source
    folder = tmp_path / arch
    info = read_gguf_info(build(arch, folder, gguf_source, tokenizer_dir), name=f"tiny-{arch}")
    weights = prepare_base(info, tmp_path / "home")
    assert weights != folder and (weights / "config.json").exists()
    original = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    dequantized = AutoModelForCausalLM.from_pretrained(str(weights), dtype=torch.float32)
    ours, theirs = dequantized.state_dict(), original.state_dict()
    assert set(ours) == set(theirs)
    for name, tensor in theirs.items():
        assert torch.equal(ours[name], tensor), name


def test_an_architecture_without_a_proven_export_is_refused_before_training():
    from trainer.engine.models import ModelInfo
    from trainer.export import require_exportable
    from trainer.snapshot import TrainingError

    mamba = ModelInfo(name="m", path="m.gguf", architecture="mamba", context_length=4096,
                      quantization="Q4_K_M", size_bytes=1)
    with pytest.raises(TrainingError, match="mamba model: it drafts, but training"):
        require_exportable(mamba)
