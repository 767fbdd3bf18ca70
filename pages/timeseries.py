"""Time series: forecast with RNN, GRU, LSTM, a transformer or an MLP, against honest baselines.

A router: step 1 (data) and step 2 (settings, Train, live curves) are sections read top to bottom;
the results are lazy tabs (ui/tabs.py). Views live in ui/timeseries/, the engine in dl_core/timeseries/.
"""

import streamlit as st

from ui import tabs
from ui.timeseries import backtest, data, future, model, residuals

st.title("Time series forecasting")
st.markdown(
    "Forecast a series with **recurrent networks** (simple RNN, GRU, LSTM), a small **transformer** "
    "encoder or an **MLP** on the input window, and compare them, on exactly the same backtest "
    "windows, with the baselines a forecaster tries first: naive, seasonal naive, a linear "
    "autoregression and exponential smoothing (ETS). Deep models often lose to these on short series; "
    "the table below tells you honestly."
)

chosen = data.view()
kept = model.view(chosen)
if kept is None:
    st.stop()

st.header("3 · Results", divider="gray")
# Only the open tab runs (?ts_results_tab=... in the URL): moving the origin or the anomaly slider no
# longer redraws the other tabs' Plotly charts; their settings are kept (ui/tabs.py).
tabs.show("ts_results_tab", [
    tabs.Tab("Backtest", lambda: backtest.view(kept), ("ts_origin",)),
    tabs.Tab("Forecast beyond the data", lambda: future.view(kept), ("ts_future", "ts_download")),
    tabs.Tab("Residuals and anomalies", lambda: residuals.view(kept), ("ts_anomaly", "ts_resid")),
], label="Results")
