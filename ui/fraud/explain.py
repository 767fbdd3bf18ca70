"""Results tab "Why flagged?": integrated-gradients attributions of a network for one flagged test row.

A fragment; each (network, row) attribution is computed once per training run and kept with it.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from dl_core import fraud
from ui import echarts

from . import charts
from .train import Run
from .words import Words


@st.fragment
def view(run: Run, words: Words) -> None:
    data, evaluations = run.data, run.evaluations
    deep = [n for n in ("mlp", "autoencoder") if n in run.results]
    if not deep:
        st.info("Attributions are computed for the neural networks; train the MLP or the autoencoder.")
        return
    who = st.radio("Network", deep, format_func=lambda n: fraud.LABELS[n], key="fraud_explain_model",
                   horizontal=True)
    scores = evaluations[who].test_scores
    # The threshold tab's slider when it is set for this network, else this network's own threshold.
    t = (st.session_state["fraud_threshold"] if st.session_state.get("fraud_view") == who
         and "fraud_threshold" in st.session_state else evaluations[who].threshold)
    flagged = np.flatnonzero(scores >= t)
    flagged = flagged[np.argsort(-scores[flagged])][:100]
    if len(flagged) == 0:
        st.info(f"No test row scores ≥ {t:.3f}; lower the threshold to flag some.")
        return
    row = st.selectbox(
        f"A flagged test row ({len(flagged)} most suspicious shown, threshold {t:.3f})", flagged,
        key="fraud_explain_row",
        format_func=lambda i: f"#{data.test_rows.index[i]} · score {scores[i]:.3f} · actually "
                              f"{words.positive if data.y_test[i] else words.negative}")
    key = ("attribution", who, int(row))
    if key not in run.cache:
        with st.spinner("Integrated gradients (captum)…"):
            run.cache[key] = fraud.explain(run.scorers[who], data, int(row))
    what = "score" if who == "mlp" else "reconstruction error"
    option, height = charts.attribution_option(run.cache[key], f"What pushed this {what} up (red) or down (blue)")
    echarts.show(option, key="fraud_attr", height=height)
    st.caption(f"Integrated gradients from the average of the {words.negatives} to this one: the bars add up to "
               "the change in the network's output (the MLP's logit, or the autoencoder's error). One-hot columns "
               "are summed back into their original column.")
