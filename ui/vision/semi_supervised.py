"""Tab "Semi-supervised": with N labelled digits, supervised-only vs methods that also use unlabelled ones.

No Train button: the curve and the scores are computed from the settings at once (cached per setting), so
they are always results of the settings. Settings and results are therefore one fragment (ui/fragments.py):
a slider redraws them, not the page above them; nothing outside it reads the settings.
"""

from __future__ import annotations

from dataclasses import asdict

import plotly.graph_objects as go
import streamlit as st

from dl_core import vision
from ui import fragments


@st.cache_data(show_spinner="Training supervised and semi-supervised models…", max_entries=16)
def _curve(ns: tuple[int, ...], methods: tuple[str, ...], seed: int) -> dict:
    return asdict(vision.semi_supervised_curve(ns, methods, seed=seed))


def _figure(res: dict, n: int) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=res["n_labels"], y=res["supervised"], name="supervised only (logistic regression)",
                             mode="lines+markers"))
    for m, acc in res["semi"].items():
        fig.add_trace(go.Scatter(x=res["n_labels"], y=acc, name=m, mode="lines+markers"))
    # A marker trace, not add_vline: shapes on log axes are placed in log10 units and wreck the range.
    fig.add_trace(go.Scatter(x=[n, n], y=[0, 1], mode="lines", name=f"N = {n}",
                             line={"dash": "dot", "color": "grey"}, hoverinfo="skip"))
    lows = [min(v) for v in [res["supervised"], *res["semi"].values()]]
    fig.update_layout(xaxis={"type": "log", "title": "labelled training digits (log scale)"},
                      yaxis_range=[max(0.0, min(lows) - 0.05), 1.0],
                      yaxis_title="test accuracy", yaxis_tickformat=".0%", height=380,
                      margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend={"orientation": "h", "y": -0.25})
    return fig


def show() -> None:
    st.markdown("Labels are expensive, unlabelled images are cheap. With only **N labelled digits**, compare "
                "a classifier trained on those N alone with semi-supervised methods that also use the other "
                "(unlabelled) training digits. All work on the same 30-d PCA embedding of the pixels.")
    fragments.alone(_compare, shown_below=lambda: False)  # everything that reads the settings is inside


def _compare() -> None:
    """The settings, the accuracy curves they give and the scores at N."""
    c = st.columns(3)
    n = int(c[0].slider("Labelled examples N", 10, 500, 50, 10, key="ss_n"))
    methods = c[1].multiselect("Semi-supervised methods", list(vision.SEMI_METHODS), list(vision.SEMI_METHODS),
                               key="ss_methods")
    seed = c[2].number_input("Seed", 0, 10_000, 0, key="ss_seed")
    res = _curve(tuple(sorted({10, 20, 50, 100, 200, 500, n})), tuple(methods), int(seed))
    st.plotly_chart(_figure(res, n), key="ss_plot")
    i = res["n_labels"].index(n)
    cols = st.columns(1 + len(res["semi"]))
    cols[0].metric(f"Supervised only, N = {n}", f"{res['supervised'][i]:.1%}")
    for col, (m, acc) in zip(cols[1:], res["semi"].items()):
        col.metric(m.capitalize(), f"{acc[i]:.1%}", f"{acc[i] - res['supervised'][i]:+.1%}")
    st.caption(f"{res['n_unlabelled']:,} training digits ({n} labelled), {res['n_test']} test digits. "
               "Label spreading passes labels along a nearest-neighbour graph; self-training adds the "
               "classifier's own confident predictions (pseudo-labels) as labels and refits; when the first "
               "classifier is weak, its confident mistakes get reinforced (confirmation bias).")
