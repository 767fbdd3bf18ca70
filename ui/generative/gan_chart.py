"""The GAN lab's chart of one epoch: D's view of the plane under the real and generated points, and the
losses so far. ECharts: the replay slider redraws it (ui/echarts.py says why)."""

from __future__ import annotations

import numpy as np

from dl_core import generative
from ui import echarts

# ColorBrewer's RdBu: red where D says fake (0), white where it cannot tell (0.5), blue where it says real (1).
RDBU = ["#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"]
FADE = 0.55  # the surface's colours this far from white, so the points on it stand out


def _faded(colour: str) -> str:
    """`colour` mixed with white. (Not the cells' opacity: translucent cells show a seam at every edge.)"""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - FADE * (255 - c)):02x}" for c in rgb)
PLANE = 380  # px: the plane is square, so a circle of points looks round
TOP, LEFT = 40, 40
LINES = (("d_loss", "D loss", "#1f77b4"), ("g_loss", "G loss", "#d62728"), ("d_real", "D(real)", "#2ca02c"),
         ("d_fake", "D(fake)", "#9467bd"))


def _points(xy: np.ndarray) -> list[list[float]]:
    return np.round(np.asarray(xy, dtype=float), 3).tolist()


def lab_option(real: np.ndarray, snap: generative.Snapshot,
               snapshots: list[generative.Snapshot]) -> tuple[dict, int]:
    """(ECharts option, height in px) of epoch `snap`: left, D's probability "real" over the plane as a
    heatmap with the real points (black) and the generated ones (orange); right, the losses and D's average
    outputs of every epoch up to it."""
    axis = generative.surface_axis()
    n = len(axis)
    half = (axis[1] - axis[0]) / 2  # each cell is centred on the point where D was measured
    surface = np.asarray(snap.surface, dtype=float)  # rows: y from the bottom up; columns: x
    cells = [[i, j, round(float(surface[j, i]), 3)] for j in range(n) for i in range(n)]
    plane = {"type": "value", "min": round(float(axis[0] - half), 4), "max": round(float(axis[-1] + half), 4),
             "splitLine": {"show": False}, "axisLabel": {"showMinLabel": False, "showMaxLabel": False}}
    hidden = {"type": "category", "show": False, "data": list(range(n)), "gridIndex": 0}
    right = LEFT + PLANE + 120  # room for the colour bar between the two plots
    hist = generative.gan_history(snapshots)
    lines = [{"type": "line", "name": name, "xAxisIndex": 2, "yAxisIndex": 2, "showSymbol": len(hist) == 1,
              "itemStyle": {"color": colour}, "lineStyle": {"color": colour},
              "data": [[int(e), v] for e, v in zip(hist["epoch"], echarts.values(hist[key]))]}
             for key, name, colour in LINES]
    option = echarts.option(
        aria={"enabled": True, "label": {"description": (
            f"Epoch {snap.epoch}: {len(real[:generative.SHOWN])} real and {len(snap.generated)} generated points "
            f"over D's surface; D loss {snap.d_loss:.3f}, G loss {snap.g_loss:.3f}, mean D(real) "
            f"{snap.d_real:.2f}, mean D(fake) {snap.d_fake:.2f}.")}},
        title=[echarts.title(f"Epoch {snap.epoch}: real vs generated, D's view"),
               echarts.title("Losses and D's average output", left=right)],
        tooltip={"trigger": "item", "confine": True},
        legend={"bottom": 0, "data": ["real", "generated", *(name for _, name, _ in LINES)]},
        grid=[{"left": LEFT, "top": TOP, "width": PLANE, "height": PLANE},
              {"left": right, "right": 20, "top": TOP, "height": PLANE, "containLabel": True}],
        xAxis=[{**plane, "gridIndex": 0}, hidden,
               {"type": "value", "gridIndex": 1, "name": "epoch", "nameLocation": "middle", "nameGap": 26,
                "minInterval": 1, "max": "dataMax"}],
        yAxis=[{**plane, "gridIndex": 0}, hidden, {"type": "value", "gridIndex": 1, "scale": True}],
        visualMap=echarts.colour_bar(0, 1, [_faded(c) for c in RDBU], ["D: real 1", "fake 0"], seriesIndex=0,
                                     left=LEFT + PLANE + 12, top=TOP, itemHeight=PLANE - 60),
        series=[{"type": "heatmap", "name": "D", "xAxisIndex": 1, "yAxisIndex": 1, "data": cells,
                 "emphasis": {"disabled": True},
                 "tooltip": {"formatter": "D(real?) = {@[2]}"}},
                {"type": "scatter", "name": "real", "data": _points(real[:generative.SHOWN]), "symbolSize": 4,
                 "itemStyle": {"color": "#000000"}},
                {"type": "scatter", "name": "generated", "data": _points(snap.generated), "symbolSize": 4,
                 "itemStyle": {"color": "#ff7f0e"}},
                *lines],
    )
    return option, TOP + PLANE + 60
