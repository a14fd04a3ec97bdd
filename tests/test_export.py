"""GGUF LoRA export: names, the llama q/k row order, refusals, and PEFT vs llama.cpp on real bases.

The model tests give lora_B random values (PEFT starts it at zero) large enough that the
adapter changes the top token at roughly a quarter of the positions, like a trained style
adapter, then check that llama.cpp with the exported file moves its logits the way the PEFT
model moves its own.
"""

from __future__ import annotations

import numpy as np
import pytest

from trainer import export
from trainer.engine.models import ModelInfo
from trainer.export import PROJECTIONS, adapter_tensors, export_adapter, permute_qk_rows

TEXTS = [
    "Hi Sarah,\n\nThanks for sending the draft contract over. I read it last night and have two "
    "small changes to the payment terms; could we talk on Thursday afternoon?\n\nBest,\nTom",
    "Dear team, the quarterly review has moved to Monday at 10am in the main conference room. "
    "Please bring your updated forecasts and let me know if you cannot attend.",
    "John - I'm running late this morning, the train is stuck outside the station. Can you start "
    "the 9:30 call without me? I'll join as soon as I can. Thanks, Phillip",
    "Hello Mr. Allen, following up on our conversation yesterday: attached is the revised gas "
    "storage proposal with the new volumes. Let me know what you think.",
]


def _randomize_lora_b(peft_model, adapter: str, scale: float, seed: int = 1) -> None:
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if f"lora_B.{adapter}." in name:
                param.copy_(torch.randn(param.shape, generator=generator) * scale)


def _lora(model, adapter: str = "default", targets=PROJECTIONS, **options):
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)  # lora_A's initialisation: the measured numbers depend on it
    options = {"r": 8, "lora_alpha": 16, "lora_dropout": 0.05, **options}
    config = LoraConfig(target_modules=list(targets), task_type="CAUSAL_LM", **options)
    return get_peft_model(model, config, adapter_name=adapter)


# --- fast: a tiny synthetic llama ------------------------------------------------------------
def _tiny_llama(**options):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2)
    peft_model = _lora(LlamaForCausalLM(config), **options)
    _randomize_lora_b(peft_model, "default", 0.1)
    info = ModelInfo(name="tiny", path="tiny.gguf", architecture="llama", context_length=128,
                     quantization="F32", size_bytes=0, block_count=2, head_count=4, head_count_kv=2)
    return peft_model, info


def test_permutation_interleaves_rotary_halves_per_head():
    heads, head_dim = 3, 4
    rows = np.arange(heads * head_dim * 2, dtype=np.float32).reshape(heads * head_dim, 2)
    out = permute_qk_rows(rows, heads)
    half = head_dim // 2
    for head in range(heads):
        base = head * head_dim
        for j in range(half):
            assert (out[base + 2 * j] == rows[base + j]).all()
            assert (out[base + 2 * j + 1] == rows[base + half + j]).all()
    # transformers undoes llama.cpp's order when it dequantizes a GGUF: the two must cancel.
    from transformers.modeling_gguf_pytorch_utils import LlamaTensorProcessor

    undone = LlamaTensorProcessor()._reverse_permute_weights(out, heads, heads)
    assert (undone == rows).all()
    with pytest.raises(ValueError, match="rotary pairs"):
        permute_qk_rows(rows[:10], heads)


def test_tensor_names_shapes_and_file(tmp_path):
    import gguf

    peft_model, info = _tiny_llama()
    tensors, alpha = adapter_tensors(peft_model, info)
    assert alpha == 16.0
    kinds = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")
    assert set(tensors) == {f"blk.{b}.{k}.weight.lora_{ab}" for b in range(2) for k in kinds
                            for ab in "ab"}
    layer = peft_model.get_base_model().model.layers[1]
    q_b = layer.self_attn.q_proj.lora_B["default"].weight.detach().numpy()
    k_b = layer.self_attn.k_proj.lora_B["default"].weight.detach().numpy()
    v_b = layer.self_attn.v_proj.lora_B["default"].weight.detach().numpy()
    assert tensors["blk.1.attn_q.weight.lora_b"].shape == (32, 8)  # n_out x r
    assert tensors["blk.1.attn_k.weight.lora_b"].shape == (16, 8)
    assert tensors["blk.1.ffn_down.weight.lora_a"].shape == (8, 48)  # r x n_in
    np.testing.assert_array_equal(tensors["blk.1.attn_q.weight.lora_b"], permute_qk_rows(q_b, 4))
    np.testing.assert_array_equal(tensors["blk.1.attn_k.weight.lora_b"], permute_qk_rows(k_b, 2))
    np.testing.assert_array_equal(tensors["blk.1.attn_v.weight.lora_b"], v_b)

    path = export_adapter(peft_model, info, tmp_path / "tiny.gguf", dtype="f16")
    assert not list(tmp_path.glob("*.partial"))
    reader = gguf.GGUFReader(str(path))
    fields = {name: field.contents() for name, field in reader.fields.items()}
    assert fields["general.architecture"] == "llama"
    assert fields["general.type"] == "adapter"
    assert fields["adapter.type"] == "lora"
    assert fields["adapter.lora.alpha"] == pytest.approx(16.0)
    stored = {t.name: t for t in reader.tensors}
    assert set(stored) == set(tensors)
    q = stored["blk.1.attn_q.weight.lora_b"]
    assert q.tensor_type == gguf.GGMLQuantizationType.F16
    np.testing.assert_allclose(np.asarray(q.data).reshape(32, 8),
                               tensors["blk.1.attn_q.weight.lora_b"], atol=1e-3)


@pytest.mark.parametrize(("options", "message"), [
    ({"use_rslora": True}, "rsLoRA"),
    ({"use_dora": True}, "DoRA"),
    ({"rank_pattern": {"q_proj": 4}}, "rank pattern"),
    ({"alpha_pattern": {"v_proj": 8}}, "alpha pattern"),
    ({"modules_to_save": ["lm_head"]}, "fully trained modules"),
    ({"targets": ("q_proj", "lm_head")}, "lm_head: llama.cpp adapters cover only"),
])
def test_refuses_what_llama_cpp_cannot_represent(tmp_path, options, message):
    peft_model, info = _tiny_llama(**options)
    with pytest.raises(ValueError, match=message):
        export_adapter(peft_model, info, tmp_path / "out" / "a.gguf")
    assert not (tmp_path / "out").exists()


def test_refuses_unsupported_architecture_and_dtype(tmp_path):
    peft_model, info = _tiny_llama()
    info.architecture = "mamba"
    with pytest.raises(ValueError, match="'mamba' architecture"):
        export_adapter(peft_model, info, tmp_path / "a.gguf")
    info.architecture = "llama"
    with pytest.raises(ValueError, match="dtype"):
        export_adapter(peft_model, info, tmp_path / "a.gguf", dtype="q4_0")


# --- slow: real bases against llama.cpp ------------------------------------------------------
def _real_lora(name: str, scale: float):
    from trainer.base import load_base
    from trainer.engine.models import ModelCatalogue

    info = ModelCatalogue().info(name)
    model, tokenizer = load_base(info)
    peft_model = _lora(model)
    _randomize_lora_b(peft_model, "default", scale)
    return peft_model, tokenizer, info


@pytest.fixture(scope="module")
def smollm2():
    # 0.08 changes SmolLM2's top token at 19-27% of positions; Gemma is ~4x as sensitive
    # (0.02: 25-30%; 0.08 would change 90%).
    return _real_lora("smollm2-135m", 0.08)


@pytest.fixture(scope="module")
def gemma3():
    return _real_lora("gemma3-270m", 0.02)


def _check_agrees(peft_model, tokenizer, info, path):
    from trainer.verify import verify_adapter

    report = verify_adapter(peft_model, tokenizer, info, path, TEXTS)
    print(info.name, report)
    assert report["positions"] > 100
    assert report["adapter_changes_top"] > 0.15  # the adapter really does something
    # Measured over 4 seeds: 0.96-0.98 for both bases; SmolLM2 without the q/k permutation
    # 0.81-0.87, so this alone catches it.
    assert report["delta_cosine"] >= 0.92
    assert 0.85 <= report["delta_scale"] <= 1.2  # measured 1.02-1.05: alpha / rank is right
    # Measured 0.94-0.98 vs a base agreement of 0.96 (SmolLM2) and 0.95-0.97 vs 0.93 (Gemma).
    assert report["agreement"] >= report["base_agreement"] - 0.04
    return report


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["smollm2", "gemma3"])
def test_llama_cpp_follows_the_peft_model(fixture, request, tmp_path):
    peft_model, tokenizer, info = request.getfixturevalue(fixture)
    path = export_adapter(peft_model, info, tmp_path / f"{info.name}.gguf")
    _check_agrees(peft_model, tokenizer, info, path)


@pytest.mark.slow
def test_llama_without_the_qk_permutation_goes_astray(smollm2, tmp_path, monkeypatch):
    import torch
    from peft import LoraConfig

    from trainer.verify import verify_adapter

    peft_model, tokenizer, info = smollm2
    # Only q/k adapted: their effect is what the row order decides.
    torch.manual_seed(0)
    peft_model.add_adapter("qk", LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "k_proj"],
                                            task_type="CAUSAL_LM"))
    _randomize_lora_b(peft_model, "qk", 0.1)
    peft_model.set_adapter("qk")
    try:
        right = verify_adapter(peft_model, tokenizer, info,
                               export_adapter(peft_model, info, tmp_path / "right.gguf"), TEXTS)
        monkeypatch.setattr(export, "_PERMUTED_ARCHITECTURES", frozenset())
        wrong = verify_adapter(peft_model, tokenizer, info,
                               export_adapter(peft_model, info, tmp_path / "wrong.gguf"), TEXTS)
    finally:
        peft_model.set_adapter("default")
        peft_model.delete_adapter("qk")
    print("q/k only, permuted:", right, "\nq/k only, not permuted:", wrong)
    # Measured over 4 seeds: 0.85-0.86 permuted, -0.11-0.11 not; agreement 0.96-0.99 vs
    # 0.86-0.92 (the base agreement is 0.96).
    assert right["delta_cosine"] >= 0.7
    assert wrong["delta_cosine"] <= 0.4
    assert wrong["agreement"] < right["agreement"] - 0.03
