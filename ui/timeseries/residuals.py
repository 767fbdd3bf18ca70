"""Results tab "Residuals and anomalies": one-step errors, and the points the network did not expect.

The one-step forecasts were computed once with the result; moving the threshold only redoes the
arithmetic and redraws what it flags (a fragment below the histogram of the residuals).
"""

from __future__ import annotations

import streamlit as st

from dl_core import timeseries as ts
from ui import echarts

from . import charts
from .model import Kept


def view(kept: Kept) -> None:
    c1, c2 = st.columns(2)
    if "residual_hist" not in kept.figures:  # independent of k: drawn once per result, outside the fragment
        r = ts.residuals(kept.prep, kept.result.details["one_step"], 4.0)
        kept.figures["residual_hist"] = charts.residual_hist(r)
    c1.plotly_chart(kept.figures["residual_hist"], key="ts_resid_hist")
    c2.caption("Residuals are one-step-ahead errors of the network at every point after the first window. "
               "Points whose error is larger than k robust standard deviations are flagged below: the "
               "threshold uses the median absolute deviation of the training-part residuals, so a few huge "
               "errors do not hide themselves.")
    _flagged(kept)


@st.fragment
def _flagged(kept: Kept) -> None:
    """k, and what it flags: a fragment, so moving k redraws these and not the histogram above."""
    k = st.slider("Flag errors larger than k robust standard deviations", 2.0, 8.0, 4.0, 0.5, key="ts_anomaly_k")
    r = ts.residuals(kept.prep, kept.result.details["one_step"], k)
    st.metric("Flagged points", int(r.anomaly.sum()), help=f"|residual| > {r.threshold:.3g}")
    echarts.show(charts.flagged_option(r), key="ts_flagged_chart", height=660)
    if not r.anomaly.any():
        return
    # Drawn only while open: a table that k changes cost each step ~0.04 s more in the browser (2 cores).
    box = st.expander("The flagged points as a table", key="ts_anomaly_table_open", on_change="rerun",
                      icon=":material/table:")
    if box.open:
        with box:
            st.dataframe({"time": r.index[r.anomaly], "actual": r.actual[r.anomaly],
                          "expected": r.predicted[r.anomaly], "residual": r.residual[r.anomaly]},
                         hide_index=True, key="ts_anomaly_table")
