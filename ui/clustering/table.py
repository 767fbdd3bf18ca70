"""Tab "Your table (CSV)": cluster the rows of an uploaded CSV (or the wine example), score the
clusters, scan k, profile the clusters and download the table with a cluster column.

The upload is parsed once per file (cached by its file id), and every step after it is cached on
(file, settings): moving a control that does not change the clustering redraws from the cache.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from dl_core import clustering as cl
from dl_core.errors import InputError
from ui import echarts, errors, expanders

from . import plots
from .controls import algorithm_sliders

SCATTER_HEIGHT = 520  # px
MAX_PLOT_POINTS = 5_000  # a browser draws a few thousand points smoothly, not 200,000
EXAMPLE = "example:wine"
KEPT = "clustering_table::upload"  # (file id, name, Table) of the last good upload


@st.cache_data(show_spinner=False, max_entries=1)
def _example():
    return cl.example_table()


@st.cache_data(show_spinner="Reading the file…", max_entries=8)
def _read(file_id: str, name: str, _upload) -> object:
    """The parsed upload (a Table), or the message of why it cannot be read: cached per file, so a
    bad file is not parsed again on every rerun either."""
    try:
        return cl.read_table(_upload, name=name)
    except InputError as exc:
        return str(exc)


@st.cache_data(show_spinner=False, max_entries=16)
def _numeric(source: str, label: str | None, _frame) -> tuple[list[str], list[str]]:
    return cl.numeric_columns(_frame, [label] if label else [])


@st.cache_data(show_spinner=False, max_entries=16)
def _prepared(source: str, features: tuple, label: str | None, scale: str, _frame) -> cl.Prepared:
    return cl.prepare(_frame, list(features), label, scale)


@st.cache_data(show_spinner="Clustering…", max_entries=32)
def _clustered(setting: tuple, algorithm: str, k: int, params: tuple, _prepared: cl.Prepared) -> cl.Clustering:
    return cl.cluster_matrix(_prepared.X, algorithm, k, dict(params), _prepared.truth, 0)


@st.cache_resource(show_spinner="Trying k = 1…10…", max_entries=16)
def _k_scan_figure(setting: tuple, _X: np.ndarray):
    """The elbow and silhouette figure (figures are cached whole: building one costs more than a rerun)."""
    return plots.k_scan_figure(cl.k_scan(_X, 10, 0))


@st.cache_resource(show_spinner=False, max_entries=32)
def _scatter_chart(setting: tuple, algorithm: str, k: int, params: tuple, dims: int, _prepared: cl.Prepared,
                   _labels: np.ndarray):
    """The clusters in 2-D (an ECharts option) or 3-D (a Plotly figure), on principal components when there
    are more columns, at most MAX_PLOT_POINTS of them, hover = the label column's value: (chart, caption or
    None). Cached whole and shared read-only: building one costs more than a rerun."""
    P = cl.projection(_prepared.X, dims)
    axis = "PC" if _prepared.X.shape[1] > dims else "feature"
    shown, note = np.arange(len(P)), None
    if len(P) > MAX_PLOT_POINTS:
        shown = np.sort(np.random.default_rng(0).choice(len(P), MAX_PLOT_POINTS, replace=False))
        note = f"Showing a random {MAX_PLOT_POINTS:,} of {len(P):,} rows."
    hover = None
    if _prepared.truth is not None:
        hover = [f"{setting[2]}: {_prepared.truth_names[_prepared.truth[i]]}" for i in shown]
    if dims == 2:
        return plots.scatter_option(P[shown], _labels[shown], hover, axis=axis), note
    return plots.scatter_figure(P[shown], _labels[shown], hover, axis=axis), note


@st.cache_data(show_spinner=False, max_entries=16)
def _profiles(setting: tuple, algorithm: str, k: int, params: tuple, _prepared, _labels):
    return cl.profiles(_prepared.raw, _labels).round(3)


@st.cache_resource(show_spinner=False, max_entries=32)
def _profiles_chart(setting: tuple, algorithm: str, k: int, params: tuple, _prepared: cl.Prepared,
                    _labels: np.ndarray) -> tuple[dict, int]:
    """The profiles heatmap (option, height), cached whole and shared read-only like the scatter."""
    return plots.profiles_option(cl.profiles(_prepared.raw, _labels), cl.profile_scores(_prepared.raw, _labels))


def _forget() -> None:
    """The person changed the uploader (another file, or removed it): the kept upload goes."""
    st.session_state.pop(KEPT, None)


def _source():
    """(frame, notices, file name, cache key) of the upload, or of the wine example.

    The parsed upload is kept in the session: an uploader is empty again when its tab is reopened
    (only the open tab is drawn, ui/tabs.py), and the person's file must not vanish with it."""
    upload = st.file_uploader("CSV file", type=["csv", "txt"], key="cl_csv", on_change=_forget)
    if upload is not None:
        table = _read(upload.file_id, upload.name, upload)
        if isinstance(table, str):
            raise InputError(table)
        st.session_state[KEPT] = (upload.file_id, upload.name, table)
        return table.frame, table.notices, upload.name, upload.file_id
    if KEPT in st.session_state:
        file_id, name, table = st.session_state[KEPT]
        st.button(f"Using {name} (uploaded earlier): use the example instead", key="cl_csv_forget",
                  on_click=_forget, icon=":material/close:", help="Or upload another file above to replace it.")
        return table.frame, table.notices, name, file_id
    frame = _example()
    st.download_button("Download the example CSV", lambda: frame.to_csv(index=False), "wine.csv", "text/csv",
                       key="cl_csv_example")
    return frame, [], "wine.csv", EXAMPLE


def table_tab() -> None:
    st.markdown("Upload a CSV (one row per item, numeric columns as features), or use the **wine** example "
                "(178 wines, 13 chemical measurements; `cultivar` is the known grape variety).")
    frame, notices, name, source = _source()
    errors.notices(notices)
    columns = list(frame.columns)
    label_options = [None] + columns
    default_label = label_options.index("cultivar") if source == EXAMPLE else 0
    c1, c2 = st.columns([1, 2])
    # Column choices belong to one file: a new upload starts again from its own defaults.
    label = c1.selectbox("label column (optional: scores ARI/NMI, never used as a feature)", label_options,
                         index=default_label, key=f"cl_csv_label_{source}",
                         format_func=lambda c: "none" if c is None else c)
    numeric, not_numeric = _numeric(source, label, frame)
    if not_numeric:
        st.info(f"Non-numeric column(s) left out of the features: {_names(not_numeric)}.",
                icon=":material/info:")
    if not numeric:
        raise InputError("No numeric column to cluster on: the file needs at least one column of numbers "
                         "(besides the label column).")
    scale = c2.radio("scaling", ["standard", "minmax", "none"], key="cl_csv_scale", horizontal=True,
                     help="standard: mean 0, sd 1 per column (usual); none: big-valued columns dominate")
    features = _features(source, numeric)
    if not features:
        st.info("Choose at least one feature column.")
        return
    setting = (source, tuple(features), label, scale)
    prepared = _prepared(*setting, frame)
    errors.notices(prepared.notices)
    st.subheader("How many clusters?")
    if len(prepared.X) >= 3:
        with errors.guard(stop=False):
            st.plotly_chart(_k_scan_figure(setting, prepared.X), key="cl_csv_kscan")
            st.caption("Look for the bend of the elbow and the peak of the silhouette (k-means, same scaling).")
    _clusters(frame, name, setting, prepared)


def _names(columns: list) -> str:
    """A file's column names for a Markdown line, as written: `**x**` or `[a](b)` in a header is not markup."""
    return ", ".join(re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~$:])", r"\\\1", str(c)) for c in columns)


def _features(source: str, numeric: list[str]) -> list[str]:
    """The feature columns, chosen in an expander drawn only while open (ui/expanders.py): a multiselect
    with a chip per column, redrawn by the browser on every rerun of the page, cost moving k ~30 ms
    (issue 13). Column choices belong to one file: a new upload starts again from all its columns."""
    key = f"cl_csv_cols_{source}"
    kept = st.session_state.get(key, numeric)
    if any(c not in numeric for c in kept):  # e.g. a column just chosen as the label
        st.session_state[key] = [c for c in kept if c in numeric]
    # One label whatever is chosen: a changed label is a new expander to Streamlit, closed again.
    chosen = expanders.settings("Feature columns", "cl_csv_cols_open", {key: numeric},
                                lambda: st.multiselect("feature columns", numeric, numeric, key=key),
                                icon=":material/view_column:")[key]
    if 0 < len(chosen) < len(numeric):
        st.caption(f"Clustering on {len(chosen)} of the {len(numeric)} numeric columns: {_names(chosen)}.")
    return chosen


@st.fragment
def _clusters(frame: pd.DataFrame, name: str, setting: tuple, prepared: cl.Prepared) -> None:
    """The algorithm, k and what they give: a fragment inside the tab's, so that moving k redraws these
    and not the elbow figure above, which depends on the data only (issue 13)."""
    c1, c2 = st.columns(2)
    algorithm = c1.selectbox("algorithm", list(cl.ALGORITHMS), index=1, key="cl_csv_algo",
                             format_func=cl.ALGORITHMS.get)
    k = c2.slider("k (clusters)", 1, 15, 3, key="cl_csv_k", disabled=algorithm not in cl.USES_K,
                  help="used by the algorithms that take a number of clusters")
    params = {}
    if cl.PARAMS[algorithm]:
        with st.expander(f"{cl.ALGORITHMS[algorithm]} parameters (data scaled as chosen)"):
            params = algorithm_sliders("cl_csv", algorithm)
    chosen = (algorithm, k, tuple(sorted(params.items())))
    with errors.guard(stop=False):
        result = _clustered(setting, *chosen, prepared)
        errors.notices(result.notices)
        _metrics(result)
        left, right = st.columns([2, 3])
        left.subheader("Cluster profiles")
        left.caption("Each cell: the cluster's mean of a column, in the file's own units; its colour, how far "
                     "that lies from the mean of all rows, in standard deviations (blue below, red above). "
                     "Above each cluster: its number of rows."
                     + (f" The {plots.PROFILE_ROWS} columns whose means differ most between clusters."
                        if len(prepared.raw.columns) > plots.PROFILE_ROWS else ""))
        with right:
            dims = 3 if st.radio("view", ["2-D", "3-D"], horizontal=True, key="cl_csv_dims") == "3-D" else 2
        profiles, height = _profiles_chart(setting, *chosen, prepared, result.labels)
        scatter, note = _scatter_chart(setting, *chosen, dims, prepared, result.labels)
        if dims == 2:  # the two as one ECharts chart: k changes both (ui/echarts.side_by_side says why)
            both, both_height = echarts.side_by_side(profiles, height, scatter, SCATTER_HEIGHT)
            echarts.show(both, key="cl_csv_chart", height=both_height)
        else:  # ECharts draws 3-D only with its GL extension, which Streamlit does not ship
            heat, dots = st.columns([2, 3])
            with heat:
                echarts.show(profiles, key="cl_csv_profiles_chart", height=height)
            dots.plotly_chart(scatter, key="cl_csv_scatter3d")
        for text in (note, f"The scatter: the {prepared.X.shape[1]} scaled columns projected on their first "
                           f"{dims} principal components." if prepared.X.shape[1] > dims else None):
            if text:
                st.caption(text)
        # Drawn only while open: the same numbers as a table (a changed table cost more than the chart).
        table = st.expander("The profiles as a table", key="cl_csv_profiles_open", on_change="rerun",
                            icon=":material/table:")
        if table.open:
            with table:
                shown = _profiles(setting, *chosen, prepared, result.labels).T  # as the chart: columns down
                st.dataframe(shown, key="cl_csv_profiles",
                             column_config={c: st.column_config.NumberColumn(format="%.4g") for c in shown})
        # The CSV is written when the button is pressed, not on every rerun.
        st.download_button("Download the CSV with a cluster column",
                           lambda: cl.with_clusters(frame, prepared, result.labels).to_csv(index=False),
                           f"{Path(name).stem}_clusters.csv", "text/csv", key="cl_csv_download",
                           icon=":material/download:")


def _metrics(result: cl.Clustering) -> None:
    m = st.columns(5)
    m[0].metric("clusters found", result.n_clusters)
    m[1].metric("silhouette", "–" if result.silhouette is None else f"{result.silhouette:.3f}")
    m[2].metric("ARI vs label", "–" if result.ari is None else f"{result.ari:.3f}")
    m[3].metric("NMI vs label", "–" if result.nmi is None else f"{result.nmi:.3f}")
    m[4].metric("fit time", f"{result.seconds:.2f} s")


@st.fragment
def view() -> None:
    """The tab as a fragment: its controls rerun this tab only, not the 72-panel grid."""
    with errors.guard(stop=False):
        table_tab()
