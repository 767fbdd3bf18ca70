"""Saving and loading weights trained here: safetensors only (never pickle), settings as JSON metadata."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import paths
from .errors import InputError

if TYPE_CHECKING:
    import torch

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_META_KEY = "dlx"


def to_bytes(state: Mapping[str, "torch.Tensor"], meta: Mapping[str, Any] | None = None) -> bytes:
    """A state dict (+ JSON-able settings) as safetensors bytes, e.g. for a download button."""
    from safetensors.torch import save

    tensors = {k: v.detach().cpu().contiguous() for k, v in state.items()}
    return save(tensors, metadata={_META_KEY: json.dumps(dict(meta or {}), default=str)})


def from_bytes(data: bytes) -> tuple[dict[str, "torch.Tensor"], dict[str, Any]]:
    """Inverse of `to_bytes`; refuses anything that is not a safetensors file."""
    from safetensors import SafetensorError
    from safetensors.torch import load

    try:
        state = load(data)
        meta = _read_meta(data)
    except (SafetensorError, ValueError, json.JSONDecodeError) as exc:
        raise InputError(f"Not a safetensors weights file written by this app ({exc}).") from None
    return state, meta


def _read_meta(data: bytes) -> dict[str, Any]:
    import struct

    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + n])
    return json.loads(header.get("__metadata__", {}).get(_META_KEY, "{}"))


def path_for(file_name: str) -> Path:
    if not _SAFE_NAME.match(file_name) or ".." in file_name:
        raise InputError(f"{file_name!r} is not a valid model file name.")
    return paths.models_dir() / file_name


def save(file_name: str, state: Mapping[str, "torch.Tensor"], meta: Mapping[str, Any] | None = None) -> Path:
    """Write to the models folder atomically (a half-written file never looks like a model)."""
    path = path_for(file_name)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(to_bytes(state, meta))
    tmp.replace(path)
    return path


def load(file_name: str) -> tuple[dict[str, "torch.Tensor"], dict[str, Any]]:
    path = path_for(file_name)
    if not path.is_file():
        raise FileNotFoundError(path)
    return from_bytes(path.read_bytes())
