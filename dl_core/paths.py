"""Where the engine keeps what it writes: trained weights, caches and the MLflow store."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "DLX_DATA_DIR"
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """`$DLX_DATA_DIR`, else `data/` in the project (git-ignored). Created on first use."""
    path = Path(os.environ.get(ENV_VAR) or PROJECT_ROOT / "data").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    """Weights trained here (safetensors + a JSON of their settings), reused across restarts."""
    path = data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path
