"""The GAN lab's chart of one epoch: D's view of the plane under the real and generated points, and the
losses so far. ECharts: the replay slider redraws it (ui/echarts.py says why).

D's surface is a small PNG stretched over the plot (the browser smooths it), not a heatmap series: on a bare
page a replay step took 0.14-0.15 s with 1,600 heatmap cells and 0.09 s without them (2 cores, medians of
9)."""

from __future__ import annotations

import base64
import io

import numpy as np

from dl_core import generative
from ui import echarts

# ColorBrewer's RdBu: red where D says fake (0), white where it cannot tell (0.5), blue where it says real (1).
RDBU = ["#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"]
FADE = 0.55  # the surface's colours this far from white, so the points on it stand out
PLANE = 380  # px: the plane is square, so a circle of points looks round
TOP, LEFT = 40, 40
BAR = {"left": LEFT + PLANE + 14, "top": TOP + 20, "width": 14, "height": PLANE - 40}  # the colour bar, px
LINES = (("d_loss", "D loss", "#1f77b4"), ("g_loss", "G loss", "#d62728"), ("d_real", "D(real)", "#2ca02c"),
         ("d_fake", "D(fake)", "#9467bd"))


def _faded_rgb() -> np.ndarray:
    """RDBU as (9, 3) RGB, mixed with white by FADE."""
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in RDBU], dtype=float)
    return 255 - FADE * (255 - rgb)


def _hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{round(float(c)):02x}" for c in rgb)


def surface_png(surface: np.ndarray) -> bytes:
    """D's probabilities (rows: y from the bottom up) as a PNG, one pixel per measured point, top row first."""
    from PIL import Image

    stops, rgb = np.linspace(0, 1, len(RDBU)), _faded_rgb()
    z = np.clip(np.asarray(surface, dtype=float)[::-1], 0, 1)
    pixels = np.stack([np.interp(z, stops, rgb[:, c]) for c in range(3)], axis=-1).round().astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, format="PNG")
    return out.getvalue()


def _points(xy: np.ndarray) -> list[list[float]]:
    return np.round(np.asarray(xy, dtype=float), 3).tolist()


def _surface_graphics(surface: np.ndarray) -> list[dict]:
    """D's surface behind the plane's grid, and its colour bar with its two ends named."""
    url = "data:image/png;base64," + base64.b64encode(surface_png(surface)).decode()
    stops = [{"offset": round(1 - i / (len(RDBU) - 1), 3), "color": _hex(c)} for i, c in enumerate(_faded_rgb())]
    text = {"fontSize": 12, "fill": "#6c6c7a"}
    return [
        {"type": "image", "left": LEFT, "top": TOP, "z": -10, "silent": True,
         "style": {"image": url, "width": PLANE, "height": PLANE}},
        {"type": "rect", "left": BAR["left"], "top": BAR["top"], "silent": True,
         "shape": {"width": BAR["width"], "height": BAR["height"]},
         "style": {"fill": {"type": "linear", "x": 0, "y": 0, "x2": 0, "y2": 1, "colorStops": stops}}},
        {"type": "text", "left": BAR["left"] - 8, "top": BAR["top"] - 18, "style": {"text": "D: real 1", **text}},
        {"type": "text", "left": BAR["left"] - 4, "top": BAR["top"] + BAR["height"] + 4,
         "style": {"text": "fake 0", **text}},
    ]


def lab_option(real: np.ndarray, snap: generative.Snapshot,
               snapshots: list[generative.Snapshot]) -> tuple[dict, int]:
    """(ECharts option, height in px) of epoch `snap`: left, D's probability "real" over the plane (an image)
    with the real points (black) and the generated ones (orange); right, the losses and D's average outputs
    of every epoch up to it."""
    axis = generative.surface_axis()
    half = (axis[1] - axis[0]) / 2  # each pixel is centred on the point where D was measured
    plane = {"type": "value", "min": round(float(axis[0] - half), 4), "max": round(float(axis[-1] + half), 4),
             "splitLine": {"show": False}, "axisLine": {"onZero": False},
             "axisLabel": {"showMinLabel": False, "showMaxLabel": False}}
    right = LEFT + PLANE + 120  # room for the colour bar between the two plots
    hist = generative.gan_history(snapshots)
    lines = [{"type": "line", "name": name, "xAxisIndex": 1, "yAxisIndex": 1, "showSymbol": len(hist["epoch"]) == 1,
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
        xAxis=[{**plane, "gridIndex": 0},
               {"type": "value", "gridIndex": 1, "name": "epoch", "nameLocation": "middle", "nameGap": 26,
                "minInterval": 1, "max": "dataMax"}],
        yAxis=[{**plane, "gridIndex": 0}, {"type": "value", "gridIndex": 1, "scale": True}],
        graphic=_surface_graphics(snap.surface),
        series=[{"type": "scatter", "name": "real", "data": _points(real[:generative.SHOWN]), "symbolSize": 4,
                 "itemStyle": {"color": "#000000"}},
                {"type": "scatter", "name": "generated", "data": _points(snap.generated), "symbolSize": 4,
                 "itemStyle": {"color": "#ff7f0e"}},
                *lines],
    )
    return option, TOP + PLANE + 60
