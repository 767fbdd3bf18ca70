"""Drawing helpers the Vision tabs share: prediction bars, thumbnails, digit pictures and galleries."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

from dl_core.vision import Prediction, image_bytes


def predictions_figure(preds: Sequence[Prediction], title: str = "") -> go.Figure:
    """Horizontal bars, best class on top; hovering a bar shows the class's longer description."""
    preds = list(preds)[::-1]
    labels = [p.label for p in preds]
    scores = [p.score for p in preds]
    hover = [_wrap(p.description) or p.label for p in preds]
    fig = go.Figure(go.Bar(x=scores, y=labels, orientation="h", text=[f"{s:.1%}" for s in scores],
                           textposition="auto", marker_color="#4c78a8", customdata=hover,
                           hovertemplate="<b>%{y}</b>: %{x:.1%}<br>%{customdata}<extra></extra>"))
    fig.update_layout(title=title or None, xaxis={"range": [0, 1], "tickformat": ".0%", "title": "probability"},
                      height=60 + 34 * len(preds), margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10})
    return fig


def _wrap(text: str, width: int = 70, max_chars: int = 350) -> str:
    """Plotly hover labels do not wrap: break long descriptions into lines."""
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + "…"
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line] if line else lines)


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


def digit_probabilities_figure(probs: np.ndarray, title: str) -> go.Figure:
    fig = go.Figure(go.Bar(x=list(range(10)), y=probs, marker_color="#4c78a8"))
    fig.update_layout(height=260, xaxis={"dtick": 1, "title": "digit"},
                      yaxis={"range": [0, 1], "tickformat": ".0%"}, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title=title)
    return fig
