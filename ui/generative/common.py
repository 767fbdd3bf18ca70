"""Pieces the generative tabs share: an error boundary that returns None, cached PNG grids, an ETA."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from dl_core import generative

from .. import errors


def attempt(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call fn; show an InputError/ModelUnavailableError on the page and return None instead.

    Tabs never `st.stop()` (that would also stop the tabs after them), so errors are shown with
    `guard(stop=False)` and the tab returns early.
    """
    with errors.guard(stop=False):
        return fn(*args, **kwargs)
    return None


@st.cache_data(max_entries=128, show_spinner=False)
def grid_png(images: np.ndarray, cols: int = 8, pad: int = 2, scale: int = 1) -> bytes:
    """`generative.image_grid` as PNG bytes, cached on the pixels: a rerun that draws the same
    images again skips building and encoding the picture."""
    return generative.png_bytes(generative.image_grid(images, cols=cols, pad=pad, scale=scale))


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class TimeLeft:
    """A training callback that says how long the rest will take, from the epochs measured so far
    on this machine (never a promise made elsewhere)."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs
        self.started = time.perf_counter()
        self.slot = st.empty()
        self.slot.caption("Measuring the first epoch on this machine…")

    def on_batch_end(self, epoch: int, batch: int, batches: int, loss: float) -> None:
        pass

    def on_epoch_end(self, log: Any, history: list, model: Any) -> None:
        spent = time.perf_counter() - self.started
        left = spent / log.epoch * (self.epochs - log.epoch)
        self.slot.caption(f"Measured here: {spent / log.epoch:.1f} s per epoch; about {duration(left)} "
                          f"left for the remaining {self.epochs - log.epoch} epoch(s).")
