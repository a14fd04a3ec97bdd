"""What this machine has: CPU and its instruction sets, memory, GPUs, disk, the llama.cpp build.

Every probe answers from the operating system or the installed libraries; nothing leaves
the machine. A probe that cannot tell leaves its field empty rather than guess. Two small
measurements (memory bandwidth and matrix-multiply speed) take about a second and are what
the speed estimates in ``trainer.sizing`` scale from.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

# The CPU features llama.cpp and torch's CPU kernels make use of, as /proc/cpuinfo names them.
_CPU_FEATURES = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512_vnni",
                 "avx512_bf16", "amx_bf16", "amx_int8", "asimd", "sve", "i8mm", "bf16")


@dataclass
class Gpu:
    name: str
    backend: str  # "cuda" or "metal"
    memory_total_mb: int
    memory_free_mb: int | None = None
    torch_usable: bool = False  # the installed torch can train on it


@dataclass
class Hardware:
    system: str
    cpu_model: str
    physical_cores: int
    logical_cores: int
    cpu_features: list[str]
    ram_total_mb: int
    ram_available_mb: int
    data_home: str
    disk_free_mb: int
    gpus: list[Gpu] = field(default_factory=list)
    llama_cpp_version: str = ""
    llama_cpp_gpu_offload: bool = False
    llama_cpp_flags: list[str] = field(default_factory=list)
    torch_version: str = ""
    memory_bandwidth_gbs: float | None = None
    matmul_gflops: float | None = None

    @property
    def cpu_bf16(self) -> bool:
        return any(flag in self.cpu_features for flag in ("avx512_bf16", "amx_bf16", "bf16"))

    @property
    def best_gpu(self) -> Gpu | None:
        return max(self.gpus, key=lambda gpu: gpu.memory_total_mb, default=None)

    def to_json(self) -> dict:
        data = asdict(self)
        data["cpu_bf16"] = self.cpu_bf16
        return data


def probe(home: Path, *, measure: bool = True, with_torch: bool = True) -> Hardware:
    import psutil

    memory = psutil.virtual_memory()
    home = Path(home)
    existing = next((p for p in (home, *home.parents) if p.exists()), Path.cwd())
    hardware = Hardware(
        system=f"{platform.system()} {platform.release()} ({platform.machine()})",
        cpu_model=_cpu_model(),
        physical_cores=psutil.cpu_count(logical=False) or os.cpu_count() or 1,
        logical_cores=psutil.cpu_count(logical=True) or os.cpu_count() or 1,
        cpu_features=_cpu_features(),
        ram_total_mb=memory.total // 2**20,
        ram_available_mb=memory.available // 2**20,
        data_home=str(home),
        disk_free_mb=shutil.disk_usage(existing).free // 2**20,
        gpus=gpu_list(memory.total),
    )
    _llama_cpp(hardware)
    if with_torch:
        _torch(hardware)
    if measure:
        hardware.memory_bandwidth_gbs = measure_bandwidth()
        hardware.matmul_gflops = measure_matmul(hardware.physical_cores)
    return hardware


def _cpu_model() -> str:
    if sys.platform.startswith("linux"):
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith(("model name", "Hardware", "Model")):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
    if sys.platform == "darwin":
        return _run(["sysctl", "-n", "machdep.cpu.brand_string"]) or platform.processor()
    return platform.processor() or platform.machine()


def _cpu_features() -> list[str]:
    if sys.platform.startswith("linux"):
        try:
            text = Path("/proc/cpuinfo").read_text()
        except OSError:
            return []
        for line in text.splitlines():
            if line.startswith(("flags", "Features")):
                present = set(line.split(":", 1)[1].split())
                return [flag for flag in _CPU_FEATURES if flag in present]
    if sys.platform == "darwin" and platform.machine() == "arm64":
        return ["asimd"]
    return []


def gpu_list(ram_bytes: int | None = None) -> list[Gpu]:
    """GPUs the drivers report (nvidia-smi; Apple silicon), without importing torch."""
    if ram_bytes is None:
        import psutil

        ram_bytes = psutil.virtual_memory().total
    return _nvidia_gpus() + _metal_gpus(ram_bytes)


def gpu_layers_for(file_bytes: int, block_count: int) -> int:
    """How many of a model's layers llama.cpp should put on the GPU: all (-1) where the
    file fits the free GPU memory with room for its context, a share where it does not,
    none in a CPU-only llama.cpp build."""
    try:
        import llama_cpp
    except ImportError:
        return 0
    if not llama_cpp.llama_supports_gpu_offload():
        return 0
    gpus = gpu_list()
    if not gpus:
        return -1  # a GPU build on a device nvidia-smi does not list (ROCm, Vulkan)
    best = max(gpus, key=lambda gpu: gpu.memory_free_mb or gpu.memory_total_mb)
    free_mb = (best.memory_free_mb or best.memory_total_mb) - 600  # context and buffers
    file_mb = file_bytes / 2**20
    if file_mb <= free_mb:
        return -1
    return max(0, int(block_count * free_mb / file_mb))


def _nvidia_gpus() -> list[Gpu]:
    output = _run(["nvidia-smi", "--query-gpu=name,memory.total,memory.free",
                   "--format=csv,noheader,nounits"])
    gpus = []
    for line in (output or "").splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) == 3 and parts[1].isdigit():
            gpus.append(Gpu(parts[0], "cuda", int(parts[1]),
                            int(parts[2]) if parts[2].isdigit() else None))
    return gpus


def _metal_gpus(ram_bytes: int) -> list[Gpu]:
    """Apple silicon shares its memory with the GPU; Metal may use about three quarters."""
    if sys.platform != "darwin" or platform.machine() != "arm64":
        return []
    return [Gpu("Apple silicon GPU", "metal", int(ram_bytes * 0.75) // 2**20)]


def _llama_cpp(hardware: Hardware) -> None:
    try:
        import llama_cpp
    except ImportError:
        return
    hardware.llama_cpp_version = getattr(llama_cpp, "__version__", "")
    hardware.llama_cpp_gpu_offload = bool(llama_cpp.llama_supports_gpu_offload())
    info = llama_cpp.llama_print_system_info().decode(errors="replace")
    hardware.llama_cpp_flags = [part.split("=")[0].split(":")[-1].strip() for part in info.split("|")
                                if part.strip().endswith("= 1")]


def _torch(hardware: Hardware) -> None:
    try:
        import torch
    except ImportError:
        return
    hardware.torch_version = torch.__version__
    if not torch.cuda.is_available():
        return
    for index in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(index)
        known = next((gpu for gpu in hardware.gpus if gpu.name == props.name), None)
        if known is None:
            known = Gpu(props.name, "cuda", props.total_memory // 2**20)
            hardware.gpus.append(known)
        known.torch_usable = True
    if sys.platform == "darwin" and torch.backends.mps.is_available():
        for gpu in hardware.gpus:
            gpu.torch_usable = gpu.backend == "metal"


def measure_bandwidth(megabytes: int = 256, repeats: int = 3) -> float:
    """GB/s of a large array copy (read plus write): what token-by-token drafting waits on."""
    import numpy as np

    source = np.ones(megabytes * 2**20 // 8, dtype=np.float64)
    target = np.empty_like(source)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        np.copyto(target, source)
        best = min(best, time.perf_counter() - started)
    return round(2 * source.nbytes / best / 1e9, 1)


def measure_matmul(threads: int, size: int = 1024, repeats: int = 3) -> float | None:
    """fp32 GFLOP/s of torch's CPU matrix multiply on ``threads`` threads: what training waits on."""
    try:
        import torch
    except ImportError:
        return None
    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, threads))
    try:
        a, b = torch.randn(size, size), torch.randn(size, size)
        torch.mm(a, b)
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            torch.mm(a, b)
            best = min(best, time.perf_counter() - started)
    finally:
        torch.set_num_threads(previous)
    return round(2 * size**3 / best / 1e9, 1)


def _run(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
