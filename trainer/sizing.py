"""How big a model this machine can draft and train with, and how fast: estimates and plans.

Every estimate scales from the two measurements of ``trainer.hardware`` (memory bandwidth,
matrix-multiply speed) with constants fitted on this project's own runs, so the doctor, the
model manager and the trainer agree. They are estimates, labelled as such where shown.

- Drafting one token reads every weight once and does 2 multiply-adds per parameter; on
  this 2-core machine (37.7 GB/s, 215 GFLOP/s) SmolLM2-135M measured 161 tokens/s and
  Gemma 3 270M 96 tokens/s, where ``drafting_speed`` says 135 and 79 (it errs low).
- Reading the prompt is compute-bound and skips the vocabulary-wide head, so it runs at
  2 multiply-adds per non-embedding parameter: Gemma 3 270M (Q4_K_M) read 957 tokens/s
  here and SmolLM2 (Q4_1, without llama.cpp's repacked kernels) 444, where
  ``prompt_speed`` says 805 and 760.
- Training a LoRA adapter does the forward pass and the backward pass through the frozen
  weights (about 4 multiply-adds per parameter and token; 6 when layers are recomputed);
  measured here at about half the matrix-multiply peak (SmolLM2 213 tokens/s, Gemma 141).
- On a CPU with native bf16 (AVX512-BF16 here), the frozen weights in bf16 with the LoRA
  weights in fp32 under bf16 autocast ran a LoRA step of SmolLM2 at 2.05x the fp32 speed
  in 0.6x its memory (500 vs 244 tokens/s, 1.6 vs 2.7 GB, 4 x 600 tokens); autocast over
  fp32 weights reached 1.9x but kept bf16 copies besides. Without native bf16 it is
  emulated and slower, so it is off there.
- Training memory on the CPU: fp32 weights, the activations kept for the backward pass
  (140 bytes per layer, token and hidden unit, measured on SmolLM2; a layer's input alone
  when recomputing), the loss's logits chunk, and 1.6 GB of runtime measured on both
  packaged models (torch, tokenizer, data, the verification pass).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

ACTIVATION_BYTES = 140  # per layer, token and hidden unit kept without recomputation
# The same under bf16 autocast on a CPU: 110, not 70 (norms, softmax and the residual stream
# stay fp32), and autocast's casts add to the runtime. Fitted on SmolLM2 at 605 tokens: the
# process peaked at 3,228 MB with every layer kept and 2,250 MB with every one recomputed.
ACTIVATION_BYTES_CPU_BF16 = 110
RUNTIME_CPU_BF16_EXTRA_MB = 130
RECOMPUTE_BYTES = 8  # per layer, token and hidden unit kept with it (each layer's input)
RUNTIME_MB = 1600
TOKEN_OVERHEAD_S = 0.0035  # per drafted token beyond reading the weights
PROMPT_EFFICIENCY = 0.75  # of the fp32 matmul peak; llama.cpp's int8 kernels reach ~0.9
CPU_TRAIN_EFFICIENCY = 0.5  # of the measured matmul peak, fitted on the packaged models
CPU_BF16_SPEEDUP = 1.6  # bf16 over fp32 where the CPU has it natively: 1.54-1.73 in whole runs here
GPU_TRAIN_EFFICIENCY = 0.3
MEMORY_HEADROOM = 0.85  # the share of free memory a run may plan to use
# The heap grows between two trims: a run planned to 3.06 GB peaked at 3.31 GB (bench_train,
# 20 steps, a 3 GB limit). A memory limit the user sets is planned with that much room, so
# that the process keeps to it.
HEAP_SLACK = 0.1
SEQ_FLOOR = 256  # below this most emails no longer fit an example


class WontFit(RuntimeError):
    """A training run this machine's memory cannot hold, with what would fit."""


@dataclass(frozen=True)
class ModelShape:
    parameters: int
    layers: int
    hidden_size: int
    vocab_size: int
    file_bytes: int

    @classmethod
    def from_gguf(cls, path) -> ModelShape:
        from pathlib import Path

        from trainer.engine.gguf_header import read_header

        header = read_header(Path(path))
        arch = header.fields.get("general.architecture", "")
        count = 0
        for tensor in header.tensors:
            elements = 1
            for dim in tensor.shape:
                elements *= int(dim)
            count += elements
        vocab = len(header.fields.get("tokenizer.ggml.tokens", []) or [])
        return cls(parameters=count,
                   layers=int(header.fields.get(f"{arch}.block_count", 0) or 0),
                   hidden_size=int(header.fields.get(f"{arch}.embedding_length", 0) or 0),
                   vocab_size=vocab, file_bytes=Path(path).stat().st_size)


@dataclass(frozen=True)
class TrainingPlan:
    device: str
    threads: int
    micro_batch_size: int
    seq_tokens: int
    checkpointing: bool
    four_bit: bool
    cpu_bf16: bool  # bf16 autocast over fp32 weights on the CPU
    memory_mb: int  # estimated peak
    budget_mb: int  # what the plan may use
    tokens_per_s: float  # estimated
    recomputed_layers: int = 0  # of the model's layers, from the first; 0 with none

    def to_json(self) -> dict:
        return asdict(self)


def drafting_speed(shape: ModelShape, hardware) -> float | None:
    """Estimated tokens/s decoding ``shape`` on this machine's CPU (None where nothing says)."""
    if not hardware.memory_bandwidth_gbs or not hardware.matmul_gflops:
        return None
    seconds = (TOKEN_OVERHEAD_S + shape.file_bytes / (hardware.memory_bandwidth_gbs * 1e9)
               + 2 * shape.parameters / (hardware.matmul_gflops * 1e9))
    return round(1 / seconds, 1)


def prompt_speed(shape: ModelShape, hardware) -> float | None:
    """Estimated tokens/s reading a prompt on the CPU."""
    if not hardware.matmul_gflops:
        return None
    work = 2 * max(shape.parameters - shape.vocab_size * shape.hidden_size,
                   shape.parameters // 4)
    return round(PROMPT_EFFICIENCY * hardware.matmul_gflops * 1e9 / work, 1)


def draft_seconds(shape: ModelShape, hardware, *, prompt_tokens: int = 800,
                  answer_tokens: int = 150) -> float | None:
    """Estimated seconds for one typical draft: the prompt with retrieved examples, then
    the email."""
    reading, writing = prompt_speed(shape, hardware), drafting_speed(shape, hardware)
    if not reading or not writing:
        return None
    return round(prompt_tokens / reading + answer_tokens / writing, 1)


def _recomputed(shape: ModelShape, checkpointing: bool, layers: int | None) -> int:
    if not checkpointing:
        return 0
    return shape.layers if layers is None else max(0, min(shape.layers, layers))


def training_speed(shape: ModelShape, hardware, *, device: str = "cpu",
                   checkpointing: bool = False, cpu_bf16: bool = False,
                   recomputed_layers: int | None = None) -> float | None:
    """``recomputed_layers``: how many layers are recomputed when ``checkpointing`` (None:
    all); each costs its forward pass again."""
    share = _recomputed(shape, checkpointing, recomputed_layers) / max(1, shape.layers)
    flops_per_token = (4 + 2 * share) * shape.parameters
    if device == "cpu":
        if not hardware.matmul_gflops:
            return None
        speed = CPU_TRAIN_EFFICIENCY * hardware.matmul_gflops * 1e9 / flops_per_token
        return round(speed * (CPU_BF16_SPEEDUP if cpu_bf16 else 1), 1)
    gpu = hardware.best_gpu
    if gpu is None:
        return None
    # A GPU's bf16 peak is not probed; 100 TFLOP/s stands for a current 24-80 GB card.
    return round(GPU_TRAIN_EFFICIENCY * 100e12 / flops_per_token, 1)


def training_memory_mb(shape: ModelShape, *, seq_tokens: int, micro_batch_size: int = 1,
                       checkpointing: bool = False, device: str = "cpu",
                       four_bit: bool = False, loss_chunk_tokens: int = 256,
                       cpu_bf16: bool = False, recomputed_layers: int | None = None) -> int:
    bytes_per_weight = 0.6 if four_bit else (2 if device == "cuda" or cpu_bf16 else 4)
    weights = shape.parameters * bytes_per_weight
    tokens = seq_tokens * micro_batch_size
    layer = shape.hidden_size * tokens  # one layer's hidden units over the sequence
    kept_bytes = ACTIVATION_BYTES_CPU_BF16 if cpu_bf16 and device == "cpu" else ACTIVATION_BYTES
    recomputed = _recomputed(shape, checkpointing, recomputed_layers)
    # Kept layers hold all they computed; recomputed ones their input, and one of them at a
    # time everything while the backward pass goes through it.
    activations = layer * ((shape.layers - recomputed) * kept_bytes
                           + recomputed * RECOMPUTE_BYTES + (kept_bytes if recomputed else 0))
    if device == "cuda":
        activations /= 2  # bf16
    logits = 3 * min(loss_chunk_tokens, tokens) * shape.vocab_size * 4
    runtime = RUNTIME_MB if device == "cpu" else 600  # the CUDA context and kernels
    if cpu_bf16 and device == "cpu":
        runtime += RUNTIME_CPU_BF16_EXTRA_MB
    return int((weights + activations + logits) / 2**20 + runtime)


def plan_training(shape: ModelShape, settings, hardware, *, longest_example: int,
                  device: str | None = None) -> TrainingPlan:
    """The fastest settings within ``settings`` that fit this machine, or ``WontFit``.

    ``settings.gradient_checkpointing`` "auto" recomputes layers only where keeping them
    would not fit; "on"/"off" are kept as asked. The micro-batch comes down to 1 before
    layers are recomputed. The sequence length is the run's longest example (already cut
    to ``settings.max_seq_tokens``), never cut further here: cutting would change the
    run's data, so that is offered in the message instead.
    """
    device = device or _device(settings, hardware)
    gpu = hardware.best_gpu if device == "cuda" else None
    if gpu is not None:
        free = gpu.memory_free_mb or gpu.memory_total_mb
    else:
        free = hardware.ram_available_mb
    budget = int(free * MEMORY_HEADROOM)
    limit = int(getattr(settings, "memory_limit_mb", 0) or 0)
    if limit > 0:
        budget = min(budget, limit)
    planned = int(limit * (1 - HEAP_SLACK)) if 0 < limit <= budget else budget
    seq = min(longest_example, settings.max_seq_tokens)
    choice = str(settings.gradient_checkpointing).lower()
    if choice == "auto":  # as few recomputed layers as fit: each costs speed
        recompute = sorted({0, *(-(-shape.layers * n // 10) for n in range(1, 11))})
    elif choice in ("on", "true"):
        asked = int(getattr(settings, "recompute_layers", 0) or 0)
        recompute = [min(asked, shape.layers) if asked > 0 else shape.layers]
    else:
        recompute = [0]
    four_bit = [bool(settings.load_in_4bit)] if device == "cuda" else [False]
    if device == "cuda" and not settings.load_in_4bit:
        four_bit.append(True)
    threads = (settings.threads or max(1, hardware.physical_cores - 1)) if device == "cpu" else 1
    micro_sizes = sorted({max(1, settings.micro_batch_size), 1}, reverse=True)
    cpu_bf16 = device == "cpu" and bool(settings.bf16) and hardware.cpu_bf16
    for quantized in four_bit:
        for layers in recompute:
            for micro in micro_sizes:
                memory = training_memory_mb(
                    shape, seq_tokens=seq, micro_batch_size=micro, checkpointing=layers > 0,
                    device=device, four_bit=quantized, cpu_bf16=cpu_bf16,
                    loss_chunk_tokens=settings.loss_chunk_tokens, recomputed_layers=layers)
                if memory <= planned:
                    speed = training_speed(shape, hardware, device=device,
                                           checkpointing=layers > 0, cpu_bf16=cpu_bf16,
                                           recomputed_layers=layers)
                    return TrainingPlan(device, threads, micro, seq, layers > 0, quantized,
                                        cpu_bf16, memory, budget, speed or 0.0, layers)
    raise WontFit(_wont_fit_message(shape, settings, hardware, device, seq, budget, free,
                                    planned))


def _device(settings, hardware) -> str:
    usable = any(gpu.torch_usable and gpu.backend == "cuda" for gpu in hardware.gpus)
    return "cuda" if settings.device in ("auto", "cuda") and usable else "cpu"


def _wont_fit_message(shape: ModelShape, settings, hardware, device: str, seq: int,
                      budget: int, free: int, planned: int) -> str:
    where = "GPU memory" if device == "cuda" else "memory"
    least = training_memory_mb(shape, seq_tokens=seq, checkpointing=True, device=device,
                               four_bit=device == "cuda",
                               loss_chunk_tokens=settings.loss_chunk_tokens)
    text = (f"training this {shape.parameters / 1e9:.1f}B-parameter model needs about "
            f"{least / 1024:.1f} GB of {where} even with layers recomputed, at its longest "
            f"example of {seq} tokens; {free / 1024:.1f} GB is free "
            f"(a run plans within {budget / 1024:.1f} GB"
            + (", the memory limit set for training" if budget < int(free * MEMORY_HEADROOM)
               else "") + ").")
    nearest = _nearest_seq(shape, settings, device, planned, seq)
    if nearest:
        text += (f" Nearest setting that fits: --max-seq-tokens {nearest} with "
                 "--gradient-checkpointing on (longer emails are left out of training).")
    else:
        text += " Choose a smaller model (amanuensis doctor lists what fits)"
        text += ", or train on a GPU." if device == "cpu" else "."
    if budget < int(free * MEMORY_HEADROOM):
        text += (f" Or allow training more than {budget} MB (--memory-limit, or "
                 "memory_limit_mb in [training]).")
    return text


def _nearest_seq(shape, settings, device, budget, seq) -> int | None:
    length = seq
    while length > SEQ_FLOOR:
        length = max(SEQ_FLOOR, (length * 3 // 4) // 32 * 32)
        memory = training_memory_mb(shape, seq_tokens=length, checkpointing=True, device=device,
                                    four_bit=device == "cuda",
                                    loss_chunk_tokens=settings.loss_chunk_tokens)
        if memory <= budget:
            return length
    return None


def with_plan(settings, plan: TrainingPlan):
    """``settings`` as the recipe should run them under ``plan``."""
    return replace(settings, micro_batch_size=plan.micro_batch_size, threads=plan.threads,
                   gradient_checkpointing="on" if plan.checkpointing else "off",
                   recompute_layers=plan.recomputed_layers,
                   load_in_4bit=plan.four_bit, device=plan.device)
