"""Step 1 · Data: synthetic card transactions, or a person's labelled CSV, prepared and split once.

A file is parsed once per upload (`st.cache_data`, by its file id) and the prepared split is kept in
this session for the current data settings, so moving any later control never re-reads or re-splits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dl_core import fraud
from dl_core.errors import InputError
from ui import actions, errors, fragments

from .words import Words

PREPARED = "fraud::data"  # (data key, FraudData or the InputError message) for the current settings
SOURCES = ["Synthetic (generated here)", "My labelled CSV"]


@dataclass
class Chosen:
    data: fraud.FraudData
    frame: pd.DataFrame
    key: tuple  # identifies the data settings (source, file, label, positive value)
    words: Words


@st.cache_data(max_entries=4, show_spinner="Generating transactions…")
def synthetic(rows: int, rate: float, difficulty: float, seed: int) -> pd.DataFrame:
    return fraud.generate(fraud.GeneratorConfig(rows=rows, fraud_rate=rate, difficulty=difficulty, seed=seed))


@st.cache_data(max_entries=8, ttl=3600, show_spinner="Reading the file…")
def read_upload(file_id: str, _upload: Any) -> tuple[pd.DataFrame | None, list[str], str | None]:
    """(frame, notices, None) or (None, [], message): each uploaded file is parsed once."""
    try:
        frame, notices = fraud.read_table(_upload.getvalue(), name=_upload.name)
    except InputError as exc:
        return None, [], str(exc)
    return frame, notices, None


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _detected_label(file_id: str, _frame: pd.DataFrame) -> str | None:
    return fraud.detect_label(_frame)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _label_values(file_id: str, label_col: str, _frame: pd.DataFrame) -> list[str]:
    return fraud.label_values(_frame, label_col)


def upload_limit_mb() -> int:
    """What a page can really take: the server's upload limit, or the engine's, whichever is lower."""
    return int(min(st.get_option("server.maxUploadSize"), fraud.CSV_MAX_BYTES // (1024 * 1024)))


def _synthetic() -> tuple[pd.DataFrame, str, str | None, tuple, list[str]]:
    c1, c2, c3, c4 = st.columns(4)
    rows = c1.slider("Transactions", 2_000, 200_000, 20_000, step=1_000, key="fraud_rows")
    rate = c2.slider("Fraud rate (%)", 0.1, 10.0, 2.0, step=0.1, key="fraud_rate")
    difficulty = c3.slider("Difficulty", 0.0, 1.0, 0.5, step=0.05, key="fraud_difficulty",
                           help="0: fraud stands out. 1: fraudsters imitate normal customers.")
    seed = int(c4.number_input("Seed", 0, 1_000_000, 0, key="fraud_seed"))
    frame = synthetic(rows, rate / 100, difficulty, seed)
    st.caption("Each row is a card payment: amount, hour, merchant category, distance from the card holder's "
               "home, payments in the last 24 h, the holder's usual spend, card present, new device. Fraud "
               "follows four patterns (card-not-present at night, card testing with tiny amounts, skimmed "
               "cards cashed out far from home, account takeover); difficulty makes fraudsters copy normal "
               "behaviour. `transaction_id` is an identifier and is dropped, with a notice.")
    return frame, "is_fraud", None, ("synthetic", rows, rate, difficulty, seed), []


def _upload() -> tuple[pd.DataFrame, str | None, str | None, tuple, list[str]]:
    upload = st.file_uploader(f"Labelled rows (CSV, up to {upload_limit_mb()} MB)", type=["csv", "txt"],
                              key="fraud_csv",
                              help="One row per transaction (or loan, customer…) and a label column with two "
                                   "values (0/1, Yes/No, fraud/legit…). The Time, V1…V28, Amount, Class "
                                   "card-fraud layout is recognised automatically.")
    if upload is None:
        st.info("Upload a CSV with a label column, or switch to synthetic transactions.", icon=":material/upload:")
        fragments.stop()
    frame, notices, error = read_upload(upload.file_id, upload)
    if error:
        raise InputError(error)
    detected = _detected_label(upload.file_id, frame)
    cols = list(frame.columns)
    c1, c2 = st.columns(2)
    label_col = c1.selectbox("Label column (which rows are positive: fraud, default, churn…)", cols,
                             key="fraud_label", index=cols.index(detected) if detected in cols else None,
                             placeholder="Choose the label column")
    if label_col is None:
        st.info("No label column was recognised: choose the column that says which rows are positive.")
        fragments.stop()
    levels = _label_values(upload.file_id, label_col, frame)
    choice = c2.selectbox(f"Positive value of '{label_col}'", ["the rarer value"] + levels[:50],
                          key="fraud_positive")
    positive = None if choice == "the rarer value" else choice
    # The detected label goes in as None, so that prepare() says how it recognised it.
    auto = None if label_col == detected else label_col
    return frame, auto, positive, ("csv", upload.file_id, label_col, positive), notices


def _prepare(frame: pd.DataFrame, label_col: str | None, positive: str | None) -> fraud.FraudData | str:
    try:
        return fraud.prepare(frame, label_col=label_col, positive=positive)
    except InputError as exc:
        return str(exc)  # remembered: a bad choice is not re-checked on every rerun


@st.cache_data(max_entries=4, show_spinner="Preparing the transactions…")
def _prepared_synthetic(key: tuple, _frame: pd.DataFrame) -> fraud.FraudData | str:
    """The synthetic data's split, shared by every session as a copy (the default opens at once)."""
    return _prepare(_frame, "is_fraud", None)


def _prepared(key: tuple, frame: pd.DataFrame, label_col: str | None, positive: str | None) -> fraud.FraudData:
    """The split for the current data settings, kept in this session (one object per session: the
    baselines fitted on it are kept with it)."""
    kept = st.session_state.get(PREPARED)
    if kept is None or kept[0] != key:
        prepared = (_prepared_synthetic(key, frame) if key[0] == "synthetic"
                    else _prepare(frame, label_col, positive))
        kept = st.session_state[PREPARED] = (key, prepared)
    if isinstance(kept[1], str):
        raise InputError(kept[1])
    return kept[1]


def view(shown_below: Callable[[], bool], trained_on: Callable[[], tuple | None]) -> Chosen:
    """Draw step 1 and return the prepared data (stops the page until there is some). Unless something
    below reads the data's current settings (`shown_below()`), a data control redraws only this step
    (ui/fragments.py); the models' results below are of the data they were trained on (`trained_on()`, its
    key), and this step says when the data differs from it."""
    return fragments.alone(partial(_view, trained_on), shown_below)


def _view(trained_on: Callable[[], tuple | None]) -> Chosen:
    st.header("1 · Data", divider="gray")
    source = st.radio("Data", SOURCES, key="fraud_source", horizontal=True)
    with errors.guard():
        frame, label_col, positive, key, notices = _synthetic() if source == SOURCES[0] else _upload()
        data = _prepared(key, frame, label_col, positive)
    words = Words(data.terms)
    errors.notices(notices + data.notices)
    if (trained := trained_on()) is not None:
        actions.results_match(trained == key, "The results below are of these data settings.",
                              "The data settings changed since training: the results below are of the earlier "
                              "data. **Train models** to update.")
    m = st.columns(4)
    m[0].metric("Rows", f"{len(frame):,}")
    for col, (split, s) in zip(m[1:], data.summary().items()):
        col.metric(f"{split.capitalize()} split", f"{s['rows']:,}",
                   f"{s['fraud']:,} {words.positive} ({s['fraud'] / s['rows']:.2%})", delta_color="off")
    # Drawn only while open: a collapsed expander still draws its content, a new table on every move of
    # a data slider (issue 13).
    preview = st.expander(f"Preview the {words.rows}", key="fraud_preview", on_change="rerun")
    if preview.open:
        with preview:
            st.dataframe(frame.head(200), hide_index=True)
    return Chosen(data=data, frame=frame, key=key, words=words)
