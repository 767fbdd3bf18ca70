"""Results tab "Backtest": the network beside every baseline on the same origins, one origin at a time."""

from __future__ import annotations

import streamlit as st

from ui import echarts

from . import charts
from .model import Kept


def view(kept: Kept) -> None:
    bt, prep = kept.backtest, kept.prep
    deep = bt.model
    table = bt.metrics_table()
    best = table["mase"].idxmin()
    rel = table.loc[deep, "mae"] / table.loc["seasonal_naive", "mae"]
    c1, c2, c3 = st.columns(3)
    c1.metric("Best model (MASE)", best)
    c2.metric(f"{deep} MAE ÷ seasonal naive MAE", f"{rel:.2f}", help="Below 1: the network beats seasonal naive.")
    c3.metric("90% band coverage", f"{bt.coverage:.0%}",
              help="Share of backtest truths inside the network's 90% band; ideally about 90%. The band is the "
                   "network's 5%-95% quantiles (quantile loss), widened by conformal calibration on the "
                   f"validation windows (margin {bt.margin:.3g}); uncalibrated it covered {bt.raw_coverage:.0%}.")
    st.markdown(f"**Backtest metrics** ({len(bt.origins)} origins × {prep.config.horizon} steps, every model on the "
                "same windows; best per column in green):")
    if "table" not in kept.figures:
        kept.figures["table"] = table.style.format("{:.3f}").highlight_min(
            axis=0, props="background-color:#c8e6c9;font-weight:bold")
    st.table(kept.figures["table"])
    st.caption("MAE and RMSE in the series' units; sMAPE in % (0-200); MASE: MAE divided by the in-sample MAE of "
               f"seasonal naive (season {prep.config.season}) on the training part, so below 1 beats it. "
               f"ETS: {bt.ets_form}, fitted before the tail and run forward.")
    _origin(kept)
    if "tail" not in kept.figures:
        kept.figures["tail"] = charts.tail_figure(prep, bt)
    st.plotly_chart(kept.figures["tail"], key="ts_tail_chart")


@st.fragment
def _origin(kept: Kept) -> None:
    """The origin slider redraws only its own chart."""
    bt = kept.backtest
    k = st.slider("Backtest origin", 1, len(bt.origins), len(bt.origins), key="ts_origin") - 1
    echarts.show(charts.origin_option(kept.prep, bt, k), key="ts_origin_chart", height=380)
