"""Which device the engine computes on, and how.

Picked once per process: CUDA, else Apple MPS, else CPU. `DLX_DEVICE=cpu|cuda|mps` overrides the
choice (e.g. to compare CPU and GPU, or to keep a shared GPU free). Half-precision autocast is used
only on a GPU; on CPU everything stays float32, which is both faster and exact there.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    import torch

ENV_VAR = "DLX_DEVICE"
_VALID = ("cpu", "cuda", "mps")


def cpu_threads() -> int:
    """Threads per computation for torch and BLAS, set ONCE per process (`get()`), never per request.

    The server runs several people's computations at once (a training queue with
    `training_queue.default_slots()` slots), so each gets half the cores, at most 8: on 2 cores,
    1 thread each, which was also the steadiest setting on a busy 2-core machine (2 threads measured
    3-10x slower per epoch for the small models here). Changing the count per request is not safe:
    it is process-wide, and overlapping save/restore pairs left the whole process at 1 thread.
    An explicit OMP_NUM_THREADS (the Makefile and the tests set 1) wins.
    """
    wanted = os.environ.get("OMP_NUM_THREADS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    cores = os.cpu_count() or 1
    return max(1, min(8, cores // 2))


def limit_threads() -> None:
    """Cap native thread pools before numpy/sklearn/torch start them (idempotent)."""
    n = str(cpu_threads())
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, n)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@functools.cache
def get() -> "torch.device":
    """The device to compute on, chosen once: $DLX_DEVICE, else cuda > mps > cpu."""
    import torch

    limit_threads()
    torch.set_num_threads(cpu_threads())
    wanted = os.environ.get(ENV_VAR, "").strip().lower()
    if wanted:
        if wanted not in _VALID:
            raise InputError(f"{ENV_VAR}={wanted!r} is not a device; use one of {', '.join(_VALID)}.")
        if wanted == "cuda" and not torch.cuda.is_available():
            raise InputError(f"{ENV_VAR}=cuda but no CUDA GPU is visible; unset it to use the CPU.")
        if wanted == "mps" and not torch.backends.mps.is_available():
            raise InputError(f"{ENV_VAR}=mps but Apple MPS is not available; unset it to use the CPU.")
        return torch.device(wanted)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def autocast_dtype(device: "torch.device") -> "torch.dtype | None":
    """bfloat16 where the GPU supports it, float16 on other GPUs, None (no autocast) on CPU."""
    import torch

    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "mps":
        return torch.float16
    return None


@contextlib.contextmanager
def autocast(device: "torch.device", enabled: bool = True) -> Iterator[None]:
    """Mixed precision on GPUs only; a no-op on CPU."""
    import torch

    dtype = autocast_dtype(device) if enabled else None
    if dtype is None:
        yield
        return
    with torch.autocast(device_type=device.type, dtype=dtype):
        yield


@dataclass(frozen=True)
class DeviceInfo:
    type: str
    name: str
    threads: int
    precision: str

    def label(self) -> str:
        return f"{self.type.upper()} · {self.name} · {self.precision}"


def describe(device: "torch.device | None" = None) -> DeviceInfo:
    """A human description of the device, for the app's badge and `info --json`."""
    import platform

    import torch

    device = device or get()
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    elif device.type == "mps":
        name = "Apple GPU (MPS)"
    else:
        name = platform.processor() or platform.machine() or "CPU"
    dtype = autocast_dtype(device)
    precision = "float32" if dtype is None else f"{str(dtype).removeprefix('torch.')} autocast"
    return DeviceInfo(type=device.type, name=name, threads=torch.get_num_threads(), precision=precision)
