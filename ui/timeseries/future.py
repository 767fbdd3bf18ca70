"""Results tab "Forecast beyond the data": the next horizon from the last window, with its band."""

from __future__ import annotations

import streamlit as st

from . import charts
from .model import Kept


def view(kept: Kept) -> None:
    future = kept.result.details["future"]
    if "future" not in kept.figures:
        kept.figures["future"] = charts.future_figure(kept.prep, future, kept.backtest.model)
    st.plotly_chart(kept.figures["future"], key="ts_future_chart")
    st.caption("From the last window of the data, with the network trained on the part before the held-out tail; "
               "the band is its 5%-95% quantiles, conformally calibrated (coverage on the backtest above).")
    st.dataframe(future, hide_index=True, key="ts_future_table")
    st.download_button("Download the forecast (CSV)", future.to_csv(index=False).encode(), "forecast.csv",
                       "text/csv", key="ts_download", icon=":material/download:", on_click="ignore")
