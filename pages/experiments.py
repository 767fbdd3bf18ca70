"""Experiments: every training run, from any page or the command line, as MLflow logged it."""

import streamlit as st

import ui  # noqa: F401  (the app-shell guard in ui/__init__.py)
from dl_core import tracking
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

everything = runs.load_runs(tracking.tracking_uri())
if everything.empty:
    st.info("No training runs yet. Train a model on any page and it will appear here.",
            icon=":material/science:")
    st.stop()
shown = runs.filters(everything)
if shown.empty:
    st.info("No runs match. Train a model on any page, or switch on “Everyone's runs”.",
            icon=":material/filter_alt_off:")
    st.stop()

table, comparing, seeds, sweeps = st.tabs(["Runs", "Compare runs", "Seeds", "Sweeps"])
with table:
    runs.runs_tab(shown)
with comparing:
    compare.compare_tab(shown)
with seeds:
    compare.seeds_tab(shown)
with sweeps:
    compare.sweeps_tab(shown, everything)
