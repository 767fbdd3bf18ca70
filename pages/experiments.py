"""Experiments: every training run, from any page or the command line, as MLflow logged it."""

import streamlit as st

import ui  # noqa: F401  (the app-shell guard in ui/__init__.py)
from dl_core import tracking

st.title("Experiments")
st.markdown(
    "Every model trained in this app, on a page or with `python -m dl_core`, is logged to "
    "**MLflow**: its settings, its curves epoch by epoch, its final metrics, the device it ran on, "
    "and its weights (safetensors). Compare runs here, or open the full MLflow UI with "
    f"`mlflow ui --backend-store-uri {tracking.tracking_uri()}`."
)


@st.cache_data(ttl=5, show_spinner="Reading the MLflow store…")
def load_runs(uri: str):
    return tracking.runs()


runs = load_runs(tracking.tracking_uri())
if runs.empty:
    st.info("No training runs yet. Train a model on any page and it will appear here.",
            icon=":material/science:")
    st.stop()

experiments = sorted(runs["experiment"].unique())
choice = st.selectbox("Experiment", ["all"] + experiments, key="exp_choice")
shown = runs if choice == "all" else runs[runs["experiment"] == choice]
shown = shown.dropna(axis=1, how="all")
st.dataframe(shown, hide_index=True, width="stretch", key="exp_table")
st.caption(f"{len(shown)} run(s). Store: `{tracking.tracking_uri()}`")

if choice != "all" and len(shown) > 1:
    metric_cols = [c for c in shown.columns if c.startswith("final_")]
    if metric_cols:
        import plotly.express as px

        metric = st.selectbox("Compare runs on", metric_cols, key="exp_metric")
        fig = px.bar(shown.sort_values("started"), x="run_id", y=metric, color="status",
                     hover_data=[c for c in shown.columns if c.startswith("param.")])
        st.plotly_chart(fig)

run_id = st.selectbox("Curves of one run", list(shown["run_id"]), key="exp_run",
                      format_func=lambda r: f"{r[:8]} · {shown.set_index('run_id').loc[r, 'experiment']}")
curves = tracking.history(run_id)
curves = curves[curves["metric"] != "epoch_seconds"]
if curves.empty:
    st.caption("This run logged no per-epoch metrics.")
else:
    import plotly.express as px

    st.plotly_chart(px.line(curves, x="step", y="value", color="metric", markers=True,
                            labels={"step": "epoch"}), key="exp_curves")
