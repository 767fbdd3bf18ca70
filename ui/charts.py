"""Figures every page needs: training curves, confusion matrices (Plotly), metric tables."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dl_core.training import EpochLog


def history_figure(history: Sequence[EpochLog], title: str = "") -> go.Figure:
    """Loss curves (train and validation) on the left, other validation metrics on the right."""
    epochs = [h.epoch for h in history]
    metric_names = sorted({k for h in history for k in h.metrics})
    cols = 2 if metric_names else 1
    fig = make_subplots(rows=1, cols=cols, subplot_titles=("Loss", "Validation metrics")[:cols])
    fig.add_trace(go.Scatter(x=epochs, y=[h.train_loss for h in history], name="train loss",
                             mode="lines+markers"), 1, 1)
    if any(h.val_loss is not None for h in history):
        fig.add_trace(go.Scatter(x=epochs, y=[h.val_loss for h in history], name="validation loss",
                                 mode="lines+markers"), 1, 1)
    for name in metric_names:
        fig.add_trace(go.Scatter(x=epochs, y=[h.metrics.get(name) for h in history],
                                 name=name.replace("_", " "), mode="lines+markers"), 1, 2)
    # Whole epochs only: left alone, Plotly ticks a 2-epoch run at 1, 1.2, 1.4, ...
    fig.update_xaxes(title_text="epoch", tick0=1, dtick=max(1, math.ceil(len(epochs) / 10)))
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 40, "b": 10}, title=title or None,
                      legend={"orientation": "h", "y": -0.25})
    return fig


def row_shares(cm: np.ndarray) -> np.ndarray:
    """Each cell's share of its row (a true class): the recall per cell; 0 in an empty row."""
    rows = cm.sum(axis=1, keepdims=True)
    return np.divide(cm, rows, out=np.zeros_like(cm, dtype=float), where=rows > 0)


def confusion_figure(cm: np.ndarray, labels: Sequence[str], title: str = "Confusion matrix") -> go.Figure:
    """Counts with row-normalised colour: each row is a true class, so colour = recall per cell."""
    cm = np.asarray(cm)
    share = row_shares(cm)
    labels = [str(x) for x in labels]
    fig = go.Figure(go.Heatmap(z=share, x=labels, y=labels, text=cm, texttemplate="%{text}",
                               colorscale="Blues", zmin=0, zmax=1, colorbar={"title": "share of row"},
                               hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>"))
    fig.update_layout(title=title, xaxis_title="predicted", yaxis_title="true", height=420,
                      yaxis={"autorange": "reversed"}, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig
