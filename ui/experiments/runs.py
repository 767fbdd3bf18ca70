"""Loading and filtering the logged runs, the runs table, CSV download, deleting your own runs."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import streamlit as st

from dl_core import comparison, tracking
from ui import errors

ALL = "all"


STALE_AFTER_S = 5  # a store that is not a local SQLite file is read again after this long


def load_runs(uri: str) -> pd.DataFrame:
    """The logged runs, read again only when the store has changed: reading 150 runs from MLflow takes
    0.3-0.5 s on 2 cores, which a time-based cache paid on most filter changes (issue 13)."""
    return _runs(uri, _store_version(uri))


def _store_version(uri: str) -> tuple:
    """Changes whenever a run is logged or deleted: the SQLite file and its write-ahead log (sizes and
    modification times). Other stores have no file to look at: a new version every few seconds."""
    if not uri.startswith("sqlite:///"):
        return ("time", int(time.time() // STALE_AFTER_S))
    db = Path(uri.removeprefix("sqlite:///"))
    log = _stamp(db.with_name(db.name + "-wal"))
    # An empty log is no change: the first read of a store creates it (and so made its own cache entry stale).
    return _stamp(db), log if log and log[0] else None


def _stamp(f: Path) -> tuple[int, int] | None:
    """(size, modification time) of a file, or None when it is not there."""
    try:  # SQLite deletes the log when its last connection closes, maybe right now
        s = f.stat()
    except OSError:
        return None
    return s.st_size, s.st_mtime_ns


@st.cache_resource(max_entries=4, show_spinner="Reading the experiment store…")
def _runs(uri: str, version: tuple) -> pd.DataFrame:
    # One frame shared by every session, read-only: the pages only select from it (pandas' copy-on-write
    # keeps a selection from writing back), and st.cache_data's copy per call cost ~8 ms a rerun.
    frame = tracking.runs(max_results=1000)
    # Text as one block of objects: pandas 3 keeps each text column (MLflow's ~90 params) as an Arrow array
    # of its own, so each row filter cut every one of them apart, ~4 ms a filter (0.2-0.5 ms as one block).
    # astype leaves one block per column; the copy is what joins them.
    return frame.astype(dict.fromkeys(frame.select_dtypes(include=["str"]).columns, object)).copy()


def session_id() -> str | None:
    return st.session_state.get("dlx_session_id")


def filters(runs: pd.DataFrame) -> pd.DataFrame:
    """Filter controls (this session / everyone, experiment, source, sweep); returns the rows shown."""
    c1, c2, c3, c4 = st.columns([1.2, 2, 1, 1.5])
    everyone = c1.toggle("Everyone's runs", value=False, key="exp_everyone",
                         help="Off: only the runs started in this browser session. On: every run in "
                              "this server's shared store, from every person and the command line.")
    shown = runs if everyone else comparison.filter_runs(runs, session=session_id() or "—none—")
    experiments = sorted(shown["experiment"].unique())
    experiment = c2.selectbox("Experiment", [ALL, *experiments], key="exp_choice")
    sources = sorted(s for s in shown["source"].unique() if s)
    source = c3.selectbox("Source", [ALL, *sources], key="exp_source",
                          format_func={ALL: ALL, "app": "a page", "cli": "command line"}.get)
    sweep_ids = sorted(s for s in shown["parent_run_id"].unique() if s)
    sweep = c4.selectbox("Sweep", [ALL, *sweep_ids], key="exp_sweep",
                         format_func=lambda s: s if s == ALL else s[:8])
    return comparison.filter_runs(shown, experiment=None if experiment == ALL else experiment,
                                  source=None if source == ALL else source,
                                  sweep=None if sweep == ALL else sweep)


def labels(runs: pd.DataFrame) -> dict[str, str]:
    """Each run's label ("1a2b3c4d · vision/digits-cnn"), by run id: built once for a list's options (a lookup per
    option cost ~1 ms each, for every run shown)."""
    return {r: f"{r[:8]} · {e}" for r, e in zip(runs["run_id"], runs["experiment"], strict=True)}


RUN_COLUMNS = ["experiment", "run_id", "status", "started", "source", "device", "parent_run_id"]


def _all_columns(shown: pd.DataFrame) -> pd.DataFrame:
    """Every setting and metric the shown runs logged, as columns (none that all of them lack)."""
    return shown.drop(columns=["session"]).dropna(axis=1, how="all")


def runs_tab(shown: pd.DataFrame) -> None:
    several = shown["experiment"].nunique() > 1
    # Runs of several experiments have the union of their settings and metrics as columns (148 here):
    # unreadable, and slow to draw on every filter change (issue 13). One experiment shows them all.
    st.dataframe(shown[[c for c in RUN_COLUMNS if c in shown]] if several else _all_columns(shown),
                 hide_index=True, width="stretch", key="exp_table")
    # Only the two columns the delete list needs: selecting rows of all 148 columns cost ~5 ms a rerun.
    mine = shown.loc[shown["session"] == (session_id() or "—none—"), ["run_id", "experiment"]]
    st.caption(f"{len(shown)} run(s) shown, {len(mine)} of them from this browser session."
               + (" Choose an experiment above to see its settings and metrics as columns (the CSV has them "
                  "all)." if several else ""))
    # Written when the button is pressed, not on every filter change (all settings and metrics as columns).
    st.download_button("Download these runs (CSV)", lambda: _all_columns(shown).to_csv(index=False), "runs.csv",
                       "text/csv", key="exp_csv", icon=":material/download:")
    if mine.empty:
        return
    with st.expander("Delete runs you started", icon=":material/delete:"):
        label = labels(mine)
        doomed = st.multiselect("Runs to delete", list(label), key="exp_delete_pick", format_func=label.get)
        if st.button("Delete", key="exp_delete", disabled=not doomed, type="primary"):
            with errors.guard():
                for run_id in doomed:
                    tracking.delete_run(run_id, session_id())
            _runs.clear()
            st.success(f"Deleted {len(doomed)} run(s).")
            st.rerun()
