"""Time series: forecast with RNN, GRU, LSTM, a transformer or an MLP, against honest baselines.

A router: step 1 (data) and step 2 (settings, Train, live curves) are sections read top to bottom;
the results are tabs. Views live in ui/timeseries/, the engine in dl_core/timeseries/.
"""

import streamlit as st

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
tab_backtest, tab_future, tab_residuals = st.tabs(["Backtest", "Forecast beyond the data", "Residuals and anomalies"])
with tab_backtest:
    backtest.view(kept)
with tab_future:
    future.view(kept)
with tab_residuals:
    residuals.view(kept)
