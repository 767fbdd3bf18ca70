"""Recommendations: learn tastes from ratings, recommend films to the person at the keyboard.

Tabs: the data (bundled MovieLens or a CSV) · train and compare models and baselines · "for me"
(rate films, get recommendations at once) · a map of the learned item embeddings. The tab bodies live
in ui/recommend/; everything they compute comes from dl_core.recommend.
"""

import streamlit as st

from ui.recommend import data, embedding_map, for_me, train

st.title("Recommendations")
st.markdown(
    "A recommender learns what people like from **who rated what**, nothing else: each user and each film "
    "becomes a vector, and films whose vectors point the same way as yours are recommended. Train a model "
    "on 100,000 MovieLens ratings (or your own interactions), see how it compares with simple baselines on "
    "ratings it never saw, then rate a few films yourself and get your own recommendations."
)

data_tab, train_tab, me_tab, map_tab = st.tabs(["Data", "Train & compare", "For me", "Embedding map"])
with data_tab:
    data.data_tab()
with train_tab:
    train.train_tab()
with me_tab:
    for_me.for_me_tab()
with map_tab:
    embedding_map.map_tab()
