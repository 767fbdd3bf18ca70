"""Charts of the RL page: learning curves and grid values with the greedy policy's arrows (ECharts: controls
and live trainings redraw them), step-by-step returns and policies side by side (Plotly: drawn once per
click)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui import echarts

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "legend": {"orientation": "h", "y": -0.22}}
LINE_POINTS = 1_000  # at most this many points in a curve's line
_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]


def curve_option(curve: pd.DataFrame, title: str = "", x_label: str = "timesteps") -> tuple[dict, int]:
    """Return of each training episode (dots) and its rolling mean (line); success rate beside it on grid
    worlds. x: environment steps for deep agents, episodes for tabular ones. (ECharts option, height in px.)

    ECharts, not Plotly: the curve stays on the tab under settings that rerun it (the grid tab's γ redraws
    value iteration's optimum beside the results), and a live training redraws it twice a second
    (ui/echarts.py says why)."""
    x_col = "step" if x_label == "timesteps" else "episode"
    window = curve.attrs.get("window", 1)
    success = "rolling_success" in curve
    x = curve[x_col].to_numpy()
    every = max(1, len(curve) // LINE_POINTS)  # a rolling mean is smooth: a point in `every` draws the same line
    thin = np.r_[np.arange(0, len(curve) - 1, every), len(curve) - 1] if len(curve) else np.arange(0)

    def line(column: str, name: str, color: str, axis: int) -> dict:
        ys = echarts.values(curve[column].to_numpy()[thin])
        return {"type": "line", "name": name, "xAxisIndex": axis, "yAxisIndex": axis, "showSymbol": False,
                "data": [[int(a), b] for a, b in zip(x[thin], ys, strict=True)],
                "lineStyle": {"width": 2.5, "color": color}, "itemStyle": {"color": color}}

    series = [line("rolling_reward", f"rolling mean of {window}", "#d62728", 0)]
    if not success:  # on a grid world every return is 0 or 1: the dots only draw two lines
        series.insert(0, {"type": "scatter", "name": "episode return", "symbolSize": 4, "large": True,
                          "data": [[int(a), b] for a, b in zip(x, echarts.values(curve["reward"]), strict=True)],
                          "itemStyle": {"color": "rgba(31,119,180,0.35)"}})
    else:
        series.append(line("rolling_success", "success rate", "#2ca02c", 1))
    top = 60 if title else 30
    halves = [("2%", "53%"), ("55%", "2%")] if success else [("2%", "2%")]
    grids = [{"left": left, "right": right, "top": top, "bottom": 70, "containLabel": True} for left, right in halves]
    names = ["Return per training episode", f"Success rate (rolling mean of {window})"]
    titles = ([echarts.title(title)] if title else []) + [
        {"text": names[i], "left": left, "top": top - 24, "textStyle": {"fontSize": 13, "fontWeight": "normal"}}
        for i, (left, _) in enumerate(halves)]
    axis = {"type": "value", "name": x_label, "nameLocation": "middle", "nameGap": 26, "scale": True}
    y_axes = [{"type": "value", "gridIndex": 0, "scale": True}]  # the title above says what it is
    if success:
        y_axes.append({"type": "value", "gridIndex": 1, "min": 0, "max": 1})
    described = f"{title or 'Learning curve'}: {len(curve):,} training episodes"
    if len(curve):
        described += f"; the rolling mean return ends at {curve['rolling_reward'].iloc[-1]:.3f}"
        if success:
            described += f", the success rate at {curve['rolling_success'].iloc[-1]:.1%}"
    option = echarts.option(
        aria={"enabled": True, "label": {"description": described + "."}},
        title=titles, grid=grids, legend={"bottom": 0},
        xAxis=[{**axis, "gridIndex": i} for i in range(len(halves))], yAxis=y_axes, series=series)
    return option, 360 + (30 if title else 0)


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
