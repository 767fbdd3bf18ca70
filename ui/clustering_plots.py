"""Figures for the clustering page: the comparison grid, cluster scatters, k scans, digit images."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dl_core import clustering

# Enough distinct colours for typical k; noise (-1) is always light grey.
PALETTE = ["#377eb8", "#ff7f00", "#4daf4a", "#f781bf", "#a65628", "#984ea3", "#999999", "#e41a1c",
           "#dede00", "#17becf", "#1b9e77", "#7570b3", "#66a61e", "#e7298a", "#bcbd22", "#8c564b"]
NOISE = "#d0d0d0"


def colours(labels: np.ndarray) -> list[str]:
    return [NOISE if lab < 0 else PALETTE[lab % len(PALETTE)] for lab in labels.tolist()]


def grid_figure(grid: clustering.Grid, datasets: Sequence[str], algorithms: Sequence[str]) -> go.Figure:
    """One small scatter per (algorithm, data set): algorithms down, data sets across, so panels stay
    square on a narrow page; each panel's fit time and scores are written in its corner."""
    rows, cols = len(algorithms), len(datasets)
    titles = [clustering.DATASETS[d].replace(", ", ",<br>") for d in datasets]
    fig = make_subplots(rows=rows, cols=cols, column_titles=titles, horizontal_spacing=0.01,
                        vertical_spacing=0.02 if rows < 8 else 0.008)
    cells = {(c.dataset, c.algorithm): c for c in grid.cells}
    for i, a in enumerate(algorithms, start=1):
        for j, d in enumerate(datasets, start=1):
            X, _ = grid.data[d]
            cell = cells[(d, a)]
            fig.add_trace(go.Scattergl(x=X[:, 0], y=X[:, 1], mode="markers", showlegend=False,
                                       marker={"size": 3, "color": colours(cell.labels)},
                                       hovertemplate=f"{clustering.ALGORITHMS[a]}<extra></extra>"), i, j)
            score = (f"ARI {cell.ari:.2f} · NMI {cell.nmi:.2f}" if cell.ari is not None
                     else f"silhouette {cell.silhouette:.2f}" if cell.silhouette is not None else "1 cluster")
            fig.add_annotation(text=f"{cell.seconds:.2f} s · {score}", xref="x domain", yref="y domain",
                               x=0.99, y=0.01, xanchor="right", yanchor="bottom", showarrow=False,
                               font={"size": 9}, bgcolor="rgba(255,255,255,0.75)", row=i, col=j)
        fig.update_yaxes(title_text=clustering.ALGORITHMS[a].replace(" ", "<br>", 1), title_font={"size": 11},
                         row=i, col=1)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_layout(height=max(250, 120 * rows + 70), margin={"l": 10, "r": 10, "t": 50, "b": 5},
                      plot_bgcolor="white")
    return fig


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
