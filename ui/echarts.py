"""Charts a page draws on its first open, as Apache ECharts options (st.echarts_chart), not Plotly.

Why two chart libraries: a browser pays for Plotly's 4.7 MB script the first time any page draws a
Plotly chart, about 1.5-2 s of CPU on 2 cores (a bare page opened in 1.5 s, 3.4 s with one tiny Plotly
chart; 2.0 s with one ECharts chart). A chart that greets a visitor before any click is drawn here, so
every page settles <= 3 s in a new browser (issue 13, bench/bench_pages.py); charts of results a person
asked for (training curves, confusion matrices) stay Plotly, whose script then loads while they wait.

Charts that a control redraws are here too, whenever they are drawn: Plotly draws a changed chart after
the run has ended, and a bare page's rerun took ~250 ms until the browser was idle with a changed Plotly
scatter against ~80 ms with the same scatter in ECharts (2 cores; issue 13's budget is 150 ms a rerun).

Options are plain JSON (no JavaScript callbacks): tooltips and labels use ECharts' string templates.

A first view with nothing to hover or zoom draws no chart at all: ECharts' script comes with Arrow's, ~2 MB
that a new browser loads before the page settles (0.3-0.5 s on 2 cores). Vision's five top-k bars are HTML
(ui/vision/figures.py) and speech's spectrogram is a picture (ui/speech/render.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import streamlit as st

# Plotly's Viridis as ECharts colour stops (heatmaps: dark = low, yellow = high; readable in grey and by the
# colour-blind).
VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b",
           "#fde725"]

# ColorBrewer's RdBu, blue to red (a diverging scale: below / above a middle value; colour-blind safe).
RDBU = ["#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b"]

# Plotly's Blues (a confusion matrix's share of each row: white = none, dark blue = all).
BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]

# No entry animation: a rerun redraws the chart at once instead of replaying a 1 s animation.
BASE: dict[str, Any] = {"animation": False, "tooltip": {"trigger": "axis", "confine": True}}


def option(**parts: Any) -> dict[str, Any]:
    """An ECharts option with the app's defaults (`BASE`) under `parts`."""
    return {**BASE, **parts}


def colour_bar(lo: float, hi: float, colours: list[str], text: list[str] | None = None,
               **where: Any) -> dict[str, Any]:
    """A heatmap's vertical colour bar (`visualMap`) from `lo` to `hi` over the value in each cell's third
    place ([x, y, value, ...]); `text` is what it says at its top and bottom (default: the two values)."""
    return {"type": "continuous", "min": lo, "max": hi, "dimension": 2, "calculable": False,
            "inRange": {"color": colours}, "orient": "vertical", "precision": 2,
            "text": text if text is not None else [f"{hi:.2f}", f"{lo:.2f}"], **where}


def title(text: str, **extra: Any) -> dict[str, Any]:
    """A chart title in the page's own weight and size (left, above the plot)."""
    return {"text": text, "left": 0, "textStyle": {"fontSize": 14, "fontWeight": "normal"}, **extra}


def values(array: Any, digits: int = 4) -> list:
    """Numbers as plain JSON: rounded (a smaller page), NaN and infinities as null (a gap in the line)."""
    a = np.asarray(array, dtype=float).round(digits)
    return [None if not np.isfinite(v) else float(v) for v in a]


def show(spec: Mapping[str, Any], key: str, height: int = 320) -> None:
    """Draw an option built above, full width."""
    st.echarts_chart(dict(spec), key=key, height=height)


def side_by_side(left: Mapping[str, Any], left_height: int, right: Mapping[str, Any], right_height: int,
                 split: float = 0.4) -> tuple[dict[str, Any], int]:
    """Two one-grid options as one chart, `left` in the first `split` of the width and `right` beside it,
    each at its own height from the top: (option, height). The left one's colour bar (visualMap) stays under
    it and colours its series only; the right one keeps its legend (of its own series).

    Why: a chart that a control changes costs the browser ~12 ms a rerun however small it is (issue 13), so
    two charts that always change together are drawn as one."""
    def axes(part: Mapping[str, Any], name: str, index: int) -> dict[str, Any]:
        return {**part[name], "gridIndex": index}

    gap = 8  # per cent of the width between the two (the right one's axis labels and name)
    lgrid = {**left["grid"], "right": f"{100 - 100 * split:.0f}%", "top": left["grid"].get("top", 10)}
    lgrid["height"] = left_height - lgrid["top"] - left["grid"].get("bottom", 10)
    lgrid.pop("bottom", None)
    rgrid = {**right["grid"], "left": f"{100 * split + gap:.0f}%", "top": right["grid"].get("top", 10)}
    rgrid["height"] = right_height - rgrid["top"] - right["grid"].get("bottom", 10)
    rgrid.pop("bottom", None)
    lseries = [{**s, "xAxisIndex": 0, "yAxisIndex": 0} for s in left["series"]]
    rseries = [{**s, "xAxisIndex": 1, "yAxisIndex": 1} for s in right["series"]]
    combined = option(
        aria={"enabled": True, "label": {"description": " ".join(
            o["aria"]["label"]["description"] for o in (left, right) if "aria" in o)}},
        tooltip=right.get("tooltip", left.get("tooltip")),
        grid=[lgrid, rgrid],
        xAxis=[axes(left, "xAxis", 0), axes(right, "xAxis", 1)],
        yAxis=[axes(left, "yAxis", 0), axes(right, "yAxis", 1)],
        series=lseries + rseries,
    )
    if "visualMap" in left:
        bar = {k: v for k, v in left["visualMap"].items() if k not in ("left", "right", "bottom", "top")}
        combined["visualMap"] = {**bar, "seriesIndex": list(range(len(lseries))), "left": lgrid.get("left", 10),
                                 "top": left_height - 35}
    if "legend" in right:
        combined["legend"] = {**right["legend"], "data": [s["name"] for s in rseries]}
    return combined, max(left_height, right_height)
