"""The LoRA recipe: setup, train, save_checkpoint, evaluate, export.

Everything a resumed run needs lives in one checkpoint file next to the weights: the adapter,
the optimiser and scheduler, every random generator and the position in the data. A run
stopped at any step boundary (SIGTERM, a time budget, a cancel token) continues from there and
produces the same loss curve as a run that was never stopped.
"""

from __future__ import annotations

import json
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from store.jobs import CancelToken
from trainer.batches import Encoded, collate, epoch_order
from trainer.config import TrainSettings, target_modules_for
from trainer.engine.models import ModelInfo
from trainer.loss import answer_loss


@dataclass
class RecipeOutcome:
    status: str  # finished, stopped_early, paused
    step: int
    total_steps: int
    train_loss: float | None = None
    eval_loss: float | None = None
    best_eval_loss: float | None = None
    tokens_per_s: float = 0.0
    peak_rss_mb: float = 0.0
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)


def _return_freed_memory() -> None:
    """Hand freed heap memory back to the system (glibc)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc():
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _libc()


def _recompute_only(model, layers: int) -> None:
    """Recompute the first ``layers`` decoder layers only (0: all of them): the rest keep
    what they computed, which is faster where memory allows."""
    from transformers.modeling_layers import GradientCheckpointingLayer

    decoder_layers = [m for m in model.modules() if isinstance(m, GradientCheckpointingLayer)]
    if layers <= 0 or layers >= len(decoder_layers):
        return
    for layer in decoder_layers[layers:]:
        layer.gradient_checkpointing = False


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _schedule(warmup: int, total: int) -> Callable[[int], float]:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        progress = (step - warmup) / max(1, total - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * min(1.0, progress)))
    return factor


class LoraRecipe:
    def __init__(self, settings: TrainSettings, info: ModelInfo, run_dir: Path,
                 train: list[Encoded], held_out: list[Encoded], *,
                 log: Callable[[dict], None] | None = None, cancel: CancelToken | None = None):
        self.settings = settings
        self.info = info
        self.run_dir = Path(run_dir)
        self.train_items = train
        self.held_out = held_out
        self.log = log or (lambda record: None)
        self.cancel = cancel or CancelToken()
        self.stop_requested = False  # set by a signal handler
        self.checkpoint_file = self.run_dir / "checkpoint.pt"
        self.metrics_file = self.run_dir / "metrics.jsonl"

    # --- setup ----------------------------------------------------------------------------
    def setup(self, home: Path | None = None) -> None:
        from peft import LoraConfig, get_peft_model

        from trainer.base import load_base

        s = self.settings = self._planned(self.settings, home)
        self.device = torch.device(s.device)
        if self.device.type == "cpu":
            torch.set_num_threads(s.cpu_threads())
        # bf16 weights on CUDA, and on a CPU with native bf16 (the LoRA weights stay fp32:
        # PEFT keeps adapters in fp32, and _loss runs under autocast to mix the two).
        bf16 = (self.device.type == "cuda" and s.bf16) or self.plan.cpu_bf16
        dtype = torch.bfloat16 if bf16 else torch.float32
        random.seed(s.seed)
        np.random.seed(s.seed)
        torch.manual_seed(s.seed)
        four_bit = s.load_in_4bit and self.device.type == "cuda"
        base, self.tokenizer = load_base(self.info, home, dtype=dtype, four_bit=four_bit)
        base.config.use_cache = False
        if s.gradient_checkpointing == "on":
            if hasattr(base, "activation_checkpointing_enable"):  # the transformers 5 name
                base.activation_checkpointing_enable(
                    activation_checkpointing_kwargs={"use_reentrant": False})
            else:
                base.gradient_checkpointing_enable(
                    gradient_checkpointing_kwargs={"use_reentrant": False})
            _recompute_only(base, s.recompute_layers)
        config = LoraConfig(r=s.rank, lora_alpha=s.alpha, lora_dropout=s.dropout,
                            target_modules=target_modules_for(base, list(s.target_modules)),
                            bias="none", task_type="CAUSAL_LM")
        self.model = get_peft_model(base, config)
        if not four_bit:  # a 4-bit model is placed on the GPU as it loads
            self.model = self.model.to(self.device)
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(trainable, lr=s.learning_rate,
                                           weight_decay=s.weight_decay)
        self.batches_per_epoch = len(epoch_order(self.train_items, s.batch_size, s.seed, 0))
        steps = s.epochs * self.batches_per_epoch
        self.total_steps = min(steps, s.max_steps) if s.max_steps else steps
        # A short run must not spend most of its steps warming up.
        warmup = min(s.warmup_steps, max(1, self.total_steps // 10))
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, _schedule(warmup, self.total_steps))
        self.step = self.epoch = self.batch_index = 0
        self.best_eval: float | None = None
        self.best_adapter: dict | None = None
        self.bad_evals = 0
        self.last_eval: float | None = None
        self.train_seconds = 0.0
        self.tokens_seen = 0
        if self.checkpoint_file.exists():
            self._load_checkpoint()
        # Loading (dequantizing, converting) peaks above what the steps hold; both are kept
        # apart so a memory limit is judged on the steps.
        self.loaded_rss_mb = _rss_mb()
        self.loaded_peak_rss_mb = peak_rss_mb()
        self.steps_peak_rss_mb = 0.0

    def _planned(self, settings: TrainSettings, home: Path | None) -> TrainSettings:
        """The settings this machine can run: device, threads, micro-batch, recomputation
        and 4-bit loading picked from the hardware and the model's size (trainer.sizing),
        or ``WontFit`` before a weight is loaded."""
        from trainer.hardware import probe
        from trainer.sizing import ModelShape, plan_training, with_plan

        if settings.device == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("device 'cuda' was asked for, but torch sees no CUDA GPU")
        hardware = probe(home or self.run_dir, measure=False)
        longest = max((len(item.input_ids) for item in self.train_items), default=1)
        self.plan = plan_training(ModelShape.from_gguf(self.info.path), settings, hardware,
                                  longest_example=longest)
        return with_plan(settings, self.plan)

    # --- one step -------------------------------------------------------------------------
    def _loss(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int]:
        causal = self.model.get_base_model()
        # On a CPU with native bf16 (the plan) the base is bf16 and the LoRA weights fp32:
        # autocast runs every matrix multiply of the two in bf16.
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.plan.cpu_bf16):
            hidden = causal.get_decoder()(
                input_ids=batch["input_ids"].to(self.device),
                attention_mask=batch["attention_mask"].to(self.device))[0]
            head = causal.get_output_embeddings().weight
            softcap = getattr(causal.config, "final_logit_softcapping", None)
            return answer_loss(hidden, batch["labels"].to(self.device), head,
                               chunk=self.settings.loss_chunk_tokens, softcap=softcap)

    def _next_batches(self) -> list[list[int]]:
        """The next step's examples as micro-batches, advancing the data position."""
        s = self.settings
        order = epoch_order(self.train_items, s.batch_size, s.seed, self.epoch)
        if self.batch_index >= len(order):
            self.epoch += 1
            self.batch_index = 0
            order = epoch_order(self.train_items, s.batch_size, s.seed, self.epoch)
        batch = order[self.batch_index]
        self.batch_index += 1
        size = max(1, s.micro_batch_size)
        return [batch[i:i + size] for i in range(0, len(batch), size)]

    def _train_step(self) -> dict:
        started = time.perf_counter()
        self.model.train()
        micro = [[self.train_items[i] for i in indices] for indices in self._next_batches()]
        answer_tokens = sum(item.answer_tokens for items in micro for item in items)
        pad = self.tokenizer.pad_token_id
        total_loss = 0.0
        for items in micro:
            loss, count = self._loss(collate(items, pad))
            # Weight by answer tokens so every token of the step counts the same.
            (loss * count / max(1, answer_tokens)).backward()
            total_loss += loss.item() * count
        torch.nn.utils.clip_grad_norm_(
            [p for p in self.model.parameters() if p.requires_grad], 1.0)
        lr = self.scheduler.get_last_lr()[0]
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.steps_peak_rss_mb = max(self.steps_peak_rss_mb, _rss_mb())  # before any trim
        self._keep_to_plan()
        self.step += 1
        seconds = time.perf_counter() - started
        tokens = sum(len(item.input_ids) for items in micro for item in items)
        self.tokens_seen += tokens
        self.train_seconds += seconds
        return {"step": self.step, "epoch": round(self.epoch + self.batch_index
                                                  / max(1, self.batches_per_epoch), 3),
                "loss": round(total_loss / max(1, answer_tokens), 5), "lr": lr,
                "tokens": tokens, "tokens_per_s": round(tokens / seconds, 1),
                "step_s": round(seconds, 3)}

    def _keep_to_plan(self) -> None:
        """Examples of every length leave glibc's heap fragmented: the default model's
        process grew from 2.7 to 4.1 GB in 20 steps while holding no more data. Trimming
        after every step kept it at 2.5 GB but cost 18% of the speed (page faults), so the
        heap is trimmed only once the process outgrows the plan's estimate."""
        if _rss_mb() > min(self.plan.memory_mb + 512, self.plan.budget_mb):
            _return_freed_memory()

    # --- the loop -------------------------------------------------------------------------
    def train(self, deadline: float | None = None) -> RecipeOutcome:
        s = self.settings
        last_loss = None
        step_times: list[float] = []
        status = "finished"
        if self.step == 0 and self.held_out and s.eval_at_start:
            # Where the held-out loss starts, so the curve shows what training changed.
            record = {"step": 0, **self._evaluate_and_track(), "time": time.time()}
            self._append_metrics(record)
            self.log(record)
        while self.step < self.total_steps:
            average = sum(step_times[-10:]) / len(step_times[-10:]) if step_times else 0.0
            if self._discarded():
                # Forgotten mail was in this run's data: stop here, keep nothing of it.
                status = "discarded"
                break
            if self.stop_requested or self.cancel.cancelled or (
                    deadline is not None and time.time() + average > deadline):
                status = "paused"
                break
            record = self._train_step()
            step_times.append(record["step_s"])
            last_loss = record["loss"]
            if self.held_out and (self.step % s.eval_every == 0 or self.step == self.total_steps):
                record.update(self._evaluate_and_track())
            record["time"] = time.time()
            self._append_metrics(record)
            self.log(record)
            if self.bad_evals >= s.patience:
                status = "stopped_early"
                break
            if self.step % s.checkpoint_every == 0 and not self._discarded():
                self.save_checkpoint()
        if status == "paused":
            self.save_checkpoint()
        elif status == "discarded":
            self.checkpoint_file.unlink(missing_ok=True)
        return RecipeOutcome(status, self.step, self.total_steps, last_loss,
                             self.last_eval, self.best_eval,
                             round(self.tokens_seen / max(1e-9, self.train_seconds), 1),
                             round(peak_rss_mb(), 1), round(self.train_seconds, 1),
                             extra={"plan": self.plan.to_json(),
                                    "loaded_rss_mb": round(self.loaded_rss_mb, 1),
                                    "loaded_peak_rss_mb": round(self.loaded_peak_rss_mb, 1),
                                    "steps_peak_rss_mb": round(self.steps_peak_rss_mb, 1)})

    def _discarded(self) -> bool:
        """Whether the owner discarded this run while it trains (the user forgot mail it
        was prepared from): it says so in the run's state file."""
        path = self.run_dir / "state.json"
        try:
            return json.loads(path.read_text()).get("status") == "discarded"
        except (OSError, ValueError):
            return False

    def _evaluate_and_track(self) -> dict:
        self.last_eval = self.evaluate()
        s = self.settings
        if self.best_eval is None or self.last_eval < self.best_eval - s.min_improvement:
            self.best_eval = self.last_eval
            self.best_adapter = self._adapter_state()
            self.bad_evals = 0
        else:
            self.bad_evals += 1
        return {"eval_loss": round(self.last_eval, 5), "best_eval_loss": round(self.best_eval, 5)}

    @torch.no_grad()
    def evaluate(self, items: list[Encoded] | None = None) -> float:
        """Mean answer-token loss on the held-out pairs."""
        self.model.eval()
        items = self.held_out if items is None else items
        total, count = 0.0, 0
        size = max(1, self.settings.micro_batch_size)
        ordered = sorted(items, key=lambda item: len(item.input_ids))
        for start in range(0, len(ordered), size):
            loss, n = self._loss(collate(ordered[start:start + size], self.tokenizer.pad_token_id))
            total += loss.item() * n
            count += n
        return total / max(1, count)

    # --- state ----------------------------------------------------------------------------
    def _adapter_state(self) -> dict:
        from peft import get_peft_model_state_dict

        return {k: v.detach().to("cpu").clone()
                for k, v in get_peft_model_state_dict(self.model).items()}

    def restore_best(self) -> None:
        """Keep the adapter with the lowest held-out loss, not merely the last one."""
        from peft import set_peft_model_state_dict

        if self.best_adapter is not None:
            set_peft_model_state_dict(self.model, self.best_adapter)

    def save_checkpoint(self) -> None:
        state = {
            "step": self.step, "epoch": self.epoch, "batch_index": self.batch_index,
            "adapter": self._adapter_state(), "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "rng": {"torch": torch.get_rng_state(), "python": random.getstate(),
                    "numpy": np.random.get_state(),
                    "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None},
            "best_eval": self.best_eval, "best_adapter": self.best_adapter,
            "bad_evals": self.bad_evals, "last_eval": self.last_eval,
            "train_seconds": self.train_seconds, "tokens_seen": self.tokens_seen,
        }
        partial = self.checkpoint_file.with_suffix(".partial")
        torch.save(state, partial)
        partial.replace(self.checkpoint_file)

    def _load_checkpoint(self) -> None:
        from peft import set_peft_model_state_dict

        state = torch.load(self.checkpoint_file, weights_only=False)
        set_peft_model_state_dict(self.model, state["adapter"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["rng"]["torch"])
        random.setstate(state["rng"]["python"])
        np.random.set_state(state["rng"]["numpy"])
        if state["rng"]["cuda"] is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["rng"]["cuda"])
        self.step, self.epoch = state["step"], state["epoch"]
        self.batch_index = state["batch_index"]
        self.best_eval, self.best_adapter = state["best_eval"], state["best_adapter"]
        self.bad_evals, self.last_eval = state["bad_evals"], state["last_eval"]
        self.train_seconds, self.tokens_seen = state["train_seconds"], state["tokens_seen"]
        self._truncate_metrics(self.step)

    def _truncate_metrics(self, step: int) -> None:
        """Drop metric lines written after the checkpoint: those steps will run again."""
        if not self.metrics_file.exists():
            return
        kept = [line for line in self.metrics_file.read_text().splitlines()
                if line.strip() and json.loads(line).get("step", 0) <= step]
        self.metrics_file.write_text("".join(line + "\n" for line in kept))

    def _append_metrics(self, record: dict) -> None:
        with self.metrics_file.open("a") as out:
            out.write(json.dumps(record) + "\n")

    # --- export ---------------------------------------------------------------------------
    def export(self, texts: list[str]) -> tuple[Path, dict]:
        """The PEFT adapter, the llama.cpp GGUF adapter, and how well the two agree."""
        from trainer.export import export_adapter
        from trainer.verify import verify_adapter

        self.restore_best()
        self.model.eval()
        self.model.save_pretrained(self.run_dir / "peft")
        gguf_path = export_adapter(self.model, self.info, self.run_dir / "adapter.gguf")
        verification = verify_adapter(self.model, self.tokenizer, self.info, gguf_path, texts) \
            if texts else {}
        return gguf_path, verification
