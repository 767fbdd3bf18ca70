"""Step 1 · Data: a bundled series, a synthetic one, or a person's CSV, cleaned into a `Series`.

Every source is parsed once and kept in `st.cache_data` (an upload by its file id), so moving any
later control never re-reads a file. A file that cannot be used is remembered as its message too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dl_core import timeseries as ts
from dl_core.errors import InputError
from ui import echarts, errors

from . import charts

FREQUENCIES = {"infer": None, "hourly": "h", "daily": "D", "weekly": "W", "monthly": "MS", "quarterly": "QS",
               "yearly": "YS"}
TIME_WORDS = ("date", "time", "month", "year", "day", "week", "period")


@dataclass
class Chosen:
    series: ts.Series
    key: str  # identifies the data (and the page's per-series widget defaults)


@st.cache_data(show_spinner="Loading the series…", max_entries=16)
def _bundled(name: str) -> ts.Series:
    return ts.load_bundled(name)


@st.cache_data(show_spinner=False, max_entries=32)
def _synthetic(cfg: ts.SyntheticConfig) -> ts.Series:
    return ts.synthetic(cfg)


@st.cache_data(show_spinner="Reading the file…", max_entries=16, ttl=3600)
def _read_upload(file_id: str, _upload: Any) -> tuple[Any, list[str], str | None]:
    """(frame, notices, None) or (None, [], message): parsed once per uploaded file."""
    try:
        frame, notices = ts.read_table(_upload.getvalue(), name=_upload.name)
    except InputError as exc:
        return None, [], str(exc)
    return frame, notices, None


@st.cache_data(show_spinner="Cleaning the series…", max_entries=32, ttl=3600)
def _upload_series(file_id: str, time_col: str, value_col: str, freq: str | None,
                   _upload: Any) -> tuple[ts.Series | None, str | None]:
    frame, _, error = _read_upload(file_id, _upload)
    if error:
        return None, error
    try:
        return ts.from_frame(frame, time_col, value_col, name=_upload.name, freq=freq), None
    except InputError as exc:
        return None, str(exc)


def _series_chart(key: str, series: ts.Series) -> dict:
    """The series' chart option, built once per series in this session (a few recent ones kept)."""
    options = st.session_state.setdefault("ts_series_options", {})
    if key not in options:
        while len(options) >= 4:
            options.pop(next(iter(options)))
        title = series.description or f"{series.name}: {len(series):,} points"
        options[key] = charts.series_option(series.index, series.values, title)
    return options[key]


def _synthetic_view() -> Chosen:
    c1, c2, c3, c4 = st.columns(4)
    cfg = ts.SyntheticConfig(
        n=c1.slider("Length", 100, 5000, 600, 50, key="ts_syn_n"),
        trend=c1.slider("Trend per step", -0.1, 0.1, 0.02, 0.005, key="ts_syn_trend"),
        season=c2.slider("Season length (steps)", 0, 168, 24, key="ts_syn_season"),
        amplitude=c2.slider("Season amplitude", 0.0, 10.0, 2.0, 0.5, key="ts_syn_amp"),
        noise=c3.slider("Noise", 0.0, 3.0, 0.3, 0.1, key="ts_syn_noise"),
        level_shifts=c3.slider("Level shifts", 0, 5, 1, key="ts_syn_shifts"),
        anomalies=c4.slider("Anomalies (spikes)", 0, 30, 5, key="ts_syn_anom"),
        anomaly_size=c4.slider("Spike size", 0.0, 20.0, 4.0, 0.5, key="ts_syn_anom_size"),
        seed=int(c4.number_input("Seed", 0, 10_000, 0, key="ts_syn_seed")))
    return Chosen(_synthetic(cfg), f"synthetic:{cfg}")


def _upload_view() -> Chosen:
    limit = st.get_option("server.maxUploadSize")
    upload = st.file_uploader(f"A CSV with a time column and a numeric column (up to {limit} MB)",
                              type=["csv", "txt"], key="ts_upload")
    if upload is None:
        st.info("Upload a CSV (e.g. `date,sales`). Dates are parsed; unsorted rows, duplicate time stamps "
                "and missing values are handled and reported.", icon=":material/upload_file:")
        st.stop()
    frame, notices, error = _read_upload(upload.file_id, upload)
    if error:
        raise InputError(error)
    errors.notices(notices)
    cols = list(frame.columns)
    if len(cols) < 2:
        raise InputError(f"{upload.name} has only one column ({cols[0]!r}); a time series needs a time "
                         "column and a numeric value column.")
    c1, c2, c3 = st.columns(3)
    guess = next((c for c in cols if any(w in c.lower() for w in TIME_WORDS)), cols[0])
    time_col = c1.selectbox("Time column", cols, index=cols.index(guess), key="ts_time_col")
    value_col = c2.selectbox("Value column", [c for c in cols if c != time_col], key="ts_value_col")
    freq = c3.selectbox("Frequency", list(FREQUENCIES), key="ts_freq",
                        help="Inferred from the time stamps; choose one to average the data onto it.")
    series, error = _upload_series(upload.file_id, time_col, value_col, FREQUENCIES[freq], upload)
    if error:
        raise InputError(error)
    return Chosen(series, f"upload:{upload.file_id}:{time_col}:{value_col}:{freq}")


def view() -> Chosen:
    """Draw step 1 and return the chosen series (stops the page until there is one)."""
    st.header("1 · Data", divider="gray")
    source = st.radio("Series", ["Bundled real series", "Synthetic", "Upload a CSV"], horizontal=True,
                      key="ts_source")
    with errors.guard():
        if source == "Bundled real series":
            name = st.selectbox("Bundled series (they ship with installed packages; work offline)",
                                ts.bundled_names(), format_func=lambda n: f"{n}: {ts.BUNDLED[n][0]}",
                                key="ts_bundled")
            chosen = Chosen(_bundled(name), f"bundled:{name}")
        elif source == "Synthetic":
            chosen = _synthetic_view()
        else:
            chosen = _upload_view()
    chosen.key = hashlib.sha1(chosen.key.encode()).hexdigest()[:10]
    series = chosen.series
    errors.notices(series.notices)
    # ECharts, not Plotly: the one chart before any click must not cost a new browser Plotly's script.
    echarts.show(_series_chart(chosen.key, series), key="ts_series_chart", height=380)
    st.caption(f"{len(series):,} points · frequency {series.freq or 'plain steps'} · "
               f"suggested season {series.season}")
    return chosen
