"""Recommendations page, Map tab: the learned item embeddings in 2-D (PCA or t-SNE), coloured by genre."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dl_core import recommend

from .. import errors
from . import state


def map_tab() -> None:
    results = {n: r for n, r in state.results().items() if r.model.has_embeddings}
    if not results:
        st.info("Train a deep model (or ALS) on the Train tab to see its item embeddings here.",
                icon=":material/info:")
        return
    names = list(results)
    c1, c2, c3, c4 = st.columns(4)
    name = c1.selectbox("Model", names, index=len(names) - 1, format_func=lambda m: recommend.LABELS[m],
                        key="rec_map_model")
    method = c2.radio("Projection", ["pca", "tsne"], horizontal=True, key="rec_map_method",
                      format_func={"pca": "PCA (instant)", "tsne": "t-SNE (seconds)"}.get)
    count = c3.select_slider("Items shown (most-had first)", [200, 500, 1000, 2000], 1000, key="rec_map_n")
    min_count = c4.slider("At least … users had it", 1, 50, 10, key="rec_map_min")
    result = results[name]
    cache = result.details.setdefault("maps", {})
    key = (method, count, min_count)
    if key not in cache:
        with errors.guard(stop=False), st.spinner("Projecting the embeddings…"):
            cache[key] = recommend.embedding_map(result.model, method, max_items=count, min_count=min_count)
    frame = cache.get(key)
    if frame is None:
        return
    fig = px.scatter(frame, x="x", y="y", color="genre", hover_name="title",
                     hover_data={"genres": True, "count": True, "x": False, "y": False, "genre": False},
                     height=620, labels={"count": "users who had it"})
    fig.update_traces(marker={"size": 6, "opacity": 0.8})
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend_title="main genre",
                      xaxis_title="", yaxis_title="")
    st.plotly_chart(fig, key="rec_map_fig")
    st.caption(f"{len(frame):,} films as {recommend.LABELS[name]} placed them. Colour: each film's rarest genre "
               "(its most telling one). Films that the same "
               "people like end up close together: the model learned this from ratings alone"
               + (" (the two-tower model also saw genres and decades)." if name == "two-tower" else "."))
