"""Pieces the generative tabs share: an error boundary that returns None, PNG grids, an ETA."""

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


MAX_WIDTH = 1460  # st.image shrinks (decodes and re-encodes) anything wider, on every rerun


def grid_png(images: np.ndarray, cols: int = 8, pad: int = 2, scale: int = 1) -> bytes:
    """`generative.image_grid` as PNG bytes. Views cache these bytes (keyed on the small settings
    that made the images, or once per result) and draw them with `show_png`, so a rerun that draws
    the same picture again neither rebuilds nor re-encodes it."""
    return generative.png_bytes(generative.image_grid(images, cols=cols, pad=pad, scale=scale))


def show_png(png: bytes, caption: str | None = None, where: Any = st) -> None:
    """st.image for PNG bytes, told they are PNG: with the default output_format ('auto') Streamlit
    decodes an RGB PNG and re-encodes it as a JPEG on every rerun (slow, and blurs pixel art)."""
    where.image(png, caption=caption, output_format="PNG")


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
