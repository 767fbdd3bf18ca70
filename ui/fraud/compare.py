"""Results tab "Compare": every model on the same test split, and their PR and ROC curves."""

from __future__ import annotations

import streamlit as st

from dl_core import fraud

from . import charts
from .train import Run
from .words import Words


def view(run: Run, words: Words) -> None:
    evaluations, data = run.evaluations, run.data
    table = run.cache.get("table")
    if table is None:
        table = run.cache["table"] = fraud.metrics_table(evaluations)
    st.dataframe(table, hide_index=True, key="fraud_metrics",
                 column_config={c: st.column_config.NumberColumn(format="%.3f") for c in table.columns
                                if c != "model"})
    verdict = f"Best PR-AUC on the test split: **{table.iloc[0]['model']}**."
    if "hgb" in evaluations and "mlp" in evaluations:
        gap = evaluations["hgb"].test["pr_auc"] - evaluations["mlp"].test["pr_auc"]
        verdict += (f" Gradient-boosted trees beat the MLP by {gap:.3f} PR-AUC: on tables of hand-made features "
                    "trees are very often the strongest model, and a fair comparison says so." if gap > 0 else
                    f" The MLP beats gradient-boosted trees by {-gap:.3f} PR-AUC here.")
    st.markdown(verdict + " Thresholds are chosen on the validation split (best F1); precision, recall and F1 are "
                "measured at that threshold on the test split. PR-AUC is the area under the precision–recall "
                f"curve (a random guess scores {data.y_test.mean():.3f}, the share of {words.positives}).")
    if "curves" not in run.cache:
        run.cache["curves"] = charts.pr_roc_figure(data.y_test, {n: e.test_scores for n, e in evaluations.items()},
                                                   words.positives)
    st.plotly_chart(run.cache["curves"], key="fraud_curves")
    if "autoencoder" in run.results:
        if "ae_hist" not in run.cache:
            errs = run.results["autoencoder"].model.raw(data.X_test)
            run.cache["ae_hist"] = charts.error_histogram(errs, data.y_test, f"{words.positive} ({data.positive})",
                                                          f"{words.negative} ({data.negative})")
        st.plotly_chart(run.cache["ae_hist"], key="fraud_ae_hist")
        st.caption(f"The autoencoder learned to rebuild {words.negatives} only; {words.positives} it has never seen "
                   "tend to be rebuilt worse. Where the two histograms overlap, no threshold on this score can "
                   "separate them.")
