"""Small drawing helpers for the Vision page (figures, thumbnails, galleries)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

from dl_core.vision import Prediction, image_bytes


def predictions_figure(preds: Sequence[Prediction], title: str = "") -> go.Figure:
    """Horizontal bars, best class on top."""
    labels = [p.label for p in preds][::-1]
    scores = [p.score for p in preds][::-1]
    fig = go.Figure(go.Bar(x=scores, y=labels, orientation="h", text=[f"{s:.1%}" for s in scores],
                           textposition="auto", marker_color="#4c78a8"))
    fig.update_layout(title=title or None, xaxis={"range": [0, 1], "tickformat": ".0%", "title": "probability"},
                      height=60 + 34 * len(preds), margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10})
    return fig


def thumbnail_uri(image: Image.Image, size: int = 72) -> str:
    """A small PNG as a data URI, for an ImageColumn in st.dataframe."""
    thumb = image.copy()
    thumb.thumbnail((size, size))
    return "data:image/png;base64," + base64.b64encode(image_bytes(thumb)).decode()


def digit_picture(x8: np.ndarray, scale: int = 12) -> np.ndarray:
    """An 8x8 digit in [0, 1] as a larger dark-on-light uint8 image (nearest-neighbour blocks)."""
    big = np.kron(np.asarray(x8, dtype=np.float32).reshape(8, 8), np.ones((scale, scale)))
    return (255 * (1 - big)).clip(0, 255).astype(np.uint8)


def digit_gallery(images: np.ndarray, captions: Sequence[str], per_row: int = 8) -> None:
    for start in range(0, len(images), per_row):
        cols = st.columns(per_row)
        for col, img, cap in zip(cols, images[start: start + per_row], captions[start: start + per_row]):
            col.image(digit_picture(img), caption=cap, width=84)


def digest(*parts: bytes) -> str:
    h = hashlib.sha1()
    for p in parts:
        h.update(p)
    return h.hexdigest()
