"""Experiments: every training run, from any page or the command line, as MLflow logged it."""

import streamlit as st

import ui  # noqa: F401  (the app-shell guard in ui/__init__.py)
from dl_core import tracking
from ui import tabs
from ui.experiments import compare, runs

st.title("Experiments")
st.markdown(
    "Every model trained in this app, on a page or with `python -m dl_core`, is logged to "
    "**MLflow**: its settings, its curves epoch by epoch, its final metrics, the device it ran on, "
    "and its weights (safetensors). Filter, compare and download runs here."
)
st.caption(":material/group: This store is **shared** by everyone who uses this server. You see "
           "the runs of this browser session unless you switch to everyone's; runs carry an "
           "anonymous session id, never names or file names.")


@st.fragment
def _runs() -> None:
    """Filters and the tabs of the runs they leave: a fragment, so a filter redraws this and not the page
    with its menu (a full rerun; "Everyone's runs" took 0.15-0.17 s a click, issue 13). The store is read
    here, so a filter also shows the runs logged since the page was opened."""
    everything = runs.load_runs(tracking.tracking_uri())
    if everything.empty:
        st.info("No training runs yet. Train a model on any page and it will appear here.",
                icon=":material/science:")
        return
    shown = runs.filters(everything)
    if shown.empty:
        st.info("No runs match. Train a model on any page, or switch on “Everyone's runs”.",
                icon=":material/filter_alt_off:")
        return
    # Only the open tab runs (?experiments_tab=... in the URL): a filter no longer redraws the other tabs,
    # whose curves read each run's history from the store (issue 13: 1 s per toggle before).
    tabs.show("experiments_tab", [
        tabs.Tab("Runs", lambda: runs.runs_tab(shown), ("exp_table", "exp_csv", "exp_delete")),
        tabs.Tab("Compare runs", lambda: compare.compare_tab(shown), ("exp_compare", "exp_diff", "exp_finals")),
        tabs.Tab("Seeds", lambda: compare.seeds_tab(shown), ("exp_seed",)),
        tabs.Tab("Sweeps", lambda: compare.sweeps_tab(shown, everything),
                 ("exp_sweeps", "exp_sweep_pick", "exp_trials")),
    ])


_runs()
