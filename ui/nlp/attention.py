"""Attention tab: where each token of a sentence looks, layer by layer, head by head."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from dl_core import nlp
from ui import actions, cards, echarts

from .common import encoder


def view() -> None:
    st.markdown("**Inside the transformer**: MiniLM has 6 layers of 12 attention heads. Each row shows where one "
                "token looks when building its new representation.")
    sentence = st.text_input("Sentence", "The animal didn't cross the street because it was too tired.",
                             key="nlp_att_text")
    clicked = st.button("Show attention", type="primary", key="nlp_att_go")
    att = actions.run("nlp_att", clicked, lambda: nlp.attention_weights(encoder(), sentence))
    if att is not None:
        show(att)
    cards.model_card(nlp.ENCODER)


@st.fragment
def show(att: nlp.Attention) -> None:
    """A fragment: layer and head redraw this heatmap only, not the tab around it (issue 13)."""
    n_layers, n_heads = att.weights.shape[:2]
    c = st.columns(2)
    layer = c[0].slider("Layer", 1, n_layers, n_layers, key="nlp_att_layer")
    head = c[1].select_slider("Head", ["average", *range(1, n_heads + 1)], "average", key="nlp_att_head")
    w = att.weights[layer - 1].mean(0) if head == "average" else att.weights[layer - 1, int(head) - 1]
    labels = [f"{i}:{t}" for i, t in enumerate(att.tokens)]
    option, height = attention_option(w, labels, f"Layer {layer}, head {head}")
    echarts.show(option, key="nlp_att_heat", height=height)


def attention_option(weights: np.ndarray, tokens: Sequence[str], title: str) -> tuple[dict, int]:
    """Row i: how token i spreads its attention over the tokens (columns). (ECharts option, height in px).

    Layer and head redraw it: ECharts (ui/echarts.py says why)."""
    n = len(tokens)
    cells = [[j, i, round(float(weights[i, j]), 3), f"{tokens[i]} → {tokens[j]}"] for i in range(n) for j in range(n)]
    height = max(360, min(900, 40 * n + 120))
    top = round(max(float(weights.max()), 1e-6), 3)
    option = echarts.option(
        aria={"enabled": True, "label": {"description": f"{title}: attention of {n} tokens to each other."}},
        title=echarts.title(title),
        tooltip={"trigger": "item", "confine": True},
        grid={"left": 10, "right": 90, "top": 40, "bottom": 10, "containLabel": True},
        xAxis={"type": "category", "data": list(tokens), "axisLabel": {"rotate": 60, "interval": 0},
               "splitArea": {"show": False}},
        yAxis={"type": "category", "data": list(tokens), "inverse": True, "axisLabel": {"interval": 0}},
        visualMap=echarts.colour_bar(0, top, echarts.VIRIDIS, [f"{top:.2f}", "0"], right=0, top=40),
        series=[{"type": "heatmap", "name": "attention", "data": cells, "emphasis": {"disabled": True},
                 "tooltip": {"formatter": "{@[3]}: {@[2]}"}}],
    )
    return option, height
