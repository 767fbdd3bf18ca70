"""Recommendations page, For me tab: rate a few films, get recommendations at once (the person is folded
into the trained model, nothing is retrained), each with the liked film it is closest to; similar films."""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pandas as pd
import streamlit as st

from dl_core import recommend

from .. import actions
from . import state
from .train import _train

LIKE_AT = 3  # stars; the engine's default (foldin.LIKE_AT)


def _model_picker(results: dict) -> tuple[str, recommend.Recommender]:
    names = list(results)
    def label(m: str) -> str:
        stopped = recommend.stopped_label(results[m].details)
        return recommend.LABELS[m] + (f" ({stopped})" if stopped else "")

    name = st.selectbox("Model", names, index=len(names) - 1, format_func=label,
                        key="rec_me_model", help="Any model trained on the Train tab.")
    return name, results[name].model


def _no_model(current: state.Chosen) -> None:
    st.info("Recommendations need a trained model. Train one on the **Train** tab, or the default ranking "
            "model here (10 to 30 seconds).", icon=":material/info:")
    clicked = st.button("Train the default model", key="rec_me_train", type="primary", icon=":material/play_arrow:")
    if actions.run("rec_train", clicked, lambda: _train(current.data, recommend.RecommenderConfig())) is not None:
        st.rerun()


def for_me_tab() -> None:
    current = state.chosen()
    results = state.results()
    if not results:
        _no_model(current)
        return
    name, rec = _model_picker(results)
    cat = rec.catalogue
    popular_first = np.argsort(-rec.popularity, kind="stable").tolist()
    tag = hashlib.sha1(current.key.encode()).hexdigest()[:8]
    picked = st.multiselect("Films you have seen: type a few letters of a title", popular_first,
                            format_func=cat.label, key=f"rec_me_pick_{tag}", max_selections=50,
                            placeholder="e.g. Toy Story, Matrix, Amélie…")
    ratings: dict[int, float] = {}
    if picked:
        st.caption(f"Your stars (films with {LIKE_AT} stars or more count as liked; everything you rated is left "
                   "out of your recommendations):")
        for item in picked:
            c1, c2 = st.columns([3, 2], vertical_alignment="center")
            c1.markdown(f"**{cat.label(item)}**" + (f" · {', '.join(cat.genres[item])}" if cat.genres[item] else ""))
            with c2:
                stars = st.feedback("stars", key=f"rec_star_{tag}_{item}", default=3)
            if stars is not None:
                ratings[item] = float(stars + 1)
    started = time.perf_counter()
    recs = recommend.recommend_for(rec, ratings, k=10)
    ms = (time.perf_counter() - started) * 1000
    st.subheader("Recommended for you" if ratings else "Recommended for anybody (rate a few films first)")
    st.dataframe(pd.DataFrame({
        "#": range(1, len(recs) + 1), "film": [r.title for r in recs],
        "genres": [", ".join(r.genres) for r in recs],
        "because you liked": [r.because_title or "" for r in recs]}), hide_index=True, key="rec_me_table")
    liked = sum(1 for s in ratings.values() if s >= LIKE_AT)
    st.caption(f"{recommend.LABELS[name]}: {len(ratings)} rating(s), {liked} liked, folded in and scored "
               f"against {rec.n_items:,} items in {ms:.0f} ms. \"Because you liked\" names your liked film whose "
               "learned vector is closest to the recommended one.")
    _similar(rec, popular_first)


def _similar(rec: recommend.Recommender, popular_first: list[int]) -> None:
    st.subheader("Similar films")
    if not rec.has_embeddings and rec.similarity is None:
        st.caption(f"{rec.label} has no notion of similar items; pick a deep model, ALS or item-kNN above.")
        return
    item = st.selectbox("Films like…", popular_first, format_func=rec.catalogue.label, key="rec_similar_pick")
    found = recommend.similar_items(rec, int(item), k=10, min_count=5)
    st.dataframe(pd.DataFrame({"film": [r.title for r in found], "genres": [", ".join(r.genres) for r in found],
                               "similarity": [r.score for r in found]}), hide_index=True, key="rec_similar_table",
                 column_config={"similarity": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0,
                                                                              format="%.2f")})
    st.caption("Cosine similarity of the learned item vectors (item-kNN: of the items' user columns), among "
               "films at least 5 users had in training. Blockbusters sit close to each other: many of the same "
               "people watched them all, and the model learned \"popular\" as one direction of its space.")
