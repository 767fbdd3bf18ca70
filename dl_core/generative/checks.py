"""Bounds shared by the generative tools: seeds and counts, with messages that say what to change."""

from __future__ import annotations

import numpy as np

from ..errors import InputError

MAX_SEED = 2**32 - 1


def check_seed(seed: int, what: str = "Seed") -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) <= MAX_SEED:
        raise InputError(f"{what} must be a whole number between 0 and {MAX_SEED}, got {seed!r}.")
    return int(seed)


def check_count(n: int, top: int, what: str = "Number of images") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= int(n) <= top:
        raise InputError(f"{what} must be between 1 and {top}, got {n!r}.")
    return int(n)
