"""Time series: forecast with RNN, GRU, LSTM, a transformer or an MLP, against honest baselines."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

import numpy as np
import streamlit as st

from dl_core import inputs, tracking
from dl_core import timeseries as ts
from dl_core import timeseries_data as td
from dl_core.errors import InputError
from ui import errors
from ui import timeseries_charts as charts
from ui import training as live

RUN = "timeseries"  # name of this page's training state in st.session_state

st.title("Time series forecasting")
st.markdown(
    "Forecast a series with **recurrent networks** (simple RNN, GRU, LSTM), a small **transformer** "
    "encoder or an **MLP** on the input window, and compare them, on exactly the same backtest "
    "windows, with the baselines a forecaster tries first: naive, seasonal naive, a linear "
    "autoregression and exponential smoothing (ETS). Deep models often lose to these on short series; "
    "the table below tells you honestly."
)


@st.cache_data(show_spinner="Loading the series…")
def bundled(name: str) -> td.Series:
    return td.load_bundled(name)


@st.cache_data(show_spinner=False)
def synthetic(cfg: td.SyntheticConfig) -> td.Series:
    return td.synthetic(cfg)


# ---- 1. data ----------------------------------------------------------------------------------------
st.header("1 · Data", divider="gray")
source = st.radio("Series", ["Bundled real series", "Synthetic", "Upload a CSV"], horizontal=True,
                  key="ts_source")
with errors.guard():
    if source == "Bundled real series":
        name = st.selectbox("Bundled series (they ship with installed packages; work offline)", td.bundled_names(),
                            format_func=lambda n: f"{n}: {td.BUNDLED[n][0]}", key="ts_bundled")
        series = bundled(name)
    elif source == "Synthetic":
        c1, c2, c3, c4 = st.columns(4)
        syn = td.SyntheticConfig(
            n=c1.slider("Length", 100, 5000, 600, 50, key="ts_syn_n"),
            trend=c1.slider("Trend per step", -0.1, 0.1, 0.02, 0.005, key="ts_syn_trend"),
            season=c2.slider("Season length (steps)", 0, 168, 24, key="ts_syn_season"),
            amplitude=c2.slider("Season amplitude", 0.0, 10.0, 2.0, 0.5, key="ts_syn_amp"),
            noise=c3.slider("Noise", 0.0, 3.0, 0.3, 0.1, key="ts_syn_noise"),
            level_shifts=c3.slider("Level shifts", 0, 5, 1, key="ts_syn_shifts"),
            anomalies=c4.slider("Anomalies (spikes)", 0, 30, 5, key="ts_syn_anom"),
            anomaly_size=c4.slider("Spike size", 0.0, 20.0, 4.0, 0.5, key="ts_syn_anom_size"),
            seed=c4.number_input("Seed", 0, 10_000, 0, key="ts_syn_seed"))
        series = synthetic(syn)
    else:
        upload = st.file_uploader("A CSV with a time column and a numeric column", type=["csv", "txt"],
                                  key="ts_upload")
        if upload is None:
            st.info("Upload a CSV (e.g. `date,sales`). Dates are parsed; unsorted rows, duplicate time stamps "
                    "and missing values are handled and reported.", icon=":material/upload_file:")
            st.stop()
        table = inputs.read_csv(upload, name=upload.name)
        errors.notices(table.notices)
        cols = list(table.frame.columns)
        if len(cols) < 2:
            raise InputError(f"{upload.name} has only one column ({cols[0]!r}); a time series needs a time "
                                "column and a numeric value column.")
        c1, c2, c3 = st.columns(3)
        guess_t = next((c for c in cols if any(w in c.lower() for w in ("date", "time", "month", "year", "day"))),
                       cols[0])
        time_col = c1.selectbox("Time column", cols, index=cols.index(guess_t), key="ts_time_col")
        numeric = [c for c in cols if c != time_col]
        value_col = c2.selectbox("Value column", numeric, key="ts_value_col")
        freqs = {"infer": None, "hourly": "h", "daily": "D", "weekly": "W", "monthly": "MS", "quarterly": "QS",
                 "yearly": "YS"}
        freq_label = c3.selectbox("Frequency", list(freqs), key="ts_freq",
                                  help="Inferred from the time stamps; choose one to average the data onto it.")
        series = td.from_frame(table.frame, time_col, value_col, name=upload.name, freq=freqs[freq_label])

errors.notices(series.notices)
st.plotly_chart(charts.series_figure(series.index, series.values,
                                     series.description or f"{series.name}: {len(series):,} points"),
                key="ts_series_chart")
st.caption(f"{len(series):,} points · frequency {series.freq or 'plain steps'} · suggested season {series.season}")

# ---- 2. model ---------------------------------------------------------------------------------------
tag = hashlib.sha1(np.ascontiguousarray(series.values).tobytes()).hexdigest()[:10]  # per-series widget defaults
auto = ts.resolve(series, ts.ForecastConfig())
with st.sidebar:
    st.subheader("Model")
    model = st.selectbox("Deep model", ts.MODELS, format_func=ts.MODEL_LABELS.get, key="ts_model")
    n = len(series)
    horizon = st.number_input("Forecast horizon (steps)", 1, max(1, min(500, n // 3)), min(auto.horizon, n // 3),
                              key=f"ts_horizon_{tag}")
    window = st.number_input("Window length (input steps)", 2, max(2, n // 2), min(auto.window, n // 2),
                             key=f"ts_window_{tag}")
    season = st.number_input("Season (steps; 1 = none)", 1, max(1, n // 2), min(auto.season, max(1, n // 2)),
                             key=f"ts_season_{tag}")
    with st.expander("Network and training", expanded=False):
        hidden = st.select_slider("Hidden size", [8, 16, 32, 64, 128], 32, key="ts_hidden")
        layers = st.slider("Layers", 1, 4, 1, key="ts_layers")
        dropout = st.slider("Dropout", 0.0, 0.5, 0.1, 0.05, key="ts_dropout")
        lr = st.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2], 3e-3, key="ts_lr")
        epochs = st.slider("Epochs (early stopping after 20 without improvement)", 1, 300, 100, key="ts_epochs")
        batch = st.select_slider("Batch size", ["auto", 8, 16, 32, 64, 128, 256], "auto", key="ts_batch",
                                 help=f"auto: about 8 batches an epoch; here {auto.batch_size}")
        scaling = st.selectbox("Scaling", ["window", "standard", "minmax", "none"], key="ts_scaling",
                               help="window: each input window minus its own mean (handles trends); standard/"
                                    "minmax: one scale fitted on the training part only.")
        seed = st.number_input("Seed", 0, 10_000, 0, key="ts_seed")
    train_clicked = st.button("Train and backtest", type="primary", key="ts_train", icon=":material/play_arrow:")

cfg = ts.ForecastConfig(model=model, window=int(window), horizon=int(horizon), season=int(season), hidden=hidden,
                        layers=layers, dropout=dropout, lr=lr, epochs=epochs, scaling=scaling, seed=int(seed),
                        batch_size=None if batch == "auto" else batch)
key = (tag, tuple(sorted(asdict(cfg).items())))

st.header("2 · Train and backtest", divider="gray")
with errors.guard():
    prep = ts.prepare(series, cfg)
st.caption(f"Training windows: {len(prep.train_idx)} (validation: {len(prep.val_idx)}) before the held-out tail of "
           f"{len(series) - prep.test_start} points; the backtest forecasts {cfg.horizon} steps from "
           f"{len(prep.origins)} origins in that tail.")
errors.notices(prep.notices)


def evaluate(net, prep: ts.Prepared, run_key: tuple, stopped: bool) -> dict:
    with st.spinner("Backtesting against the baselines…"):
        bt = ts.backtest(prep, net)
        return {"key": run_key, "prep": prep, "net": net, "bt": bt, "future": ts.forecast_future(prep, net),
                "stopped": stopped}


if train_clicked:
    st.session_state["ts_pending"] = (key, prep)
    st.session_state.pop("ts_result", None)
    net = ts.build_model(prep.config)
    run = live.LiveTraining(RUN, epochs=cfg.epochs, title=f"{ts.MODEL_LABELS[model]} (quantile loss)")
    params = {**asdict(prep.config), "series": series.name, "points": len(series)}
    with tracking.start_run(f"timeseries/{model}", params, seed=cfg.seed, source="app") as tracked:
        result = ts.train(net, prep, callbacks=[run, tracked.callback])
        st.session_state["ts_result"] = res = evaluate(net, prep, key, stopped=False)
        tracked.log_final({**res["bt"].metrics[model], "coverage_90": res["bt"].coverage}, model=net)
    run.finish(net, result)
else:
    state, pending = live.state(RUN), st.session_state.get("ts_pending")
    done = st.session_state.get("ts_result")
    if state is not None and state.stopped and state.model is not None and pending and (
            done is None or done["key"] != pending[0]):
        # Stop was clicked: evaluate the partly trained model as it was after its last full epoch.
        st.session_state["ts_result"] = evaluate(state.model, pending[1], pending[0], stopped=True)
    live.show_history(RUN)

res = st.session_state.get("ts_result")
if res is None:
    st.info("Choose the settings in the sidebar and click **Train and backtest**. With the defaults this takes "
            "a few seconds on a CPU.", icon=":material/play_arrow:")
    st.stop()
if res["key"] != key:
    st.warning("The data or settings changed since this model was trained; the results below are for the earlier "
               "settings. Click **Train and backtest** to update.", icon=":material/history:")

prep, bt, future, net = res["prep"], res["bt"], res["future"], res["net"]
deep = bt.model

# ---- 3. results -------------------------------------------------------------------------------------
st.header("3 · Results", divider="gray")
tab_bt, tab_future, tab_res = st.tabs(["Backtest", "Forecast beyond the data", "Residuals and anomalies"])

with tab_bt:
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
    st.table(table.style.format("{:.3f}").highlight_min(axis=0, props="background-color:#c8e6c9;font-weight:bold"))
    st.caption("MAE and RMSE in the series' units; sMAPE in % (0-200); MASE: MAE divided by the in-sample MAE of "
               f"seasonal naive (season {prep.config.season}) on the training part, so below 1 beats it. "
               f"ETS: {bt.ets_form}, fitted before the tail and run forward.")
    k = st.slider("Backtest origin", 1, len(bt.origins), len(bt.origins), key="ts_origin") - 1
    st.plotly_chart(charts.origin_figure(prep, bt, k), key="ts_origin_chart")
    st.plotly_chart(charts.tail_figure(prep, bt), key="ts_tail_chart")

with tab_future:
    st.plotly_chart(charts.future_figure(prep, future, deep), key="ts_future_chart")
    st.caption("From the last window of the data, with the network trained on the part before the held-out tail; "
               "the band is its 5%-95% quantiles, conformally calibrated (coverage on the backtest above).")
    st.dataframe(future, hide_index=True, key="ts_future_table")
    st.download_button("Download the forecast (CSV)", future.to_csv(index=False).encode(), "forecast.csv",
                       "text/csv", key="ts_download", icon=":material/download:")

with tab_res:
    kk = st.slider("Flag errors larger than k robust standard deviations", 2.0, 8.0, 4.0, 0.5, key="ts_anomaly_k")
    r = ts.residuals(prep, net, kk)
    st.plotly_chart(charts.residual_figure(r), key="ts_resid_chart")
    c1, c2 = st.columns(2)
    c1.plotly_chart(charts.residual_hist(r), key="ts_resid_hist")
    c2.metric("Flagged points", int(r.anomaly.sum()), help=f"|residual| > {r.threshold:.3g}")
    c2.caption("Residuals are one-step-ahead errors of the network at every point after the first window. "
               "The threshold uses the median absolute deviation of the training-part residuals, so a few "
               "huge errors do not hide themselves.")
    st.plotly_chart(charts.anomaly_figure(r), key="ts_anomaly_chart")
    if r.anomaly.any():
        flagged = {"time": r.index[r.anomaly], "actual": r.actual[r.anomaly],
                   "expected": r.predicted[r.anomaly], "residual": r.residual[r.anomaly]}
        st.dataframe(flagged, hide_index=True, key="ts_anomaly_table")
