"""Recommendations page, Data tab: the bundled MovieLens ratings or the person's own CSV, columns picked.

The parsed upload is kept in the session (never the file): an uploader is empty again when its tab is
reopened (only the open tab is drawn, ui/tabs.py), and the person's data must not vanish with it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from dl_core import recommend

from .. import echarts, errors
from . import state

NONE = "(none)"
UPLOAD = "recommend::upload"  # session key: the last good upload, parsed (an Upload)


@dataclass(frozen=True)
class Upload:
    digest: str  # of the file's bytes
    name: str
    frame: pd.DataFrame
    notices: list[str] = field(default_factory=list)


def _forget_upload() -> None:
    """The person changed the uploader (another file, or removed it): the kept upload goes, and the tabs
    work on MovieLens until a new file is read."""
    st.session_state.pop(UPLOAD, None)
    st.session_state.pop(state.DATA, None)


def _parsed(upload) -> Upload | None:
    """The upload parsed (once per file), the one kept from earlier when the uploader is empty, or None."""
    kept = st.session_state.get(UPLOAD)
    if upload is None:
        return kept
    digest = hashlib.sha1(upload.getvalue()).hexdigest()[:12]
    if kept is not None and (kept.digest, kept.name) == (digest, upload.name):
        return kept
    st.session_state.pop(UPLOAD, None)  # a bad new file must not leave the old one in place
    frame, notices = recommend.read_table(upload, name=upload.name)
    st.session_state[UPLOAD] = Upload(digest, upload.name, frame, notices)
    return st.session_state[UPLOAD]


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
                              "a rating and a time", type=["csv", "tsv", "txt"], key="rec_upload",
                              on_change=_forget_upload)
    with errors.guard(stop=False):
        parsed = _parsed(upload)
        if parsed is None:
            st.info("Upload a CSV (for example `user,item,rating,timestamp`; any column names: you pick them "
                    "below). Until then the tabs use MovieLens.", icon=":material/upload_file:")
            return
        frame, notices = parsed.frame, parsed.notices
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
        key = f"upload:{parsed.digest}:" + ":".join(str(pick[r]) for r in ("user", "item", "rating", "time", "title"))
        if state.chosen().key != key:
            data = recommend.read_interactions(frame, pick["user"], pick["item"], pick["rating"], pick["time"],
                                               pick["title"], name=parsed.name)
            state.choose(state.Chosen(key, data, bundled=False, notices=notices + data.notices))
        earlier = " (uploaded earlier; upload another file above to replace it)" if upload is None else ""
        st.success(f"Using **{parsed.name}**{earlier}: the Train, For me and Map tabs now work on it.",
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
    # Tracks its state (a click reruns) and draws the table only while open: a collapsed expander still
    # draws its content, and one table makes a new browser load the table script (issue 13).
    rows = st.expander("First rows", icon=":material/table:", key="rec_data_rows", on_change="rerun")
    if rows.open:
        with rows:
            st.dataframe(data.rows(np.arange(min(50, len(data)))).frame(), hide_index=True, key="rec_data_table")


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
