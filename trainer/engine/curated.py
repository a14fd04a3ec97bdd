"""The curated catalogue: instruct models we offer to download, kept as data in ``resources/``.

Each entry pins a GGUF file to a repository revision, with its size and SHA-256 where its
source publishes them, its licence, chat format and size class. An entry without a
confirmed hash says so; the downloader then takes the hash the hub reports for that
revision and records it. ``fits`` says what the model is meant for on typical machines
(drafting, CPU training, GPU training); ``amanuensis doctor`` says what fits this one.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from trainer.engine.models import ModelError

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "resources" / "models" / "catalogue.json"
USES = ("drafting", "cpu_training", "gpu_training")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_COMMIT = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class CuratedModel:
    name: str
    display_name: str
    architecture: str
    parameters_b: float
    quantization: str
    repo: str
    file: str
    license: str
    chat_format: str
    context_length: int
    revision: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    provenance: str = ""
    hf_weights: str | None = None
    license_url: str = ""
    local_use: str = ""
    gated: bool | None = None
    notes: str = ""
    fits: tuple[str, ...] = ()
    layers: int | None = None
    hidden_size: int | None = None
    vocab_size: int | None = None

    @property
    def hash_confirmed(self) -> bool:
        return self.sha256 is not None

    def shape(self):
        """The model's size for ``trainer.sizing``: from the entry's architecture numbers."""
        from trainer.sizing import ModelShape

        return ModelShape(parameters=int(self.parameters_b * 1e9), layers=self.layers or 0,
                          hidden_size=self.hidden_size or 0, vocab_size=self.vocab_size or 0,
                          file_bytes=self.size_bytes or int(self.parameters_b * 0.6e9))

    def to_json(self) -> dict:
        data = asdict(self)
        data["fits"] = list(self.fits)
        data["hash_confirmed"] = self.hash_confirmed
        return data


def load_curated(path: Path | None = None) -> list[CuratedModel]:
    path = Path(path or CATALOGUE_FILE)
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model catalogue ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path}: the model catalogue is not valid JSON ({exc})") from exc
    known = {f.name for f in fields(CuratedModel)}
    models, seen = [], set()
    for index, entry in enumerate(data.get("models", [])):
        where = f"{path}: entry {index + 1} ({entry.get('name', 'unnamed')})"
        values = {key: value for key, value in entry.items() if key in known}
        try:
            model = CuratedModel(**{**values, "fits": tuple(values.get("fits", ()))})
        except TypeError as exc:
            raise ModelError(f"{where}: {exc}") from exc
        problem = _problem(model)
        if problem:
            raise ModelError(f"{where}: {problem}")
        if model.name in seen:
            raise ModelError(f"{where}: the name is used twice")
        seen.add(model.name)
        models.append(model)
    return models


def _problem(model: CuratedModel) -> str | None:
    if model.sha256 is not None and not _SHA256.fullmatch(model.sha256):
        return f"sha256 {model.sha256!r} is not 64 lowercase hex digits"
    if model.revision is not None and not _COMMIT.fullmatch(model.revision):
        return f"revision {model.revision!r} is not a 40-digit commit"
    if not model.file.endswith(".gguf") or ".." in model.file or model.file.startswith("/"):
        return f"file {model.file!r} is not a GGUF file in the repository"
    if any(use not in USES for use in model.fits):
        return f"fits {list(model.fits)} names something other than {', '.join(USES)}"
    if model.size_bytes is not None and model.size_bytes <= 0:
        return "size_bytes must be positive"
    return None


def curated_model(name: str, path: Path | None = None) -> CuratedModel:
    models = load_curated(path)
    for model in models:
        if model.name == name:
            return model
    raise ModelError(f"no model {name!r} in the catalogue; known: "
                     f"{', '.join(model.name for model in models)}")
