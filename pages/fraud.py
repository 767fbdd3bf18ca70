"""Fraud detection: synthetic or uploaded labelled rows, a supervised MLP and an autoencoder beside the
baselines a fraud team would try first, and the numbers such a team decides with: precision, recall,
PR-AUC, a threshold, and money.

A router: step 1 (data) and step 2 (settings, Train, live curves) are sections read top to bottom;
the results are tabs. Views live in ui/fraud/, the engine in dl_core/fraud/.
"""

import streamlit as st

from ui.fraud import compare, data, explain, score, threshold, train
from ui.fraud.words import Words

st.title("Fraud detection")
st.markdown(
    "Fraud is **rare** (often under 1 % of card transactions), so accuracy means nothing: a model "
    "that never flags anything is 99 % accurate. Fraud teams look at **precision** (how many alerts are "
    "real fraud), **recall** (how much fraud is caught) and the **cost** of both kinds of mistake. Here "
    "a supervised neural network (MLP) and an autoencoder that only ever sees normal rows are "
    "compared with logistic regression, Isolation Forest and gradient-boosted trees on the same test set. "
    "Your own labelled table about something else rare (loan defaults, churn) works the same way.")

chosen = data.view(shown_below=train.results_shown)
run = train.view(chosen)
if run is None:
    st.stop()

words = chosen.words if run.key == chosen.key else Words(run.data.terms)
st.header("3 · Results on the test split", divider="gray")
tabs = st.tabs(["Compare the models", "Threshold and cost", f"Why was {words.a_row} flagged?",
                f"Score new {words.rows}"])
with tabs[0]:
    compare.view(run, words)
with tabs[1]:
    threshold.view(run, words)
with tabs[2]:
    explain.view(run, words)
with tabs[3]:
    score.view(run, words)
