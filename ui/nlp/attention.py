"""Attention tab: where each token of a sentence looks, layer by layer, head by head."""

from __future__ import annotations

import streamlit as st

from dl_core import nlp
from ui import actions, cards

from . import drawing
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


def show(att: nlp.Attention) -> None:
    n_layers, n_heads = att.weights.shape[:2]
    c = st.columns(2)
    layer = c[0].slider("Layer", 1, n_layers, n_layers, key="nlp_att_layer")
    head = c[1].select_slider("Head", ["average", *range(1, n_heads + 1)], "average", key="nlp_att_head")
    w = att.weights[layer - 1].mean(0) if head == "average" else att.weights[layer - 1, int(head) - 1]
    labels = [f"{i}:{t}" for i, t in enumerate(att.tokens)]
    st.plotly_chart(drawing.heatmap(w, labels, labels, f"Layer {layer}, head {head}", zmin=0, text=False,
                                    colorscale="Viridis"), key="nlp_att_heat")
