"""Drawing helpers the Vision tabs share: prediction bars (HTML), thumbnails, digit pictures and galleries."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

from dl_core.vision import Prediction, image_bytes

BAR_COLOUR = "#4c78a8"
TRACK_COLOUR = "#f0f2f6"  # the bar's 0-100 % track: Streamlit's light grey


def predictions_html(preds: Sequence[Prediction]) -> str:
    """Horizontal bars of the top-k probabilities, best class on top, each row "label, bar, percentage";
    hovering a label shows the class's longer description. Plain HTML, not a chart: a chart was the only
    one on the tab's first view, and its script (ECharts with Arrow, ~2 MB) cost a new browser ~0.4 s and
    each top-k step ~50 ms (issue 13; bench_pages, two alternating runs). Labels may come from a hub
    model's config: escaped."""
    rows = "".join(
        f'<div role="listitem" style="display:contents">'
        f'<span title="{html.escape(_tooltip(p.description), quote=True)}" style="text-align:right">'
        f"{html.escape(p.label)}</span>"
        f'<span aria-hidden="true" style="display:block;height:22px;background:{TRACK_COLOUR}">'
        f'<span style="display:block;height:100%;width:{100 * p.score:.1f}%;background:{BAR_COLOUR}"></span>'
        f"</span><span>{p.score:.1%}</span></div>"
        for p in preds)
    return (f'<div role="list" aria-label="Top {len(preds)} classes by probability" style="display:grid;'
            f'grid-template-columns:max-content 1fr 4em;gap:8px 10px;align-items:center;font-size:0.9rem;'
            f'margin-bottom:1rem">{rows}</div>')


def show_predictions(preds: Sequence[Prediction]) -> None:
    st.markdown(predictions_html(preds), unsafe_allow_html=True)


def _tooltip(text: str, max_chars: int = 350) -> str:
    """A class's description, cut at a word near `max_chars`."""
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + "…"
    return text


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
