"""Text-to-image with a diffusers pipeline: the registry's optional `sd-turbo` (or a tiny one in tests).

A loaded pipeline is shared by every session (the page keeps it in `st.cache_resource`), and a
diffusers pipeline is not safe to call from two threads at once: each `__call__` sets the
scheduler's timesteps (`set_timesteps`) and six attributes on the pipeline object itself
(`_guidance_scale`, `_num_timesteps`, `_interrupt`, ...), and the text encoding switches the
tokenizer's padding between two settings. Two people generating together could get each other's
step count or guidance. So calls on one pipeline take turns under a lock (one per pipeline object);
a second caller is told through `on_wait` and waits. On a CPU (and on one GPU) the two images would
share the same cores anyway, so taking turns costs the second person little.

    pipe = registry.load(T2I_MODEL)
    image, seconds = text_to_image(pipe, "a red bicycle", steps=1, seed=0)
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .checks import check_seed

if TYPE_CHECKING:
    from PIL import Image

T2I_MODEL = "sd-turbo"
MAX_PROMPT_CHARS = 500

_locks: "weakref.WeakKeyDictionary[Any, threading.Lock]" = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


def check_text_to_image(prompt: str, steps: int, guidance: float, size: int) -> str:
    prompt = (prompt or "").strip()
    if not prompt:
        raise InputError("The prompt is empty; describe the image you want, e.g. 'a red bicycle'.")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InputError(f"The prompt has {len(prompt)} characters; keep it under {MAX_PROMPT_CHARS}.")
    if not 1 <= steps <= 50:
        raise InputError(f"Steps must be between 1 and 50, got {steps}.")
    if not 0.0 <= guidance <= 20.0:
        raise InputError(f"Guidance must be between 0 and 20, got {guidance}.")
    if size % 8 or not 64 <= size <= 1024:
        raise InputError(f"Image size must be a multiple of 8 between 64 and 1024, got {size}.")
    return prompt


def pipeline_lock(pipe: Any) -> threading.Lock:
    """The lock that calls on this pipeline object take turns under."""
    with _locks_guard:
        lock = _locks.get(pipe)
        if lock is None:
            lock = _locks[pipe] = threading.Lock()
        return lock


def text_to_image(pipe: Any, prompt: str, steps: int = 1, guidance: float = 0.0, seed: int = 0,
                  size: int = 512, on_wait: Callable[[], None] | None = None) -> tuple["Image.Image", float]:
    """Run a diffusers text-to-image pipeline once; returns (image, seconds of generating).

    The noise comes from a local generator seeded with `seed`: the same settings give the same
    image whatever else runs. If another session is using the same pipeline, `on_wait()` is called
    once and this call waits for its turn (the seconds returned do not include the wait).
    """
    import torch

    prompt = check_text_to_image(prompt, steps, guidance, size)
    gen = torch.Generator(device="cpu").manual_seed(check_seed(seed))
    lock = pipeline_lock(pipe)
    if not lock.acquire(blocking=False):
        if on_wait is not None:
            on_wait()
        lock.acquire()
    try:
        started = time.perf_counter()
        out = pipe(prompt=prompt, num_inference_steps=steps, guidance_scale=guidance, generator=gen,
                   height=size, width=size)
        return out.images[0], time.perf_counter() - started
    finally:
        lock.release()
