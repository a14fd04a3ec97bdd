"""A fast reader for the header of a GGUF file: key/values and tensor infos, no tensor data.

``gguf.GGUFReader`` builds a numpy view per vocabulary entry (~100k of them for a small
model), which takes seconds; showing a model list should not. Format: GGUF v2/v3 (little
endian), as documented in ggml's docs/gguf.md.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
            10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
# Arrays of strings we keep (to find special tokens); others are skipped, not decoded.
_KEEP_STRING_ARRAYS = {"tokenizer.ggml.tokens", "general.languages"}


class GGUFFormatError(ValueError):
    pass


@dataclass
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int


@dataclass
class GGUFHeader:
    version: int
    fields: dict
    tensors: list[TensorInfo]
    data_start: int

    def data_end(self) -> int:
        from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

        end = self.data_start
        for tensor in self.tensors:
            block, size = GGML_QUANT_SIZES[GGMLQuantizationType(tensor.ggml_type)]
            count = 1
            for dim in tensor.shape:
                count *= dim
            end = max(end, self.data_start + tensor.offset + count // block * size)
        return end


class _Cursor:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise GGUFFormatError("header ends early")
        value = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += size
        return value

    def string(self, keep: bool = True) -> str | None:
        length = self.take("<Q")
        if self.pos + length > len(self.data):
            raise GGUFFormatError("header ends early")
        raw = self.data[self.pos : self.pos + length] if keep else None
        self.pos += length
        return raw.decode("utf-8", "replace") if keep else None

    def value(self, kind: int, keep_strings: bool = True):
        if kind in _SCALARS:
            return self.take(_SCALARS[kind])
        if kind == _STRING:
            return self.string(keep_strings)
        if kind == _ARRAY:
            item_kind = self.take("<I")
            count = self.take("<Q")
            if item_kind in _SCALARS:
                fmt = _SCALARS[item_kind]
                size = struct.calcsize(fmt)
                if count > 4096:  # large numeric arrays (scores, types): skip their bytes
                    self.pos += size * count
                    return None
                return [self.take(fmt) for _ in range(count)]
            return [self.value(item_kind, keep_strings) for _ in range(count)]
        raise GGUFFormatError(f"unknown value type {kind}")


def read_header(path: Path) -> GGUFHeader:
    """Headers are a few MB (the vocabulary); read more only when one is bigger."""
    size = 4 * 1024 * 1024
    while True:
        with open(path, "rb") as handle:
            data = handle.read(size)
        try:
            return _parse(data)
        except GGUFFormatError as exc:
            if "ends early" not in str(exc) or len(data) < size:
                raise
            size *= 4


def _parse(data: bytes) -> GGUFHeader:
    cursor = _Cursor(data)
    if cursor.take("<4s") != b"GGUF":
        raise GGUFFormatError("not a GGUF file")
    version = cursor.take("<I")
    if version not in (2, 3):
        raise GGUFFormatError(f"unsupported GGUF version {version}")
    tensor_count = cursor.take("<Q")
    kv_count = cursor.take("<Q")
    fields = {}
    for _ in range(kv_count):
        key = cursor.string()
        kind = cursor.take("<I")
        keep = kind != _ARRAY or key in _KEEP_STRING_ARRAYS
        fields[key] = cursor.value(kind, keep_strings=keep)
    tensors = []
    for _ in range(tensor_count):
        name = cursor.string()
        dims = cursor.take("<I")
        shape = tuple(cursor.take("<Q") for _ in range(dims))
        tensors.append(TensorInfo(name, shape, cursor.take("<I"), cursor.take("<Q")))
    alignment = int(fields.get("general.alignment", 32))
    data_start = (cursor.pos + alignment - 1) // alignment * alignment
    return GGUFHeader(version, fields, tensors, data_start)
