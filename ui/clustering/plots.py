"""Figures for the clustering page: the comparison grid, cluster scatters, k scans, digit images."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dl_core import clustering
from ui import echarts

# Enough distinct colours for typical k; noise (-1) is always light grey.
PALETTE = ["#377eb8", "#ff7f00", "#4daf4a", "#f781bf", "#a65628", "#984ea3", "#999999", "#e41a1c",
           "#dede00", "#17becf", "#1b9e77", "#7570b3", "#66a61e", "#e7298a", "#bcbd22", "#8c564b"]
NOISE = "#d0d0d0"


# Noise is code 0, clusters 1, 2, ... (cycling through the palette).
_CODE_COLOURS = [NOISE, *PALETTE]


def colour_codes(labels: np.ndarray) -> np.ndarray:
    return np.where(labels < 0, 0, 1 + np.mod(labels, len(PALETTE))).astype(np.int8)


def panel_caption(cell: clustering.Cell) -> tuple[str, str]:
    """What a grid panel says about its fit: the scores (the point), then the fit time."""
    def num(v: float) -> str:
        return f"{round(v, 2) + 0.0:.2f}"  # + 0.0: a tiny negative ARI reads 0.00, not -0.00

    if cell.ari is not None:
        score = f"ARI {num(cell.ari)} · NMI {num(cell.nmi)}"
    elif cell.silhouette is not None:
        score = f"silhouette {num(cell.silhouette)}"
    else:
        score = "1 cluster"
    return score, f"{cell.seconds:.2f} s"


# The grid is drawn as one picture (numpy + Pillow, ~0.1 s, then cached) rather than a plotly figure:
# a browser redrew a 72-panel plotly figure (36,000 points) on every rerun of its tab, changed or not,
# which cost more than a whole rerun's budget; an unchanged picture costs the browser nothing.
PANEL_W, PANEL_H, CAPTION_H = 165, 190, 40  # one panel in CSS pixels: points above, scores below
LEFT, TOP = 118, 46  # algorithm names on the left, data set names on top
# Drawn 1.3x larger than shown on a wide page: sharper text; and 6 columns stay within the 1,460 px
# that Streamlit sends an image as it is (a wider one it would resize on every rerun).
SCALE = 1.3
INK, GRID_LINE = (17, 17, 17), (217, 217, 217)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _disk(radius: int) -> np.ndarray:
    """(k, 2) pixel offsets (dy, dx) of a filled disk."""
    r = np.arange(-radius, radius + 1)
    dy, dx = np.meshgrid(r, r, indexing="ij")
    keep = dy ** 2 + dx ** 2 <= radius ** 2 + radius
    return np.stack([dy[keep], dx[keep]], axis=1)


# The picture is a palette image (one byte a pixel: 3x less to compress than RGB): white, the point
# colours, the grid line, then 32 shades from white to ink for the anti-aliased text.
_WHITE, _LINE, _TEXT, _SHADES = 0, 1 + len(_CODE_COLOURS), 2 + len(_CODE_COLOURS), 32


def _palette() -> list[int]:
    ink = np.array(INK, dtype=float)
    shades = [tuple(np.round(255 - (255 - ink) * k / (_SHADES - 1)).astype(int)) for k in range(_SHADES)]
    colours = [(255, 255, 255), *[_rgb(c) for c in _CODE_COLOURS], GRID_LINE, *shades]
    return [v for c in colours for v in c]


def _px(v: float) -> int:
    """CSS pixels -> pixels of the picture."""
    return int(round(v * SCALE))


def grid_image(grid: clustering.Grid, datasets: Sequence[str], algorithms: Sequence[str]) -> bytes:
    """The grid as a PNG: algorithms down, data sets across, each panel's points coloured by cluster
    (grey = noise), its scores and fit time below them in 13 px type."""
    from PIL import Image, ImageDraw, ImageFont

    cols, rows = len(datasets), len(algorithms)
    width, height = _px(LEFT + PANEL_W * cols + 4), _px(TOP + PANEL_H * rows + 4)
    index = np.full((height, width), _WHITE, dtype=np.uint8)  # palette index of every pixel
    line = max(1, _px(1))
    for j in range(cols + 1):  # panel borders
        x = _px(LEFT + j * PANEL_W)
        index[_px(TOP):_px(TOP + PANEL_H * rows) + line, x:x + line] = _LINE
    for i in range(rows + 1):
        y = _px(TOP + i * PANEL_H)
        index[y:y + line, _px(LEFT):_px(LEFT + PANEL_W * cols) + line] = _LINE
    disk = _disk(_px(2))
    cells = {(c.dataset, c.algorithm): c for c in grid.cells}
    half = (PANEL_H - CAPTION_H) / 2 - 8  # half the side of the square the points fill
    for j, d in enumerate(datasets):
        X, _ = grid.data[d]
        unit = half / (float(np.abs(X).max()) or 1.0)
        for i, a in enumerate(algorithms):
            cx, cy = LEFT + (j + 0.5) * PANEL_W, TOP + i * PANEL_H + (PANEL_H - CAPTION_H) / 2 + 2
            codes = colour_codes(cells[(d, a)].labels)
            order = np.argsort(codes != 0, kind="stable")  # noise first, under the clusters
            px = np.round((cx + unit * X[order, 0]) * SCALE).astype(int)
            py = np.round((cy - unit * X[order, 1]) * SCALE).astype(int)
            ys = np.clip(py[:, None] + disk[None, :, 0], 0, height - 1)  # (n, k)
            xs = np.clip(px[:, None] + disk[None, :, 1], 0, width - 1)
            index[ys, xs] = (1 + codes[order])[:, None]
    # Text goes on a grey-level layer (anti-aliased), then into the palette's shades of ink.
    layer = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(layer)
    font, heading = ImageFont.load_default(size=_px(13)), ImageFont.load_default(size=_px(15))
    bold = {"stroke_width": 1, "stroke_fill": 255}
    for j, d in enumerate(datasets):
        title = clustering.DATASETS[d].replace(", ", ",\n")
        draw.multiline_text((_px(LEFT + (j + 0.5) * PANEL_W), _px(TOP - 6)), title, font=heading, fill=255,
                            anchor="md", align="center", **bold)
    for i, a in enumerate(algorithms):
        draw.multiline_text((_px(LEFT - 8), _px(TOP + (i + 0.5) * PANEL_H)),
                            clustering.ALGORITHMS[a].replace(" ", "\n", 1), font=heading, fill=255, anchor="rm",
                            align="right", **bold)
        for j, d in enumerate(datasets):
            score, seconds = panel_caption(cells[(d, a)])
            right, bottom = _px(LEFT + (j + 1) * PANEL_W - 6), _px(TOP + (i + 1) * PANEL_H - 5)
            draw.text((right, bottom), seconds, font=font, fill=170, anchor="rd")  # grey: secondary
            draw.text((right, bottom - _px(17)), score, font=font, fill=255, anchor="rd", **bold)
    ink = np.asarray(layer)
    inked = ink > 0
    index[inked] = _TEXT + (ink[inked].astype(np.uint16) * (_SHADES - 1) // 255).astype(np.uint8)
    image = Image.fromarray(index)  # mode L; the palette makes it a palette image
    image.putpalette(_palette())
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()


def scatter_figure(P: np.ndarray, labels: np.ndarray, hover: Sequence[str] | None = None,
                   title: str = "", axis: str = "PC") -> go.Figure:
    """2-D or 3-D scatter of projected rows, one trace per cluster (so the legend can hide one)."""
    three = P.shape[1] >= 3
    fig = go.Figure()
    for lab in sorted(set(labels.tolist())):
        m = labels == lab
        name = "noise" if lab < 0 else f"cluster {lab}"
        colour = NOISE if lab < 0 else PALETTE[lab % len(PALETTE)]
        text = [hover[i] for i in np.flatnonzero(m)] if hover is not None else None
        common = {"mode": "markers", "name": name, "text": text, "customdata": np.flatnonzero(m),
                  "hovertemplate": "%{text}<extra>" + name + "</extra>" if text else None}
        if three:
            fig.add_trace(go.Scatter3d(x=P[m, 0], y=P[m, 1], z=P[m, 2], marker={"size": 3, "color": colour},
                                       **common))
        else:
            fig.add_trace(go.Scatter(x=P[m, 0], y=P[m, 1], marker={"size": 6, "color": colour, "opacity": 0.8},
                                     **common))
    fig.update_layout(title=title or None, height=520, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"itemsizing": "constant"})
    if not three:
        fig.update_xaxes(title_text=f"{axis} 1")
        fig.update_yaxes(title_text=f"{axis} 2")
    return fig


def scatter_option(P: np.ndarray, labels: np.ndarray, hover: Sequence[str] | None = None,
                   axis: str = "PC") -> dict:
    """The 2-D scatter of `scatter_figure` as an ECharts option: one series per cluster (a legend click
    hides one), the hover text (the label column's value) in the tooltip.

    Moving k redraws it: ECharts (ui/echarts.py says why)."""
    series = []
    for lab in sorted(set(labels.tolist())):
        rows = np.flatnonzero(labels == lab)
        name = "noise" if lab < 0 else f"cluster {lab}"
        points = [[round(float(P[i, 0]), 4), round(float(P[i, 1]), 4), hover[i] if hover is not None else name]
                  for i in rows]
        series.append({"type": "scatter", "name": name, "data": points, "symbolSize": 8,
                       "itemStyle": {"color": NOISE if lab < 0 else PALETTE[lab % len(PALETTE)], "opacity": 0.8},
                       "tooltip": {"formatter": "{a}<br>{@[2]}" if hover is not None else "{a}"}})
    return echarts.option(
        aria={"enabled": True, "label": {"description": f"Scatter of {len(P)} rows on {axis} 1 and {axis} 2, "
                                                        f"coloured by cluster ({len(series)} groups)."}},
        tooltip={"trigger": "item", "confine": True},
        # A scrolling legend only where the clusters would not fit (it costs more to redraw).
        legend={"type": "scroll" if len(series) > 12 else "plain", "right": 0, "top": "middle",
                "orient": "vertical"},
        grid={"left": 50, "right": 110, "top": 20, "bottom": 45},
        xAxis={"type": "value", "name": f"{axis} 1", "nameLocation": "middle", "nameGap": 28, "scale": True},
        yAxis={"type": "value", "name": f"{axis} 2", "nameLocation": "middle", "nameGap": 35, "scale": True},
        series=series,
    )


PROFILE_ROWS = 30  # columns a profile heatmap shows at most: those that differ most between clusters
LABELLED_CLUSTERS = 8  # up to this many clusters, each cell also says the mean in numbers


def _number(v: float) -> str:
    """A mean in four significant digits (13.74, 746.9, 0.2866), as the profile table rounds it."""
    return f"{v:.4g}"


def profiles_option(profiles: pd.DataFrame, scores: pd.DataFrame) -> tuple[dict, int]:
    """Cluster profiles as an ECharts heatmap: (option, its height in px). Clusters across (with their
    sizes), columns down; a cell's colour is the cluster's mean in standard deviations from the whole
    table's (blue below, red above: `scores`), its text the mean in the file's units (`profiles`). More
    than `PROFILE_ROWS` columns: the ones whose cluster means differ most.

    Why a heatmap and not a table: which columns set a cluster apart shows at a glance, whatever their
    units; and a changed table cost the browser ~35 ms a move of k, a changed ECharts chart ~20 (issue 13)."""
    columns = list(scores.columns)
    if len(columns) > PROFILE_ROWS:
        differ = set(scores.abs().max(axis=0).sort_values(ascending=False, kind="stable").index[:PROFILE_ROWS])
        columns = [c for c in columns if c in differ]  # in the file's order
    labelled = len(profiles) <= LABELLED_CLUSTERS
    # Many clusters: short names ("4", 20 rows below it), so that every column keeps its name.
    clusters = [f"{c}\n{int(n):,} row{'' if n == 1 else 's'}" if labelled
                else f"{c.removeprefix('cluster ')}\n{int(n):,}" for c, n in profiles["size"].items()]
    # Cells as plain arrays in two series, dark text and white text on the dark cells: an item with its
    # own label style costs ECharts a model object per cell on every redraw.
    cells: dict[bool, list] = {False: [], True: []}
    for j, cluster in enumerate(profiles.index):
        for i, col in enumerate(columns):
            z, mean = float(scores.at[cluster, col]), float(profiles.at[cluster, col])
            cells[abs(z) > 1.5].append([j, i, round(max(-2.5, min(2.5, z)), 3), _number(mean),
                                        f"{cluster}, {col}: mean {_number(mean)} ({z:+.2f} sd from all rows)"])
    option = echarts.option(
        aria={"enabled": True, "label": {"description": f"Cluster profiles: the mean of {len(columns)} columns in "
                                                        f"{len(clusters)} clusters."}},
        tooltip={"trigger": "item", "confine": True},
        grid={"left": 10, "right": 10, "top": 10, "bottom": 55, "containLabel": True},
        xAxis={"type": "category", "data": clusters, "position": "top", "splitArea": {"show": False},
               "axisLabel": {"interval": 0 if len(clusters) <= 20 else "auto"}},
        yAxis={"type": "category", "data": [str(c) for c in columns], "inverse": True, "splitArea": {"show": False},
               "axisLabel": {"width": 150, "overflow": "truncate"}},
        visualMap=echarts.colour_bar(-2.5, 2.5, echarts.RDBU, ["above the mean", "below the mean"], orient="horizontal",
                                     left="center", bottom=0, itemHeight=160),
        series=[{"type": "heatmap", "name": "mean", "data": cells[dark], "emphasis": {"disabled": True},
                 "label": {"show": labelled, "formatter": "{@[3]}", "fontSize": 11,
                           "color": "#fff" if dark else "#262730"},
                 "tooltip": {"formatter": "{@[4]}"}} for dark in (False, True)],
    )
    return option, 95 + 26 * len(columns)


def k_scan_figure(scan) -> go.Figure:
    """Elbow (inertia) and silhouette against k, side by side."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Elbow: k-means inertia", "Silhouette (higher is better)"))
    fig.add_trace(go.Scatter(x=scan["k"], y=scan["inertia"], mode="lines+markers", name="inertia"), 1, 1)
    fig.add_trace(go.Scatter(x=scan["k"], y=scan["silhouette"], mode="lines+markers", name="silhouette"), 1, 2)
    fig.update_xaxes(title_text="k", dtick=1)
    fig.update_layout(height=300, showlegend=False, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def comparison_bars(rows: list[dict]) -> go.Figure:
    """ARI and NMI of k-means on raw pixels, PCA and the learned codes."""
    names = [f"{r['features']} ({r['dims']}-d)" for r in rows]
    fig = go.Figure([go.Bar(name="ARI", x=names, y=[r["ari"] for r in rows], text=[f"{r['ari']:.3f}" for r in rows]),
                     go.Bar(name="NMI", x=names, y=[r["nmi"] for r in rows], text=[f"{r['nmi']:.3f}" for r in rows])])
    fig.update_layout(barmode="group", height=300, yaxis={"range": [0, 1]},
                      margin={"l": 10, "r": 10, "t": 30, "b": 10}, title="k-means (k=10) on each representation")
    return fig


def digit_image(img: np.ndarray, scale: int = 6) -> np.ndarray:
    """An 8x8 digit (0-16) as a dark-on-white uint8 picture, enlarged `scale` times."""
    pic = (255 - np.asarray(img, dtype=np.float64) / 16.0 * 255).clip(0, 255).astype(np.uint8)
    return np.kron(pic, np.ones((scale, scale), dtype=np.uint8))


def digit_strip(images: np.ndarray, scale: int = 4, gap: int = 2) -> np.ndarray:
    """Several 8x8 digits side by side in one picture (one row), white gaps between them."""
    tiles = [digit_image(img, scale) for img in images]
    if not tiles:
        return np.full((8 * scale, 8 * scale), 255, dtype=np.uint8)
    spacer = np.full((8 * scale, gap), 255, dtype=np.uint8)
    row = [t for tile in tiles for t in (tile, spacer)][:-1]
    return np.hstack(row)
