"""Recommendations page, Data tab: the bundled MovieLens ratings or the person's own CSV, columns picked."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import streamlit as st

from dl_core import recommend

from .. import echarts, errors
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
    # ECharts, not Plotly: the page's one chart before any click must not cost a new browser Plotly's script.
    if data.has_ratings:
        left, right = st.columns(2)
        with left:
            echarts.show(long_tail_option(per_item), key="rec_data_tail", height=300)
        with right:
            echarts.show(ratings_option(data.ratings), key="rec_data_ratings", height=300)
    else:
        echarts.show(long_tail_option(per_item), key="rec_data_tail", height=300)
    share = per_item[: max(1, len(per_item) // 10)].sum() / max(per_item.sum(), 1)
    st.caption(f"The 10% most-had items gather {share:.0%} of all interactions; median per user "
               f"{s['median_per_user']:.0f}, per item {s['median_per_item']:.0f}. This is why popularity is "
               "a strong baseline, and why rarely-had items are hard to recommend well.")
    with st.expander("First rows", icon=":material/table:"):
        st.dataframe(data.rows(np.arange(min(50, len(data)))).frame(), hide_index=True)


def _axis(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "nameLocation": "middle", "nameGap": 28, **extra}


def long_tail_option(per_item: np.ndarray) -> dict[str, Any]:
    """Interactions per item, most-had first, on a log axis: item rank 1, 2, ... against its count."""
    # A log axis has no 0: an item nobody had (none in a table of interactions) would be a gap.
    points = [[rank, c if c > 0 else None] for rank, c in enumerate(np.asarray(per_item).tolist(), start=1)]
    return echarts.option(
        title=echarts.title("The long tail: interactions per item, most-had first"),
        grid={"left": 36, "right": 20, "top": 40, "bottom": 36, "containLabel": True},
        tooltip={**echarts.BASE["tooltip"], "valueFormatter": "localized"},
        xAxis=_axis("item rank", type="value", min=1, max=max(len(points), 2),
                    axisPointer={"label": {"precision": 0, "formatter": "item rank {value}"}}),
        # Down to 0.5, not 1: the items had once lie on a line of their own, not on the axis.
        yAxis=_axis("interactions", type="log", logBase=10, min=0.5, nameGap=36,
                    axisLabel={"showMinLabel": False}),
        series=[{"type": "line", "name": "interactions", "data": points, "showSymbol": False,
                 "symbol": "none", "sampling": "lttb"}])


def ratings_option(ratings: np.ndarray) -> dict[str, Any]:
    """How many interactions have each rating value: one bar per distinct value."""
    values, counts = np.unique(np.asarray(ratings, dtype=float), return_counts=True)
    return echarts.option(
        title=echarts.title("Ratings"),
        grid={"left": 36, "right": 20, "top": 40, "bottom": 36, "containLabel": True},
        tooltip={**echarts.BASE["tooltip"], "valueFormatter": "localized"},
        xAxis=_axis("rating", type="category", data=[f"{v:g}" for v in values],
                    axisPointer={"label": {"formatter": "rating {value}"}}),
        yAxis=_axis("interactions", type="value", nameGap=44),
        series=[{"type": "bar", "name": "interactions", "data": [int(c) for c in counts]}])
