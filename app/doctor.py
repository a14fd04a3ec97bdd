"""The hardware check and what it means for models: ``amanuensis doctor`` and the first
screen of the model manager.

Each catalogued model gets an estimate for drafting (tokens/s, whether it fits in memory)
and for overnight training on the CPU and, where torch sees one, the GPU (the plan the
trainer would pick, its memory and hours per epoch of the user's own mail). The
recommendation is the largest model that drafts at reading speed and the largest that
trains an epoch within a night.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from store.settings import data_home
from trainer.config import TrainSettings
from trainer.engine.curated import load_curated
from trainer.engine.models import ModelCatalogue, ModelError
from trainer.hardware import Hardware, probe
from trainer.sizing import WontFit, draft_seconds, drafting_speed, plan_training

READING_SPEED = 8.0  # tokens/s: a draft streams faster than it is read
DRAFT_SECONDS = 20.0  # a whole typical draft (800-token prompt, 150-token email)
NIGHT_HOURS = 8.0
EXAMPLE_TOKENS = 350  # an email with its request and prompt, as playback builds them
ASSUMED_EMAILS = 500  # before any mail is imported
DRAFT_MEMORY_MB = 600  # context, the embedder and the app beside the model file


def doctor_report(home: Path | None = None, *, measure: bool = True,
                  catalogue: Path | None = None) -> dict:
    home = Path(home or data_home())
    hardware = probe(home, measure=measure)
    emails = own_email_count(home)
    tokens_per_epoch = (emails or ASSUMED_EMAILS) * EXAMPLE_TOKENS
    models = [_assess(model, hardware, tokens_per_epoch) for model in load_curated(catalogue)]
    return {
        "hardware": hardware.to_json(),
        "installed_models": _installed(home),
        "own_emails": emails,
        "tokens_per_epoch": tokens_per_epoch,
        "catalogue": models,
        "recommendation": _recommend(models),
    }


def own_email_count(home: Path) -> int | None:
    """The user's own emails in the catalogue (read-only), or None before any import."""
    path = home / "catalogue.sqlite3"
    if not path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT count(*) FROM messages WHERE is_own").fetchone()[0]
    except sqlite3.Error:
        return None


def _installed(home: Path) -> list[dict]:
    catalogue = ModelCatalogue(home)
    rows = []
    for name in catalogue.names():
        try:
            info = catalogue.info(name)
            rows.append({"name": name, "architecture": info.architecture,
                         "size_bytes": info.size_bytes, "path": info.path,
                         "default": name == catalogue.default_name()})
        except ModelError as exc:
            rows.append({"name": name, "error": str(exc)})
    return rows


def _assess(model, hardware: Hardware, tokens_per_epoch: int) -> dict:
    shape = model.shape()
    needs_mb = shape.file_bytes // 2**20 + DRAFT_MEMORY_MB
    row = {"name": model.name, "display_name": model.display_name,
           "architecture": model.architecture, "parameters_b": model.parameters_b,
           "size_bytes": model.size_bytes, "license": model.license,
           "drafting": {"fits": needs_mb <= hardware.ram_available_mb, "memory_mb": needs_mb,
                        "tokens_per_s": drafting_speed(shape, hardware),
                        "draft_seconds": draft_seconds(shape, hardware)}}
    gpu = hardware.best_gpu
    if gpu and hardware.llama_cpp_gpu_offload and shape.file_bytes // 2**20 < gpu.memory_total_mb:
        row["drafting"]["gpu"] = gpu.name
    # The catalogue says where training is offered at all (an architecture whose adapter
    # export is unproven drafts only); the plan says whether it fits this machine.
    offered = bool({"cpu_training", "gpu_training"} & set(model.fits))
    refused = {"fits": False, "why": f"training is not offered for {model.architecture} "
                                     "models yet"}
    row["cpu_training"] = _training(shape, hardware, "cpu", tokens_per_epoch) if offered \
        else refused
    if any(g.torch_usable and g.backend == "cuda" for g in hardware.gpus):
        row["gpu_training"] = _training(shape, hardware, "cuda", tokens_per_epoch) \
            if offered else refused
    return row


def _training(shape, hardware: Hardware, device: str, tokens_per_epoch: int) -> dict:
    settings = TrainSettings(device=device)
    try:
        plan = plan_training(shape, settings, hardware, longest_example=settings.max_seq_tokens,
                             device=device)
    except WontFit as exc:
        return {"fits": False, "why": str(exc)}
    hours = tokens_per_epoch / plan.tokens_per_s / 3600 if plan.tokens_per_s else None
    return {"fits": True, "memory_mb": plan.memory_mb, "tokens_per_s": plan.tokens_per_s,
            "checkpointing": plan.checkpointing, "four_bit": plan.four_bit,
            "hours_per_epoch": round(hours, 1) if hours is not None else None}


def _recommend(models: list[dict]) -> dict:
    def size(row):
        return row["parameters_b"]

    drafting = [row for row in models if row["drafting"]["fits"] and (
        row["drafting"].get("gpu") or (
            (row["drafting"]["tokens_per_s"] or 0) >= READING_SPEED
            and (row["drafting"]["draft_seconds"] or 1e9) <= DRAFT_SECONDS))]
    overnight = [row for row in models for device in ("gpu_training", "cpu_training")
                 if row.get(device, {}).get("fits")
                 and (row[device].get("hours_per_epoch") or 99) <= NIGHT_HOURS]
    best_draft = max(drafting, key=size, default=None)
    best_train = max(overnight, key=size, default=None)
    return {"drafting": best_draft["name"] if best_draft else None,
            "training": best_train["name"] if best_train else None,
            "reading_speed_tokens_per_s": READING_SPEED, "draft_seconds": DRAFT_SECONDS,
            "night_hours": NIGHT_HOURS}


def format_report(report: dict) -> str:
    hw = report["hardware"]
    lines = [
        f"System        {hw['system']}",
        f"CPU           {hw['cpu_model']}, {hw['physical_cores']} cores "
        f"({hw['logical_cores']} threads); {', '.join(hw['cpu_features']) or 'no SIMD flags read'}",
        f"Memory        {hw['ram_total_mb'] / 1024:.1f} GB, {hw['ram_available_mb'] / 1024:.1f} GB "
        f"free; {_measured(hw)}",
        f"Disk          {hw['disk_free_mb'] / 1024:.1f} GB free in {hw['data_home']}",
    ]
    gpus = hw["gpus"]
    lines.append("GPU           " + ("; ".join(
        f"{g['name']} ({g['backend']}, {g['memory_total_mb'] / 1024:.0f} GB"
        f"{', torch can train on it' if g['torch_usable'] else ', torch cannot use it'})"
        for g in gpus) if gpus else "none found"))
    lines.append(f"llama.cpp     {hw['llama_cpp_version'] or 'not installed'}; GPU offload "
                 f"{'yes' if hw['llama_cpp_gpu_offload'] else 'no (CPU build)'}; "
                 f"{' '.join(hw['llama_cpp_flags'])}")
    lines.append(f"torch         {hw['torch_version'] or 'not installed'}")
    lines.append("Models        " + (", ".join(
        f"{m['name']}{' (default)' if m.get('default') else ''}"
        for m in report["installed_models"]) or "none"))
    emails = report["own_emails"]
    lines.append(f"Your mail     {emails} own emails" if emails is not None else
                 f"Your mail     none imported yet; estimates assume {ASSUMED_EMAILS} emails")
    lines.append("")
    lines.append("Catalogue (estimates for this machine)     drafting                  "
                 "training on CPU            on GPU")
    for row in report["catalogue"]:
        lines.append(f"  {row['name']:<24} {row['parameters_b']:>4.1f}B  "
                     f"{_draft_cell(row['drafting']):<25} {_train_cell(row['cpu_training']):<26} "
                     f"{_train_cell(row['gpu_training']) if 'gpu_training' in row else '-'}")
    rec = report["recommendation"]
    lines.append("")
    lines.append(f"For drafting   {rec['drafting'] or 'none of the catalogue fast enough'}"
                 f" (the largest with a draft within {rec['draft_seconds']:.0f} s at "
                 f"{rec['reading_speed_tokens_per_s']:.0f}+ tokens/s)")
    lines.append(f"For training   {rec['training'] or 'none of the catalogue in a night'}"
                 f" (the largest with an epoch of your mail within {rec['night_hours']:.0f} h)")
    lines.append("Download one with: amanuensis models download NAME")
    return "\n".join(lines)


def _measured(hw: dict) -> str:
    if hw.get("memory_bandwidth_gbs") is None:
        return "speed not measured"
    return (f"measured {hw['memory_bandwidth_gbs']:.0f} GB/s copy, "
            f"{hw['matmul_gflops'] or 0:.0f} GFLOP/s fp32 matmul")


def _draft_cell(cell: dict) -> str:
    if not cell["fits"]:
        return f"no ({cell['memory_mb'] / 1024:.1f} GB)"
    if cell.get("gpu"):
        return "yes, on the GPU"
    speed, seconds = cell["tokens_per_s"], cell.get("draft_seconds")
    if not speed:
        return "yes"
    return f"~{speed:.0f} tok/s, {seconds:.0f} s/draft" if seconds else f"~{speed:.0f} tok/s"


def _train_cell(cell: dict) -> str:
    if not cell["fits"]:
        return "not offered" if "not offered" in cell.get("why", "") else "does not fit"
    hours = cell.get("hours_per_epoch")
    mode = ", 4-bit" if cell.get("four_bit") else ", recomputed" if cell.get("checkpointing") \
        else ""
    return (f"{hours:.1f} h/epoch, {cell['memory_mb'] / 1024:.1f} GB{mode}" if hours is not None
            else f"fits, {cell['memory_mb'] / 1024:.1f} GB{mode}")
