"""Recommendations page, Data tab: the bundled MovieLens ratings or the person's own CSV, columns picked."""

from __future__ import annotations

import hashlib

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from dl_core import recommend

from .. import errors
from . import state

NONE = "(none)"


def data_tab() -> None:
    source = st.radio("Data", ["MovieLens (bundled)", "My CSV of interactions"], horizontal=True,
                      key="rec_source", label_visibility="collapsed")
    if source.startswith("MovieLens"):
        if not state.chosen().bundled:
            state.choose(state.Chosen("movielens", state.movielens(), bundled=True))
        _movielens_card()
    else:
        _upload()
    current = state.chosen()
    errors.notices(current.notices)
    _summary(current.data)


def _movielens_card() -> None:
    card = recommend.MOVIELENS_CARD
    with st.expander(f"Data card: {card['name']}", expanded=True, icon=":material/badge:"):
        st.markdown(f"- **What:** {card['what']}\n- **Source:** {card['source']}\n- **Terms:** {card['terms']}")


def _upload() -> None:
    upload = st.file_uploader("CSV with one row per interaction: a user column and an item column, optionally "
                              "a rating and a time", type=["csv", "tsv", "txt"], key="rec_upload")
    if upload is None:
        st.info("Upload a CSV (for example `user,item,rating,timestamp`; any column names: you pick them "
                "below). Until then the tabs use MovieLens.", icon=":material/upload_file:")
        return
    with errors.guard(stop=False):
        frame, notices = recommend.read_table(upload, name=upload.name)
        columns = list(frame.columns)
        guess = recommend.guess_columns(columns)
        c1, c2, c3, c4, c5 = st.columns(5)
        pick = {}
        for col, role, label in ((c1, "user", "User column"), (c2, "item", "Item column"),
                                 (c3, "rating", "Rating column"), (c4, "time", "Time column"),
                                 (c5, "title", "Title column")):
            options = columns if role in ("user", "item") else [NONE, *columns]
            fallback = options[min(1, len(options) - 1)] if role == "item" else options[0]
            default = guess[role] if guess[role] in options else fallback
            value = col.selectbox(label, options, index=options.index(default), key=f"rec_col_{role}")
            pick[role] = None if value == NONE else value
        digest = hashlib.sha1(upload.getvalue()).hexdigest()[:12]
        key = f"upload:{digest}:" + ":".join(str(pick[r]) for r in ("user", "item", "rating", "time", "title"))
        if state.chosen().key != key:
            data = recommend.read_interactions(frame, pick["user"], pick["item"], pick["rating"], pick["time"],
                                               pick["title"], name=upload.name)
            state.choose(state.Chosen(key, data, bundled=False, notices=notices + data.notices))
        st.success(f"Using **{upload.name}**: the Train, For me and Map tabs now work on it.",
                   icon=":material/check_circle:")


def _summary(data: recommend.Interactions) -> None:
    s = data.summary()
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Interactions", f"{s['interactions']:,}")
    c2.metric("Users", f"{s['users']:,}")
    c3.metric("Items", f"{s['items']:,}")
    c4.metric("Filled-in share of the matrix", f"{s['density']:.2%}",
              help="Interactions / (users × items): recommenders learn from a very sparse matrix.")
    per_item = np.sort(data.item_counts())[::-1]
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        "The long tail: interactions per item, most-had first", "Ratings" if data.has_ratings else ""))
    fig.add_trace(go.Scatter(y=per_item, mode="lines", name="interactions per item"), 1, 1)
    fig.update_yaxes(type="log", title_text="interactions", row=1, col=1)
    fig.update_xaxes(title_text="item rank", row=1, col=1)
    if data.has_ratings:
        values, counts = np.unique(data.ratings, return_counts=True)
        fig.add_trace(go.Bar(x=values, y=counts, name="ratings"), 1, 2)
        fig.update_xaxes(title_text="rating", row=1, col=2)
    fig.update_layout(height=300, showlegend=False, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    st.plotly_chart(fig, key="rec_data_fig")
    share = per_item[: max(1, len(per_item) // 10)].sum() / max(per_item.sum(), 1)
    st.caption(f"The 10% most-had items gather {share:.0%} of all interactions; median per user "
               f"{s['median_per_user']:.0f}, per item {s['median_per_item']:.0f}. This is why popularity is "
               "a strong baseline, and why rarely-had items are hard to recommend well.")
    with st.expander("First rows", icon=":material/table:"):
        st.dataframe(data.rows(np.arange(min(50, len(data)))).frame(), hide_index=True)
