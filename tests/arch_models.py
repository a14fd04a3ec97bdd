"""Tiny random models of each catalogued architecture, as an HF folder and as a GGUF file
llama.cpp loads: what the export proofs train, export and compare.

The GGUF is written with the ``gguf`` package the way llama.cpp's converter lays each
architecture out (tensor names from gguf's own name map, the llama q/k row order), and it
borrows the packaged SmolLM2 model's tokenizer so that both sides read the same token ids.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

WIDTH, HEADS, KV_HEADS, LAYERS, FFN = 64, 4, 2, 2, 128


def hf_config(arch: str, vocab: int):
    from transformers import LlamaConfig, Phi3Config, Qwen2Config, Qwen3Config

    common = dict(vocab_size=vocab, hidden_size=WIDTH, intermediate_size=FFN,
                  num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                  num_key_value_heads=KV_HEADS, max_position_embeddings=512,
                  tie_word_embeddings=False, rms_norm_eps=1e-6, rope_theta=10000.0)
    if arch == "llama":
        return LlamaConfig(**common)
    if arch == "qwen2":
        return Qwen2Config(**common)
    if arch == "qwen3":
        # Every Qwen3 has 128-wide heads, and transformers' GGUF reader assumes so.
        return Qwen3Config(**common, head_dim=128)
    if arch == "phi3":
        return Phi3Config(**common, pad_token_id=0)
    raise ValueError(arch)


def build(arch: str, folder: Path, tokenizer_gguf: Path, tokenizer_dir: Path) -> Path:
    """Write a random ``arch`` model to ``folder`` (HF) and ``folder/model.gguf``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from trainer.engine.gguf_header import read_header

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    vocab = len(read_header(tokenizer_gguf).fields["tokenizer.ggml.tokens"])
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(hf_config(arch, vocab))
    with torch.no_grad():  # random norms, so a wrong norm convention would show
        for name, param in model.named_parameters():
            if name.endswith("norm.weight"):
                param.uniform_(0.5, 1.5)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return write_gguf(arch, model, folder / "model.gguf", tokenizer_gguf)


def write_gguf(arch: str, model, path: Path, tokenizer_gguf: Path) -> Path:
    import gguf

    from trainer.export import permute_qk_rows

    config = model.config
    writer = gguf.GGUFWriter(str(path), arch)
    # Not "tiny phi3": llama.cpp gives models named Phi-3 special handling of tokens ("</s>")
    # that the borrowed SmolLM2 vocabulary does not have.
    writer.add_name("tiny random model")
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_rope_freq_base(10000.0)
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    writer.add_rope_dimension_count(head_dim)
    writer.add_key_length(head_dim)
    writer.add_value_length(head_dim)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    reader = gguf.GGUFReader(str(tokenizer_gguf))
    _copy_tokenizer(writer, {key: field.contents() for key, field in reader.fields.items()
                             if key.startswith("tokenizer.")})
    arch_ids = {name: arch_id for arch_id, name in gguf.MODEL_ARCH_NAMES.items()}
    names = gguf.get_tensor_name_map(arch_ids[arch], config.num_hidden_layers)
    for hf_name, tensor in model.state_dict().items():
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise ValueError(f"{arch}: no GGUF name for {hf_name}")
        data = tensor.detach().float().numpy()
        if arch == "llama" and (".q_proj." in hf_name or ".k_proj." in hf_name):
            heads = config.num_attention_heads if ".q_proj." in hf_name else \
                config.num_key_value_heads
            data = permute_qk_rows(data, heads)
        writer.add_tensor(name, np.ascontiguousarray(data))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _copy_tokenizer(writer, fields: dict) -> None:
    writer.add_tokenizer_model(fields["tokenizer.ggml.model"])
    if "tokenizer.ggml.pre" in fields:
        writer.add_tokenizer_pre(fields["tokenizer.ggml.pre"])
    writer.add_token_list(fields["tokenizer.ggml.tokens"])
    writer.add_token_types(fields["tokenizer.ggml.token_type"])
    if "tokenizer.ggml.merges" in fields:
        writer.add_token_merges(fields["tokenizer.ggml.merges"])
    for key, add in (("bos_token_id", writer.add_bos_token_id),
                     ("eos_token_id", writer.add_eos_token_id),
                     ("unknown_token_id", writer.add_unk_token_id),
                     ("padding_token_id", writer.add_pad_token_id)):
        if f"tokenizer.ggml.{key}" in fields:
            add(fields[f"tokenizer.ggml.{key}"])
    if "tokenizer.ggml.add_bos_token" in fields:
        writer.add_add_bos_token(fields["tokenizer.ggml.add_bos_token"])
    if "tokenizer.chat_template" in fields:
        writer.add_chat_template(fields["tokenizer.chat_template"])
