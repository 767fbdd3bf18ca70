"""Plotly figures of the RL page: learning curves, step-by-step returns, grid values with the greedy
policy's arrows, and policies side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui import echarts

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "legend": {"orientation": "h", "y": -0.22}}
_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]


def curve_figure(curve: pd.DataFrame, title: str = "", x_label: str = "timesteps") -> go.Figure:
    """Return of each training episode (dots) and its rolling mean (line); success rate beside it
    on grid worlds. x: environment steps for deep agents, episodes for tabular ones."""
    x_col = "step" if x_label == "timesteps" else "episode"
    window = curve.attrs.get("window", 1)
    success = "rolling_success" in curve
    fig = make_subplots(rows=1, cols=2 if success else 1,
                        subplot_titles=("Return per training episode",
                                        f"Success rate (rolling mean of {window})")[: 2 if success else 1])
    if not success:  # on a grid world every return is 0 or 1: the dots only draw two lines
        fig.add_trace(go.Scattergl(x=curve[x_col], y=curve["reward"], mode="markers", name="episode return",
                                   marker={"size": 4, "color": "rgba(31,119,180,0.35)"}), 1, 1)
    fig.add_trace(go.Scatter(x=curve[x_col], y=curve["rolling_reward"], mode="lines",
                             name=f"rolling mean of {window}", line={"color": "#d62728", "width": 2.5}), 1, 1)
    if success:
        fig.add_trace(go.Scatter(x=curve[x_col], y=curve["rolling_success"], mode="lines", name="success rate",
                                 line={"color": "#2ca02c", "width": 2.5}), 1, 2)
        fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_xaxes(title_text=x_label)
    fig.update_yaxes(title_text="return", row=1, col=1)
    fig.update_layout(height=360, title=title or None, **_LAYOUT)
    if title:
        fig.update_layout(margin={**_LAYOUT["margin"], "t": 80})  # room for the title above the subplots
    return fig


def returns_figure(curves: Mapping[str, np.ndarray]) -> go.Figure:
    """Return so far after each step, one line per player of the same start."""
    fig = go.Figure()
    for i, (name, returns) in enumerate(curves.items()):
        fig.add_trace(go.Scatter(x=np.arange(1, len(returns) + 1), y=returns, mode="lines", name=name,
                                 line={"color": _COLORS[i % len(_COLORS)], "width": 2.5}))
    fig.update_layout(height=300, xaxis_title="step", yaxis_title="return so far", **_LAYOUT)
    return fig


def grid_option(values: np.ndarray, arrows: Sequence[str], layout: Sequence[str], title: str,
                zrange: tuple[float, float] | None = None) -> tuple[dict, int]:
    """State values as a heatmap on the grid; the greedy action as an arrow in each cell (holes, the cliff and
    the goal are labelled instead: nothing is decided there). (ECharts option, height in px).

    The γ slider redraws the optimum's grid: ECharts (ui/echarts.py says why)."""
    rows, cols = len(layout), len(layout[0])
    z = np.asarray(values, dtype=float).reshape(rows, cols)
    labels = {"H": "hole", "C": "cliff", "G": "goal"}
    small = {"label": {"fontSize": 13 if cols <= 8 else 9}}  # a word in a cell, smaller than an arrow
    cells = [[c, r, round(float(z[r, c]), 3), arrows[r * cols + c]] if layout[r][c] not in labels
             else {"value": [c, r, round(float(z[r, c]), 3), labels[layout[r][c]]], **small}
             for r in range(rows) for c in range(cols)]
    lo, hi = zrange if zrange is not None else (float(z.min()), float(z.max()))
    cell = min(60, 360 // cols)  # square cells; the grid and its colour bar fit half a page (~460 px)
    top, width, height = 40, cols * cell, rows * cell
    axis = {"type": "category", "show": False, "splitArea": {"show": False}}
    option = echarts.option(
        aria={"enabled": True, "label": {"description": f"{title}: a {rows} by {cols} grid, values from "
                                                        f"{z.min():.3f} to {z.max():.3f}."}},
        title=echarts.title(title),
        tooltip={"trigger": "item", "confine": True},
        grid={"left": 10, "top": top, "width": width, "height": height},
        xAxis={**axis, "data": list(range(cols))},
        yAxis={**axis, "data": list(range(rows)), "inverse": True},
        visualMap=echarts.colour_bar(round(lo, 3), round(hi if hi > lo else lo + 1, 3), echarts.VIRIDIS,
                                     [f"{hi:.2f}", f"{lo:.2f}"], left=width + 30, top=top,
                                     itemHeight=max(height - 40, 60)),
        series=[{"type": "heatmap", "name": "value", "data": cells,
                 "itemStyle": {"borderColor": "#fff", "borderWidth": 1},
                 "label": {"show": True, "formatter": "{@[3]}", "fontSize": 22 if cols <= 8 else 15, "color": "#fff",
                           "textBorderColor": "#222", "textBorderWidth": 2},
                 "emphasis": {"disabled": True},
                 "tooltip": {"formatter": "row {@[1]}, col {@[0]}: value {@[2]}"}}],
    )
    return option, top + height + 20


def comparison_figure(rows: pd.DataFrame) -> go.Figure:
    """Mean return of each policy with ± one standard deviation."""
    fig = go.Figure(go.Bar(x=rows["policy"], y=rows["mean_reward"],
                           error_y={"type": "data", "array": rows["std_reward"], "visible": True},
                           marker_color=[_COLORS[i % len(_COLORS)] for i in range(len(rows))]))
    fig.update_layout(height=320, yaxis_title="mean return (± std)", **_LAYOUT)
    return fig
