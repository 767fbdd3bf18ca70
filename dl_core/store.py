"""Saving and loading weights trained here: safetensors only (never pickle), settings as JSON metadata."""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
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


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to a unique temporary name beside `path`, then rename it into place: readers
    (other sessions, other processes) see the old file or the whole new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def save(file_name: str, state: Mapping[str, "torch.Tensor"], meta: Mapping[str, Any] | None = None) -> Path:
    """Write to the models folder atomically (a half-written file never looks like a model)."""
    return write_atomic(path_for(file_name), to_bytes(state, meta))


_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


@contextlib.contextmanager
def build_lock(name: str, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock for building the shared artefact `name` (a default model, an embedding cache),
    across threads of this process and across processes (`filelock` on `data/locks/<name>.lock`).

    If somebody else holds it, `on_wait()` is called once (say "another session is training this
    model, waiting…") and we wait. Callers re-check whether the artefact exists after acquiring it.
    """
    from filelock import FileLock, Timeout

    if not _SAFE_NAME.match(name):
        raise ValueError(f"bad lock name {name!r}")
    lock_dir = paths.data_dir() / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with _thread_locks_guard:
        local = _thread_locks.setdefault(name, threading.Lock())
    # filelock is re-entrant per thread by default; a per-name thread lock makes other threads wait too.
    if not local.acquire(blocking=False):
        if on_wait is not None:
            on_wait()
        local.acquire()
    try:
        flock = FileLock(str(lock_dir / f"{name}.lock"))
        try:
            flock.acquire(timeout=0)
        except Timeout:
            if on_wait is not None:
                on_wait()
            flock.acquire()
        try:
            yield
        finally:
            flock.release()
    finally:
        local.release()


def build_once(name: str, exists: Callable[[], bool], build: Callable[[], Any],
               on_wait: Callable[[], None] | None = None) -> bool:
    """Build a shared artefact unless it exists, so that two sessions (or the app and
    `python -m dl_core prepare`) never build it twice. Returns True when this call built it."""
    if exists():
        return False
    with build_lock(name, on_wait):
        if exists():  # built by whoever held the lock before us
            return False
        build()
        return True


def load(file_name: str) -> tuple[dict[str, "torch.Tensor"], dict[str, Any]]:
    path = path_for(file_name)
    if not path.is_file():
        raise FileNotFoundError(path)
    return from_bytes(path.read_bytes())
