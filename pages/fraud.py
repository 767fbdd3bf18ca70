"""Fraud detection: synthetic or uploaded labelled rows, a supervised MLP and an autoencoder beside the
baselines a fraud team would try first, and the numbers such a team decides with: precision, recall,
PR-AUC, a threshold, and money.

A router: step 1 (data) and step 2 (settings, Train, live curves) are sections read top to bottom;
the results are lazy tabs (ui/tabs.py). Views live in ui/fraud/, the engine in dl_core/fraud/.
"""

import streamlit as st

from ui import tabs
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

chosen = data.view(shown_below=train.repeat_shown, trained_on=train.trained_on)
run = train.view(chosen)
if run is None:
    st.stop()

words = chosen.words if run.key == chosen.key else Words(run.data.terms)
st.header("3 · Results on the test split", divider="gray")
# Only the open tab runs (?fraud_results_tab=... in the URL): a threshold or a cost no longer redraws the
# other tabs' Plotly charts and tables; their settings are kept (ui/tabs.py).
tabs.show("fraud_results_tab", [
    tabs.Tab("Compare the models", lambda: compare.view(run, words),
             ("fraud_metrics", "fraud_curves", "fraud_ae_hist")),
    tabs.Tab("Threshold and cost", lambda: threshold.view(run, words),
             ("fraud_view", "fraud_cost_", "fraud_use_best", "fraud_threshold", "fraud_confusion")),
    tabs.Tab(f"Why was {words.a_row} flagged?", lambda: explain.view(run, words), ("fraud_explain_", "fraud_attr")),
    tabs.Tab(f"Score new {words.rows}", lambda: score.view(run, words),
             ("fraud_example", "fraud_score_", "fraud_flagged", "fraud_download")),
], label="Results")
