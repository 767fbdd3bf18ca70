"""Charts of the time-series page: the series (ECharts: drawn on first open, see ui/echarts.py), and the
results a person asked for: Plotly for those drawn once per result (the tail, the future, the residuals'
histogram), ECharts for those a slider redraws (a backtest origin, what the anomaly threshold k flags)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dl_core.timeseries import Backtest, Prepared, Residuals
from ui import echarts

COLORS = {"naive": "#9e9e9e", "seasonal_naive": "#ff9800", "linear_ar": "#8e24aa", "ets": "#43a047"}
DEEP_COLOR = "#e53935"
LAYOUT = {"height": 380, "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "legend": {"orientation": "h", "y": -0.2}}


def series_option(index, values, title: str) -> dict[str, Any]:
    """The whole series as one line (ECharts option): a time axis for dates, a value axis for step numbers.

    Dates go as milliseconds read in UTC (`useUTC`), so the axis and the tooltip show the data's own clock
    times in every browser time zone (no daylight-saving gaps or repeats). Tens of thousands of points
    are drawn thinned to the pixels (LTTB); a slider below, or Ctrl + wheel, zooms into a stretch.
    """
    x, x_axis = _time_axis(index)
    points = [[t, v] for t, v in zip(x, echarts.values(values), strict=True)]
    return echarts.option(
        title=echarts.title(title), useUTC=True,
        grid={"left": 10, "right": 20, "top": 40, "bottom": 40, "containLabel": True},
        xAxis=x_axis, yAxis={"type": "value", "scale": True},
        dataZoom=[{"type": "inside", "zoomOnMouseWheel": "ctrl", "moveOnMouseWheel": False},
                  {"type": "slider", "height": 18, "bottom": 4}],
        series=[{"type": "line", "name": "value", "data": points, "showSymbol": False, "symbol": "none",
                 "sampling": "lttb", "lineStyle": {"width": 1.5, "color": "#1e88e5"},
                 "itemStyle": {"color": "#1e88e5"}}])


def _time_axis(index) -> tuple[list, dict[str, Any]]:
    """(x values, ECharts x axis) of a series index: milliseconds on a time axis for dates (read in UTC, see
    `series_option`), the step numbers on a value axis otherwise."""
    if isinstance(index, pd.DatetimeIndex) or pd.api.types.is_datetime64_any_dtype(index):
        return pd.DatetimeIndex(index).as_unit("ms").asi8.tolist(), {"type": "time"}
    x = echarts.values(index, digits=6)
    whole = all(v is None or float(v).is_integer() for v in x)
    return x, {"type": "value", "scale": True,
               "axisPointer": {"label": {"formatter": "step {value}", **({"precision": 0} if whole else {})}}}


def origin_option(prep: Prepared, bt: Backtest, k: int) -> dict[str, Any]:
    """History before origin k, the truth after it, and every model's forecast from it (ECharts option).

    The origin slider redraws it on every step: ECharts (ui/echarts.py says why)."""
    t, H = int(bt.origins[k]), prep.config.horizon
    start = max(0, t - 4 * max(prep.config.window, H))
    x, x_axis = _time_axis(prep.series.index[start:t + H])
    past, future = x[:t - start], x[t - start:]

    def line(name: str, xs, ys, color: str | None, **extra) -> dict[str, Any]:
        return {"type": "line", "name": name, "data": [[a, b] for a, b in zip(xs, echarts.values(ys), strict=True)],
                "showSymbol": False, "lineStyle": {"color": color, "width": 1.5}, "itemStyle": {"color": color},
                **extra}

    band = f"{bt.model} 90% band"
    series = [
        line("history", past, prep.y[start:t], "#1e88e5",
             markLine={"symbol": "none", "silent": True, "label": {"show": False}, "data": [{"xAxis": future[0]}],
                       "lineStyle": {"type": "dotted", "color": "grey"}}),
        # The band: its lower edge (invisible), then its width stacked on top and filled.
        line(band, future, bt.lower[k], None, stack="band", stackStrategy="all", lineStyle={"opacity": 0},
             tooltip={"show": False}, legendHoverLink=False),
        line(band, future, np.asarray(bt.upper[k]) - np.asarray(bt.lower[k]), None, stack="band",
             stackStrategy="all", lineStyle={"opacity": 0}, areaStyle={"color": "rgba(229,57,53,0.18)"},
             tooltip={"show": False}),
        line("truth", future, bt.truth[k], "black", lineStyle={"color": "black", "width": 3}),
    ]
    for name, f in bt.forecasts.items():
        deep = name == bt.model
        color = DEEP_COLOR if deep else COLORS.get(name, "#607d8b")
        style = {"color": color, "width": 3 if deep else 1.5, "type": "solid" if deep else "dashed"}
        series.append(line(name, future, f[k], color, showSymbol=deep, lineStyle=style))
    when = prep.series.index[t]
    return echarts.option(
        title=echarts.title(f"Forecast from origin {when} (backtest origin {k + 1} of {len(bt.origins)})"),
        useUTC=True, legend={"bottom": 0, "type": "scroll"},
        grid={"left": 10, "right": 20, "top": 40, "bottom": 40, "containLabel": True},
        xAxis=x_axis, yAxis={"type": "value", "scale": True}, series=series)


def _band(fig: go.Figure, x, lower, upper, name: str) -> None:
    fig.add_trace(go.Scatter(x=list(x) + list(x)[::-1], y=list(upper) + list(lower)[::-1], fill="toself",
                             fillcolor="rgba(229,57,53,0.18)", line={"width": 0}, name=name, hoverinfo="skip"))


def tail_figure(prep: Prepared, bt: Backtest) -> go.Figure:
    """The whole held-out tail with the deep model's and seasonal naive's one-step-ahead forecasts."""
    idx, y = prep.series.index, prep.y
    start = max(0, prep.test_start - 3 * prep.config.window)
    fig = go.Figure(go.Scatter(x=idx[start:], y=y[start:], name="actual", line={"color": "black"}))
    for name in (bt.model, "seasonal_naive"):
        if name in bt.forecasts:
            x = idx[bt.origins]
            fig.add_trace(go.Scatter(x=x, y=bt.forecasts[name][:, 0], mode="markers", name=f"{name}, 1 step ahead",
                                     marker={"color": DEEP_COLOR if name == bt.model else COLORS[name]}))
    fig.add_vrect(x0=idx[prep.test_start], x1=idx[-1], fillcolor="grey", opacity=0.08, line_width=0,
                  annotation_text="held-out tail", annotation_position="top left")
    fig.update_layout(title="The backtest: held-out tail and forecasts made at each origin", **LAYOUT)
    return fig


def future_figure(prep: Prepared, future, model: str) -> go.Figure:
    idx, y = prep.series.index, prep.y
    start = max(0, len(y) - 4 * max(prep.config.window, prep.config.horizon))
    fig = go.Figure(go.Scatter(x=idx[start:], y=y[start:], name="history", line={"color": "#1e88e5"}))
    _band(fig, future["time"], future["lower_90"], future["upper_90"], "90% band")
    fig.add_trace(go.Scatter(x=future["time"], y=future["forecast"], name=f"{model} forecast",
                             line={"color": DEEP_COLOR, "width": 3}, mode="lines+markers"))
    fig.update_layout(title="Forecast beyond the data", **LAYOUT)
    return fig


def flagged_option(r: Residuals) -> dict[str, Any]:
    """What k flags, in one ECharts option the k slider redraws (ui/echarts.py says why ECharts): above, the
    series with the flagged points circled; below, on the same time axis, the one-step residuals (blue:
    training part, orange: held-out tail, red: flagged) and the ±threshold lines. One chart with two grids,
    not two charts: a changed chart costs the browser ~15 ms on each step besides its points (2 cores), and
    a shared axis pointer reads a flagged point against its residual."""
    x, x_axis = _time_axis(r.index)
    res, actual = echarts.values(r.residual), echarts.values(r.actual)
    flagged = np.flatnonzero(r.anomaly)
    groups = [("training part", ~r.in_test & ~r.anomaly, "#1e88e5"),
              ("held-out tail", r.in_test & ~r.anomaly, "#fb8c00"), ("flagged", r.anomaly, "#d32f2f")]
    residuals = [{"type": "scatter", "name": name, "symbolSize": 5, "itemStyle": {"color": color},
                  "xAxisIndex": 1, "yAxisIndex": 1, "data": [[x[i], res[i]] for i in np.flatnonzero(mask)]}
                 for name, mask, color in groups]
    threshold = round(float(r.threshold), 6)
    residuals[0]["markLine"] = {"symbol": "none", "silent": True,
                                "lineStyle": {"type": "dashed", "color": "#d32f2f"}, "label": {"formatter": "{c}"},
                                "data": [{"yAxis": threshold}, {"yAxis": -threshold}]}
    series = [{"type": "line", "name": "actual", "data": [[t, v] for t, v in zip(x, actual, strict=True)],
               "showSymbol": False, "lineStyle": {"color": "#1e88e5", "width": 1.5}, "itemStyle": {"color": "#1e88e5"}},
              {"type": "scatter", "name": "flagged", "symbol": "emptyCircle", "symbolSize": 11,
               "itemStyle": {"color": "#d32f2f", "borderWidth": 2}, "data": [[x[i], actual[i]] for i in flagged]},
              *residuals]
    grids = [{"left": 10, "right": 40, "top": 40, "height": 240, "containLabel": True},
             {"left": 10, "right": 40, "top": 360, "height": 240, "containLabel": True}]
    return echarts.option(
        title=[echarts.title("Anomalies: points the model did not expect"),
               echarts.title("Residuals: actual minus one-step-ahead forecast", top=320)],
        useUTC=True, legend={"bottom": 0}, grid=grids, axisPointer={"link": [{"xAxisIndex": "all"}]},
        tooltip={"trigger": "axis", "confine": True},
        xAxis=[{**x_axis, "gridIndex": 0}, {**x_axis, "gridIndex": 1}],
        yAxis=[{"type": "value", "scale": True, "gridIndex": 0}, {"type": "value", "scale": True, "gridIndex": 1}],
        series=series)


def residual_hist(r: Residuals) -> go.Figure:
    fig = go.Figure(go.Histogram(x=r.residual, nbinsx=40, marker={"color": "#1e88e5"}))
    fig.update_layout(title="Distribution of residuals", **{**LAYOUT, "height": 300})
    return fig
