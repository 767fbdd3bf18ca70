"""Results tab "Residuals and anomalies": one-step errors, and the points the network did not expect.

The one-step forecasts were computed once with the result; moving the threshold only redoes the
arithmetic and redraws this tab (a fragment).
"""

from __future__ import annotations

import streamlit as st

from dl_core import timeseries as ts
from ui import echarts

from . import charts
from .model import Kept


@st.fragment
def view(kept: Kept) -> None:
    k = st.slider("Flag errors larger than k robust standard deviations", 2.0, 8.0, 4.0, 0.5, key="ts_anomaly_k")
    r = ts.residuals(kept.prep, kept.result.details["one_step"], k)
    echarts.show(charts.residual_option(r), key="ts_resid_chart", height=380)
    c1, c2 = st.columns(2)
    if "residual_hist" not in kept.figures:  # independent of k: drawn once per result
        kept.figures["residual_hist"] = charts.residual_hist(r)
    c1.plotly_chart(kept.figures["residual_hist"], key="ts_resid_hist")
    c2.metric("Flagged points", int(r.anomaly.sum()), help=f"|residual| > {r.threshold:.3g}")
    c2.caption("Residuals are one-step-ahead errors of the network at every point after the first window. "
               "The threshold uses the median absolute deviation of the training-part residuals, so a few "
               "huge errors do not hide themselves.")
    echarts.show(charts.anomaly_option(r), key="ts_anomaly_chart", height=380)
    if r.anomaly.any():
        flagged = {"time": r.index[r.anomaly], "actual": r.actual[r.anomaly],
                   "expected": r.predicted[r.anomaly], "residual": r.residual[r.anomaly]}
        st.dataframe(flagged, hide_index=True, key="ts_anomaly_table")
