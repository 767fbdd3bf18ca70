"""Recommendations: learn tastes from ratings, recommend films to the person at the keyboard.

Tabs: the data (bundled MovieLens or a CSV) · train and compare models and baselines · "for me"
(rate films, get recommendations at once) · a map of the learned item embeddings. The tab bodies live
in ui/recommend/; everything they compute comes from dl_core.recommend.
"""

import streamlit as st

from ui import tabs
from ui.recommend import data, embedding_map, for_me, train

st.title("Recommendations")
st.markdown(
    "A recommender learns what people like from **who rated what**, nothing else: each user and each film "
    "becomes a vector, and films whose vectors point the same way as yours are recommended. Train a model "
    "on 100,000 MovieLens ratings (or your own interactions), see how it compares with simple baselines on "
    "ratings it never saw, then rate a few films yourself and get your own recommendations."
)

# Only the open tab runs (?recommend_tab=... in the URL); what was set in the others is kept (ui/tabs.py:
# a key belongs to the tab with its longest matching prefix, so "rec_" is the Train tab's). The chosen
# data, the trained models and the parsed upload live in the session (ui/recommend/state.py, data.py).
tabs.show("recommend_tab", [
    tabs.Tab("Data", data.data_tab, ("rec_source", "rec_upload", "rec_col_", "rec_data_")),
    tabs.Tab("Train & compare", train.train_tab, ("rec_",)),
    tabs.Tab("For me", for_me.for_me_tab, ("rec_me_", "rec_star_", "rec_similar_")),
    tabs.Tab("Embedding map", embedding_map.map_tab, ("rec_map_",)),
])
