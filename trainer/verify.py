"""Check an exported adapter: does llama.cpp with it behave like the PEFT model it came from?

Both sides read the same token ids. We compare, per position, the top token (with the
adapter, and without it as the baseline: llama.cpp runs a quantized model, so even the bare
bases disagree somewhat) and the direction in which the adapter moves the logits. That
direction is the sharp test: a wrongly laid-out tensor (the llama q/k row order) leaves the
top tokens mostly intact yet moves llama.cpp's logits in an unrelated direction.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

from store.settings import worker_threads
from trainer.engine.models import ModelError, ModelInfo


def _token_ids(tokenizer, text: str, bos: int | None, max_tokens: int) -> list[int]:
    # The BOS rule is llama.cpp's (from the GGUF), as when drafting: the HF tokenizer of a
    # dequantized GGUF does not always agree (SmolLM2: never, Gemma 3: always).
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if bos is not None:
        ids = [bos, *ids]
    return ids[:max_tokens]


def _peft_logits(peft_model, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    import torch

    # On a GPU the model may be bf16: compare on its device, read back as float32.
    device = next(peft_model.parameters()).device
    batch = torch.tensor([ids], dtype=torch.long, device=device)
    with torch.no_grad():
        on = peft_model(input_ids=batch).logits[0].float().cpu().numpy()
        with peft_model.disable_adapter():
            off = peft_model(input_ids=batch).logits[0].float().cpu().numpy()
    return on, off


class _LlamaSide:
    """One llama.cpp model with all-position logits; the adapter is switched at run time."""

    def __init__(self, info: ModelInfo, adapter_path: Path, n_ctx: int, n_threads: int):
        import llama_cpp
        from llama_cpp import Llama

        self._lib = llama_cpp
        self.llm = Llama(model_path=info.path, n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx,
                         logits_all=True, n_threads=n_threads, n_threads_batch=n_threads,
                         verbose=False)
        self.adapter = None
        try:
            self.adapter = llama_cpp.llama_adapter_lora_init(
                self.llm._model.model, str(adapter_path).encode("utf-8"))  # noqa: SLF001
            if not self.adapter:
                raise ModelError(f"{adapter_path}: llama.cpp could not load this adapter "
                                 f"for {info.name}")
            vocab = llama_cpp.llama_model_get_vocab(self.llm._model.model)  # noqa: SLF001
            add_bos = llama_cpp.llama_vocab_get_add_bos(vocab)
            self.bos = int(llama_cpp.llama_vocab_bos(vocab)) if add_bos else None
            self.n_vocab = self.llm.n_vocab()
        except BaseException:
            self.close()
            raise

    def _use_adapter(self, on: bool) -> None:
        ctx = self.llm._ctx.ctx  # noqa: SLF001 - no public handle
        if on:
            adapters = (self._lib.llama_adapter_lora_p_ctypes * 1)(self.adapter)
            scales = (ctypes.c_float * 1)(1.0)
            if self._lib.llama_set_adapters_lora(ctx, adapters, 1, scales):
                raise ModelError("llama.cpp refused to apply the adapter")
        else:
            self._lib.llama_set_adapters_lora(ctx, None, 0, None)
        self.llm.reset()  # else the prompt cache serves logits of the other setting

    def logits(self, ids: list[int], adapter: bool) -> np.ndarray:
        self._use_adapter(adapter)
        self.llm.eval(ids)
        return np.array(self.llm.scores[: len(ids)], dtype=np.float32)

    def close(self) -> None:
        if self.adapter:
            self._lib.llama_adapter_lora_free(self.adapter)
            self.adapter = None
        self.llm.close()


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, (a * b).sum(axis=1) / norms, np.nan)


def verify_adapter(peft_model, tokenizer, info: ModelInfo, adapter_path: Path, texts: list[str],
                   *, n_threads: int = 0, max_tokens: int = 128) -> dict:
    """Compare the PEFT model with llama.cpp + the exported adapter on ``texts``.

    Returns ``agreement`` (share of positions whose top token agrees, adapter on),
    ``base_agreement`` (the same, adapter off on both sides), ``delta_cosine`` (mean cosine
    between the two sides' logit changes caused by the adapter; ~0 for a wrong layout),
    ``delta_scale`` (median ratio of llama.cpp's to PEFT's change; ~1 unless alpha or
    the rank is off), ``adapter_changes_top`` (share of positions whose top token the adapter
    changes in PEFT), ``positions`` and ``texts``. Cosines skip positions where the adapter
    changes nothing (then ``delta_cosine`` is NaN).
    """
    if not texts:
        raise ValueError("verify_adapter needs at least one text")
    import torch

    threads = worker_threads(n_threads)
    was_training, torch_threads = peft_model.training, torch.get_num_threads()
    peft_model.eval()
    # Both sides keep to the same cores: on a busy 2-core machine, torch's default of two
    # threads made the PEFT forward pass 3-8x slower.
    torch.set_num_threads(threads)
    n_ctx = max(16, max_tokens + 1)
    side = _LlamaSide(info, Path(adapter_path), n_ctx, threads)
    agree = base_agree = changed = positions = 0
    cosines: list[np.ndarray] = []
    scales: list[np.ndarray] = []
    try:
        for text in texts:
            ids = _token_ids(tokenizer, text, side.bos, max_tokens)
            if len(ids) < 2:
                continue
            hf_on, hf_off = _peft_logits(peft_model, ids)
            vocab = min(hf_on.shape[1], side.n_vocab)  # HF may pad its vocabulary
            hf_on, hf_off = hf_on[:, :vocab], hf_off[:, :vocab]
            ll_on = side.logits(ids, adapter=True)[:, :vocab]
            ll_off = side.logits(ids, adapter=False)[:, :vocab]
            agree += int((hf_on.argmax(1) == ll_on.argmax(1)).sum())
            base_agree += int((hf_off.argmax(1) == ll_off.argmax(1)).sum())
            changed += int((hf_on.argmax(1) != hf_off.argmax(1)).sum())
            positions += len(ids)
            hf_delta, ll_delta = hf_on - hf_off, ll_on - ll_off
            cosines.append(_cosines(hf_delta, ll_delta))
            with np.errstate(invalid="ignore", divide="ignore"):
                scales.append(np.linalg.norm(ll_delta, axis=1) / np.linalg.norm(hf_delta, axis=1))
            del hf_on, hf_off, ll_on, ll_off, hf_delta, ll_delta
    finally:
        side.close()
        peft_model.train(was_training)
        torch.set_num_threads(torch_threads)
    if not positions:
        raise ValueError("no text gave at least two tokens to compare")
    cos = np.concatenate(cosines)
    ratio = np.concatenate(scales)
    ratio = ratio[np.isfinite(ratio)]
    return {
        "agreement": agree / positions,
        "base_agreement": base_agree / positions,
        "delta_cosine": float(np.nanmean(cos)) if np.isfinite(cos).any() else float("nan"),
        "delta_scale": float(np.median(ratio)) if ratio.size else float("nan"),
        "adapter_changes_top": changed / positions,
        "positions": positions,
        "texts": len(texts),
    }
