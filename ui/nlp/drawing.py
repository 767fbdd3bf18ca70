"""Drawing helpers for the NLP page: highlighted words, heatmaps, maps, probability bars."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dl_core.nlp import WordAttribution


def highlight_words(text: str, words: Sequence[WordAttribution], label: str) -> str:
    """HTML of the text with each word tinted: green pushed towards `label`, red against it."""
    peak = max((abs(w.score) for w in words), default=0.0) or 1.0
    out, pos = [], 0
    for w in words:
        out.append(html.escape(text[pos:w.start]))
        alpha = min(abs(w.score) / peak, 1.0) * 0.75
        colour = f"rgba(34,160,80,{alpha:.2f})" if w.score >= 0 else f"rgba(220,60,60,{alpha:.2f})"
        out.append(f'<span title="{w.score:+.3f}" style="background:{colour};padding:1px 2px;'
                   f'border-radius:3px">{html.escape(text[w.start:w.end])}</span>')
        pos = w.end
    out.append(html.escape(text[pos:]))
    return (f'<div dir="auto" style="font-size:1.15rem;line-height:2">{"".join(out)}</div>'
            f'<div style="font-size:0.8rem;opacity:0.7">green: pushed towards <b>{html.escape(label)}</b>; '
            "red: pushed against it (integrated gradients).</div>")


def highlight_sentences(sentences: Sequence[str], chosen: set[int]) -> str:
    parts = []
    for i, s in enumerate(sentences):
        s = html.escape(s)
        parts.append(f'<mark style="background:rgba(255,200,0,0.45)">{s}</mark>' if i in chosen else s)
    return f'<div dir="auto" style="line-height:1.8">{" ".join(parts)}</div>'


def heatmap(matrix: np.ndarray, x: Sequence[str], y: Sequence[str], title: str, zmin: float | None = None,
            zmax: float | None = None, colorscale: str = "Blues", text: bool = True) -> go.Figure:
    fig = go.Figure(go.Heatmap(z=matrix, x=list(x), y=list(y), colorscale=colorscale, zmin=zmin, zmax=zmax,
                               texttemplate="%{z:.2f}" if text else None,
                               hovertemplate="%{y} → %{x}: %{z:.3f}<extra></extra>"))
    size = max(360, min(900, 40 * len(y) + 120))
    fig.update_layout(title=title, height=size, yaxis={"autorange": "reversed"},
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def short(texts: Sequence[str], n: int = 40) -> list[str]:
    """Unique, shortened labels for axes (plotly merges equal category names)."""
    out = []
    for i, t in enumerate(texts):
        label = t if len(t) <= n else t[: n - 1] + "…"
        out.append(f"{i + 1}. {label}")
    return out


def probability_bars(tokens: Sequence[str], probs: Sequence[float], kept: Sequence[bool]) -> go.Figure:
    labels = [repr(t)[1:-1] or "∅" for t in tokens]
    colours = ["#2a7ae2" if k else "#bbbbbb" for k in kept]
    fig = go.Figure(go.Bar(x=list(probs), y=labels, orientation="h", marker_color=colours,
                           hovertemplate="%{y}: %{x:.3f}<extra></extra>"))
    fig.update_layout(title="First new token: most likely candidates (blue = can be sampled)",
                      xaxis_title="probability", height=max(300, 24 * len(labels) + 80),
                      yaxis={"autorange": "reversed"}, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def scatter_map(xy: np.ndarray, texts: Sequence[str], groups: Sequence[str], title: str) -> go.Figure:
    fig = go.Figure()
    groups = np.asarray(groups)
    for g in dict.fromkeys(groups.tolist()):
        m = groups == g
        fig.add_trace(go.Scatter(x=xy[m, 0], y=xy[m, 1], mode="markers", name=str(g),
                                 text=[t[:120] for t, k in zip(texts, m) if k],
                                 hovertemplate="%{text}<extra></extra>", marker={"size": 7, "opacity": 0.75}))
    fig.update_layout(title=title, height=480, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      xaxis_title="component 1", yaxis_title="component 2")
    return fig
