"""Drawing helpers the Vision tabs share: prediction bars (ECharts), thumbnails, digit pictures and galleries."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

from dl_core.vision import Prediction, image_bytes
from ui import echarts

BAR_COLOUR = "#4c78a8"


def predictions_option(preds: Sequence[Prediction]) -> dict:
    """Horizontal bars of the top-k probabilities (in %), best class on top; hovering a bar shows the
    class's longer description. An ECharts option (ui/echarts.py: the tab's first chart, no Plotly)."""
    preds = list(preds)
    bars = [{"value": round(100 * p.score, 1), "label": {"formatter": f"{p.score:.1%}"},
             "tooltip": {"formatter": f"<b>{html.escape(p.label)}</b>: {p.score:.1%}<br>"
                                      + _wrap(p.description)}}
            for p in preds]
    said = ", ".join(f"{p.label} {p.score:.1%}" for p in preds)
    return echarts.option(
        aria={"enabled": True, "label": {"description": f"Top {len(preds)} classes by probability: {said}."}},
        tooltip={"trigger": "item", "confine": True},
        grid={"left": 10, "right": 50, "top": 10, "bottom": 40, "containLabel": True},
        xAxis={"type": "value", "min": 0, "max": 100, "name": "probability", "nameLocation": "middle",
               "nameGap": 26, "axisLabel": {"formatter": "{value}%"}},
        yAxis={"type": "category", "inverse": True, "data": [p.label for p in preds]},
        series=[{"type": "bar", "data": bars, "itemStyle": {"color": BAR_COLOUR}, "barCategoryGap": "20%",
                 "label": {"show": True, "position": "right"}}],
    )


def show_predictions(preds: Sequence[Prediction], key: str) -> None:
    """`predictions_option`, as tall as the number of classes asks."""
    echarts.show(predictions_option(preds), key=key, height=70 + 34 * len(preds))


def _wrap(text: str, width: int = 70, max_chars: int = 350) -> str:
    """Tooltips do not wrap: long descriptions as HTML-escaped lines joined by <br>."""
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + "…"
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(html.escape(x) for x in ([*lines, line] if line else lines))


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
