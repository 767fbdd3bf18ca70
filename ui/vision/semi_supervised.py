"""Tab "Semi-supervised": with N labelled digits, supervised-only vs methods that also use unlabelled ones.

No Train button: the curve and the scores are computed from the settings at once (cached per setting), so
they are always results of the settings. Settings and results are therefore one fragment (ui/fragments.py):
a slider redraws them, not the page above them; nothing outside it reads the settings.
"""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from dl_core import vision
from ui import echarts, fragments


@st.cache_data(show_spinner="Training supervised and semi-supervised models…", max_entries=16)
def _curve(ns: tuple[int, ...], methods: tuple[str, ...], seed: int) -> dict:
    return asdict(vision.semi_supervised_curve(ns, methods, seed=seed))


def _option(res: dict, n: int) -> dict:
    """Test accuracy (in %) against N on a log axis, one line per method, N marked by a dotted line.

    N redraws it: ECharts (ui/echarts.py says why)."""
    def line(name: str, acc, **extra) -> dict:
        return {"type": "line", "name": name, "data": [[x, round(100 * a, 2)] for x, a in zip(res["n_labels"], acc)],
                "symbolSize": 6, **extra}

    series = [line("supervised only (logistic regression)", res["supervised"])]
    series += [line(m, acc) for m, acc in res["semi"].items()]
    series[0]["markLine"] = {"symbol": "none", "silent": True, "data": [{"xAxis": n}],
                             "lineStyle": {"type": "dotted", "color": "grey"}, "label": {"formatter": f"N = {n}"}}
    lows = [min(v) for v in [res["supervised"], *res["semi"].values()]]
    i = res["n_labels"].index(n)
    said = "; ".join([f"supervised only {res['supervised'][i]:.1%}"]
                     + [f"{m} {acc[i]:.1%}" for m, acc in res["semi"].items()])
    return echarts.option(
        aria={"enabled": True, "label": {"description": f"Test accuracy against labelled digits; at N = {n}: {said}."}},
        legend={"bottom": 0},
        grid={"left": 10, "right": 30, "top": 30, "bottom": 70, "containLabel": True},
        xAxis={"type": "log", "logBase": 10, "name": "labelled training digits (log scale)", "nameLocation": "middle",
               "nameGap": 28, "min": min(res["n_labels"]), "max": max(res["n_labels"])},
        yAxis={"type": "value", "name": "test accuracy (%)", "min": round(max(0.0, min(lows) - 0.05) * 100), "max": 100,
               "axisLabel": {"formatter": "{value}%"}},
        tooltip={"trigger": "axis", "confine": True},
        series=series,
    )


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
    echarts.show(_option(res, n), key="ss_plot", height=380)
    i = res["n_labels"].index(n)
    cols = st.columns(1 + len(res["semi"]))
    cols[0].metric(f"Supervised only, N = {n}", f"{res['supervised'][i]:.1%}")
    for col, (m, acc) in zip(cols[1:], res["semi"].items()):
        col.metric(m.capitalize(), f"{acc[i]:.1%}", f"{acc[i] - res['supervised'][i]:+.1%}")
    st.caption(f"{res['n_unlabelled']:,} training digits ({n} labelled), {res['n_test']} test digits. "
               "Label spreading passes labels along a nearest-neighbour graph; self-training adds the "
               "classifier's own confident predictions (pseudo-labels) as labels and refits; when the first "
               "classifier is weak, its confident mistakes get reinforced (confirmation bias).")
