"""Figures for the fraud page: PR and ROC curves together, error histogram (Plotly); the cost curve and
feature attributions (ECharts: controls redraw them). The class names come from the page (fraud, or a
person's own label)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dl_core import fraud
from ui import charts as common
from ui import echarts

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "legend": {"orientation": "h", "y": -0.2}}


def pr_roc_figure(y: np.ndarray, scores: Mapping[str, np.ndarray], positives: str = "frauds") -> go.Figure:
    """Precision-recall (left, what fraud teams read) and ROC (right) curves of every model."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Precision–recall (test)", "ROC (test)"))
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    for i, (name, s) in enumerate(scores.items()):
        c = fraud.curves(y, s)
        color = palette[i % len(palette)]
        label = fraud.LABELS.get(name, name)
        fig.add_trace(go.Scatter(x=c["recall"], y=c["precision"], name=label, mode="lines",
                                 line={"color": color}, legendgroup=name), 1, 1)
        fig.add_trace(go.Scatter(x=c["fpr"], y=c["tpr"], name=label, mode="lines", line={"color": color},
                                 legendgroup=name, showlegend=False), 1, 2)
    base = float(y.mean())
    fig.add_trace(go.Scatter(x=[0, 1], y=[base, base], name="random guess", mode="lines",
                             line={"dash": "dot", "color": "grey"}, legendgroup="random"), 1, 1)
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "grey"},
                             legendgroup="random", showlegend=False), 1, 2)
    fig.update_xaxes(title_text=f"recall (share of {positives} caught)", range=[0, 1], row=1, col=1)
    fig.update_yaxes(title_text=f"precision (share of alerts that are {positives})", range=[0, 1.02], row=1, col=1)
    fig.update_xaxes(title_text="false positive rate", range=[0, 1], row=1, col=2)
    fig.update_yaxes(title_text="true positive rate", range=[0, 1.02], row=1, col=2)
    fig.update_layout(height=420, **_LAYOUT)
    return fig


def cost_option(y: np.ndarray, score: np.ndarray, cost_fn: float, cost_fp: float, best: float,
                rows: str = "transactions") -> dict:
    """Expected cost per 1,000 rows as the threshold moves, with the cost-minimising threshold marked
    (an ECharts option).

    It does not depend on the slider (whose value is shown beside it), so a page can build it once per
    model and costs; ECharts because the model picker and the cost inputs redraw it (ui/echarts.py)."""
    thresholds, cost = fraud.cost_curve(y, score, cost_fn, cost_fp)
    finite = np.isfinite(thresholds)
    x = np.r_[thresholds[finite], 1.0]
    c = np.r_[cost[finite], cost[0]]  # above every score nothing is flagged: the 'flag none' cost
    order = np.argsort(x, kind="stable")
    points = [[a, b] for a, b in zip(echarts.values(x[order], 5), echarts.values(c[order], 2), strict=True)]
    t = round(min(best, 1.0), 5)
    return echarts.option(
        aria={"enabled": True, "label": {"description": f"Test cost per 1,000 {rows} for thresholds 0 to 1; "
                                                        f"lowest {c.min():,.0f}; cost-minimising threshold "
                                                        f"(validation) {t:.3f}."}},
        grid={"left": 10, "right": 20, "top": 30, "bottom": 40, "containLabel": True},
        xAxis={"type": "value", "min": 0, "max": 1, "name": "threshold (flag when score ≥ threshold)",
               "nameLocation": "middle", "nameGap": 26},
        yAxis={"type": "value", "name": f"cost per 1,000 {rows}", "scale": True,
               "nameTextStyle": {"align": "left"}},  # the name reads rightwards from the axis, not cut off
        # A threshold between two scores flags what the higher one flags: the step comes at the start.
        series=[{"type": "line", "name": "test cost", "step": "start", "showSymbol": False, "data": points,
                 "lineStyle": {"width": 2, "color": "#1f77b4"}, "itemStyle": {"color": "#1f77b4"},
                 "markLine": {"symbol": "none", "silent": True, "animation": False,
                              "lineStyle": {"color": "#2ca02c", "type": "dotted", "width": 2},
                              "label": {"formatter": "cost-minimising", "position": "insideEndTop"},
                              "data": [{"xAxis": t}]}}])


def error_histogram(errors: np.ndarray, y: np.ndarray, positive: str, negative: str) -> go.Figure:
    """Autoencoder reconstruction error of negative vs positive test rows (log scale); `positive` and
    `negative` are the legend names, e.g. "fraud (1)" and "normal (0)"."""
    logs = np.log10(np.maximum(errors, 1e-8))
    lo, hi = float(logs.min()), float(logs.max())
    bins = {"start": lo, "end": hi + 1e-9, "size": max((hi - lo) / 50, 1e-6)}  # same bins for both classes
    fig = go.Figure()
    fig.add_trace(go.Histogram(x=logs[y == 0], name=negative, histnorm="probability density",
                               opacity=0.6, xbins=bins))
    fig.add_trace(go.Histogram(x=logs[y == 1], name=positive, histnorm="probability density",
                               opacity=0.6, xbins=bins))
    fig.update_layout(barmode="overlay", height=320, xaxis_title="log10 reconstruction error",
                      yaxis_title="density", title="Autoencoder: how badly each test row is rebuilt",
                      **_LAYOUT)
    return fig


def attribution_option(frame: pd.DataFrame, title: str) -> tuple[dict, int]:
    """Horizontal bars, the largest on top: features pushing towards the positive class (red) or away from
    it (blue). (ECharts option, height in px): the row picker redraws it (ui/echarts.py says why)."""
    f = frame.iloc[::-1]  # ECharts draws a category axis from the bottom up
    bars = [{"value": round(float(a), 5), "itemStyle": {"color": "#d62728" if a > 0 else "#1f77b4"}}
            for a in f["attribution"]]
    height = max(260, 28 * len(f) + 90)
    option = echarts.option(
        aria={"enabled": True, "label": {"description": f"{title}: " + "; ".join(
            f"{n} = {v}: {a:+.3f}" for n, v, a in zip(frame["feature"], frame["value"], frame["attribution"]))}},
        title=echarts.title(title), tooltip={"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True},
        grid={"left": 10, "right": 30, "top": 40, "bottom": 40, "containLabel": True},
        xAxis={"type": "value", "name": "attribution (→ more suspicious)", "nameLocation": "middle", "nameGap": 26},
        yAxis={"type": "category", "data": [f"{n} = {v}" for n, v in zip(f["feature"], f["value"])]},
        series=[{"type": "bar", "name": "attribution", "data": bars}])
    return option, height


# The four cells of a threshold's confusion matrix: (name, true class, flagged, what it is).
CELLS = [("Caught", 1, True, "{positives} flagged (true positives)"),
         ("Missed", 1, False, "{positives} let through (false negatives)"),
         ("False alarms", 0, True, "{negatives} flagged (false positives)"),
         ("Passed", 0, False, "{negatives} let through (true negatives)")]


def confusion_html(cm: np.ndarray, positive: str, negative: str, positives: str, negatives: str,
                   title: str) -> str:
    """The 2 x 2 confusion matrix at a threshold as one HTML table: true class down (the positive class
    first), flagged or let through across, each cell its name, count and share of its row (colour: that
    share, Blues, as the other confusion matrices). The threshold slider redraws it on every step: one
    small HTML element costs the browser less than four metrics and a chart (issue 13). `cm` is
    `fraud.confusion`'s [[TN, FP], [FN, TP]]; the labels are escaped (they may come from a person's file)."""
    cm = np.asarray(cm)
    shares = common.row_shares(cm)
    head = "padding:4px 8px;font-weight:600;color:#31333f"

    def cell(name: str, truth: int, flagged: bool, what: str) -> str:
        n, share = int(cm[truth, int(flagged)]), float(shares[truth, int(flagged)])
        colour = echarts.BLUES[round(share * (len(echarts.BLUES) - 1))]
        ink = "#fff" if share > 0.5 else "#262730"
        about = escape(what.format(positives=positives, negatives=negatives).capitalize())
        return (f'<td title="{about}" data-cell="{name}" data-count="{n}" style="background:{colour};color:{ink};'
                f'padding:8px;border:1px solid #fff;width:40%">{name}<br><b style="font-size:1.5rem">{n:,}</b>'
                f'<br><span style="font-size:0.8rem">{share:.1%} of {escape(positives if truth else negatives)}'
                "</span></td>")

    body = "".join(
        f'<tr><th scope="row" style="{head};text-align:right">true: {escape(label)}</th>'
        + "".join(cell(*c) for c in CELLS if c[1] == truth) + "</tr>"
        for truth, label in ((1, positive), (0, negative)))
    return (f'<div style="font-size:14px;margin-bottom:4px">{escape(title)}</div>'
            '<table style="border-collapse:collapse;width:100%;text-align:center;font-size:14px">'
            f'<tr><th></th><th scope="col" style="{head}">flagged</th><th scope="col" style="{head}">let through</th>'
            f"</tr>{body}</table>")
