"""Results tab "Threshold and cost": move the threshold, see what is caught, missed and what it costs.

Fragments: the model choice and the costs redraw this tab only, the threshold only what depends on it, from
the scores computed once at training time.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from dl_core import fraud
from ui import echarts, errors

from . import charts
from .train import Run
from .words import Words

COSTS = {"fn": 250.0, "fp": 5.0}
FLAG_NONE = float("inf")  # a threshold no score reaches: nothing is flagged


@st.fragment
def view(run: Run, words: Words) -> None:
    """The model and the costs (a fragment: they redraw this tab), then what the threshold does
    (`_at_threshold`, a fragment of its own: a threshold step redraws only what depends on it)."""
    evaluations, data = run.evaluations, run.data
    names = list(evaluations)

    def reset_threshold() -> None:
        chosen = st.session_state["fraud_view"]
        st.session_state["fraud_threshold"] = round(float(np.clip(evaluations[chosen].threshold, 0, 1)), 3)

    if st.session_state.get("fraud_view") not in names:
        st.session_state.pop("fraud_view", None)
    who = st.selectbox("Model to set a threshold for", names, format_func=lambda n: fraud.LABELS[n], key="fraud_view",
                       index=names.index("mlp") if "mlp" in names else 0, on_change=reset_threshold)
    ev = evaluations[who]
    if "fraud_threshold" not in st.session_state:
        st.session_state["fraud_threshold"] = round(float(np.clip(ev.threshold, 0, 1)), 3)
    st.markdown("**What a mistake costs**")
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    missed = "Cost of a missed fraud" if words.terms.about_fraud else f"Cost of missing {words.a_positive}"
    cost_fn = c1.number_input(missed, 0.0, 1e7, COSTS["fn"], step=10.0, key="fraud_cost_fn",
                              help="For fraud: the amount lost plus chargeback fees and handling.")
    cost_fp = c2.number_input("Cost of a false alarm", 0.0, 1e7, COSTS["fp"], step=1.0, key="fraud_cost_fp",
                              help="For fraud: an analyst's review, a blocked card, an annoyed customer.")
    with errors.guard():
        best_t, _ = fraud.best_cost_threshold(data.y_val, ev.val_scores, cost_fn, cost_fp)

    def use_best() -> None:
        st.session_state["fraud_threshold"] = round(min(best_t, 1.0), 3)

    c3.button("Use the cost-minimising threshold", key="fraud_use_best", on_click=use_best)
    key = ("cost", who, cost_fn, cost_fp)  # independent of the threshold: built once per model and costs
    if key not in run.cache:
        run.cache[key] = charts.cost_option(data.y_test, ev.test_scores, cost_fn, cost_fp, best_t, words.rows)
    none = fraud.cost_per_1000(data.y_test, ev.test_scores, FLAG_NONE, cost_fn, cost_fp)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _at_threshold(run, words, who, (cost_fn, cost_fp), none)
    with right:  # what the costs give, whatever the threshold: outside the threshold's fragment
        at_best = fraud.cost_per_1000(data.y_test, ev.test_scores, best_t, cost_fn, cost_fp)
        st.metric("Cost-minimising threshold", f"{min(best_t, 1.0):.3f}",
                  help="Chosen on the validation split, so the test cost below is an honest estimate.")
        st.caption(f"At that threshold the test split costs **{at_best:,.0f}** per 1,000 {words.rows}; flagging "
                   f"nothing would cost {none:,.0f}.")
        echarts.show(run.cache[key], key="fraud_cost_curve", height=300)


@st.fragment
def _at_threshold(run: Run, words: Words, who: str, costs: tuple[float, float], none: float) -> None:
    """The slider, what it catches and misses (counts, rates, the confusion matrix) and what that costs
    (against `none`, the cost of flagging nothing). The cost-minimising threshold and the cost curve beside
    it do not change with the slider: a step redraws only this."""
    data, ev = run.data, run.evaluations[who]
    cost_fn, cost_fp = costs
    threshold = st.slider(f"Threshold: flag {words.a_row} when its score is at least", 0.0, 1.0, step=0.001,
                          format="%.3f", key="fraud_threshold")
    cm = fraud.confusion(data.y_test, ev.test_scores, threshold)
    key = ("confusion", who, *cm.ravel().tolist())  # many thresholds give the same matrix: built once
    if key not in run.cache:
        run.cache[key] = charts.confusion_html(
            cm, f"{words.positive} ({data.positive})", f"{words.negative} ({data.negative})", words.positives,
            words.negatives, f"{fraud.LABELS[who]}: confusion matrix at this threshold (test split)")
    st.html(run.cache[key])
    at = fraud.rates(cm)
    st.caption(f"At {threshold:.3f} on the test split: precision {at['precision']:.3f}, recall {at['recall']:.3f}, "
               f"F1 {at['f1']:.3f}; {int(cm[:, 1].sum()):,} alerts out of {len(data.y_test):,} {words.rows}.")
    here = fraud.cost_per_1000(data.y_test, ev.test_scores, threshold, cost_fn, cost_fp)
    st.metric(f"Cost per 1,000 {words.rows}", f"{here:,.0f}", f"{here - none:+,.0f} vs flagging nothing",
              delta_color="inverse", help="Expected cost on the test split at the slider's threshold.")
