"""Figures every page needs: training curves, confusion matrices (Plotly; ECharts for one a control
changes), metric tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dl_core.training import EpochLog
from ui import echarts


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
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 40, "b": 10}, title=title or None,
                      legend={"orientation": "h", "y": -0.25})
    return fig


def _row_shares(cm: np.ndarray) -> np.ndarray:
    """Each cell's share of its row (a true class): the recall per cell; 0 in an empty row."""
    rows = cm.sum(axis=1, keepdims=True)
    return np.divide(cm, rows, out=np.zeros_like(cm, dtype=float), where=rows > 0)


def confusion_option(cm: np.ndarray, labels: Sequence[str], title: str = "Confusion matrix") -> dict:
    """`confusion_figure` as an ECharts option, for a matrix that a control changes (fraud's threshold; see
    ui/echarts.py). Counts in the cells, colour = share of the row (recall per cell)."""
    cm = np.asarray(cm)
    share = _row_shares(cm)
    labels = [str(x) for x in labels]
    cells = [{"value": [j, i, round(float(share[i, j]), 4), int(cm[i, j]),
                        f"true {labels[i]}, predicted {labels[j]}: {int(cm[i, j]):,}", f"{int(cm[i, j]):,}"],
              "label": {"color": "#fff" if share[i, j] > 0.5 else "#262730"}}
             for i in range(len(labels)) for j in range(len(labels))]
    axis = {"type": "category", "data": labels, "nameLocation": "middle", "splitArea": {"show": False}}
    return echarts.option(
        aria={"enabled": True, "label": {"description": f"{title}: " + "; ".join(c["value"][4] for c in cells)}},
        title=echarts.title(title), tooltip={"trigger": "item", "confine": True},
        grid={"left": 10, "right": 110, "top": 40, "bottom": 40, "containLabel": True},
        xAxis={**axis, "name": "predicted", "nameGap": 26},
        yAxis={**axis, "name": "true", "nameGap": 30, "inverse": True, "nameRotate": 90},
        visualMap=echarts.colour_bar(0, 1, echarts.BLUES, ["share of row: 1", "0"], right=0, top=40),
        series=[{"type": "heatmap", "name": "count", "data": cells, "emphasis": {"disabled": True},
                 "label": {"show": True, "formatter": "{@[5]}", "fontSize": 16},  # the count, 3,920
                 "tooltip": {"formatter": "{@[4]}"}}])


def confusion_figure(cm: np.ndarray, labels: Sequence[str], title: str = "Confusion matrix") -> go.Figure:
    """Counts with row-normalised colour: each row is a true class, so colour = recall per cell."""
    cm = np.asarray(cm)
    share = _row_shares(cm)
    labels = [str(x) for x in labels]
    fig = go.Figure(go.Heatmap(z=share, x=labels, y=labels, text=cm, texttemplate="%{text}",
                               colorscale="Blues", zmin=0, zmax=1, colorbar={"title": "share of row"},
                               hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>"))
    fig.update_layout(title=title, xaxis_title="predicted", yaxis_title="true", height=420,
                      yaxis={"autorange": "reversed"}, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig
