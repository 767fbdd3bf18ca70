"""Time series: data cleaning, baselines on the same windows, metrics, deep models, CLI, page."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from dl_core import timeseries as ts
from dl_core import timeseries_data as td
from dl_core.errors import InputError
from tests.conftest import ROOT, exceptions, open_page

TINY = {"hidden": 8, "epochs": 2, "batch_size": 64, "patience": None}


def monthly(n: int = 96, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, n)
    return pd.DataFrame({"month": pd.date_range("2015-01-01", periods=n, freq="MS").strftime("%Y-%m-%d"),
                         "sales": y})


@pytest.fixture(scope="module")
def small() -> td.Series:
    return td.synthetic(td.SyntheticConfig(n=240, season=12, anomalies=0, level_shifts=0, noise=0.2))


@pytest.fixture(scope="module")
def trained(small):
    prep = ts.prepare(small, ts.ForecastConfig(model="mlp", **TINY))
    net = ts.build_model(prep.config)
    ts.train(net, prep)
    return prep, net


# ---- data -------------------------------------------------------------------------------------------

def test_csv_cleaning_notices_sorted_duplicates_missing_gaps():
    df = monthly()
    df.loc[5, "sales"] = np.nan  # a missing value
    df = pd.concat([df, df.iloc[[10]]])  # a duplicate time stamp
    df = df.drop(index=[40])  # a gap in the monthly grid
    df = df.sample(frac=1, random_state=0)  # unsorted
    s = td.from_frame(df, "month", "sales")
    text = " ".join(s.notices)
    assert s.freq == "MS" and s.season == 12 and len(s) == 96
    assert "sorted" in text and "duplicate" in text and "filled in" in text and "interpolation" in text
    assert s.index.is_monotonic_increasing and np.isfinite(s.values).all()


def test_frequency_can_be_chosen_and_years_are_read():
    df = monthly(120)
    s = td.from_frame(df, "month", "sales", freq="QS")
    assert s.freq == "QS" and len(s) == 40 and s.season == 4
    years = pd.DataFrame({"year": np.arange(1900, 1960), "v": np.arange(60.0) % 7})
    y = td.from_frame(years, "year", "v")
    assert isinstance(y.index, pd.DatetimeIndex) and y.freq.startswith("YS")


@pytest.mark.parametrize("frame, col, message", [
    (pd.DataFrame({"d": pd.date_range("2020", periods=50).astype(str), "v": ["x"] * 50}), "v", "non-numeric"),
    (pd.DataFrame({"d": ["not a date"] * 50, "v": np.arange(50.0)}), "v", "could not be read as dates"),
    (pd.DataFrame({"d": pd.date_range("2020", periods=50).astype(str), "v": [3.0] * 50}), "v", "same"),
    (pd.DataFrame({"d": pd.date_range("2020", periods=10).astype(str), "v": np.arange(10.0)}), "v", "at least"),
    (pd.DataFrame({"v": np.arange(50.0)}), "v", "only one column"),
])
def test_bad_tables_are_refused_with_a_fix(frame, col, message):
    time_col = "d" if "d" in frame.columns else "v"
    with pytest.raises(InputError, match=message):
        td.from_frame(frame, time_col if time_col != col else "d", col)


def test_a_million_rows_is_refused_before_parsing():
    big = pd.DataFrame({"d": np.zeros(1_000_000), "v": np.zeros(1_000_000)})
    with pytest.raises(InputError, match="1,000,000 rows"):
        td.from_frame(big, "d", "v")


def test_short_series_for_window_and_horizon(small):
    with pytest.raises(InputError, match="window \\+ horizon"):
        ts.prepare(small, ts.ForecastConfig(window=200, horizon=60))
    with pytest.raises(InputError, match="Unknown model"):
        ts.prepare(small, ts.ForecastConfig(model="xgboost"))


def test_synthetic_is_reproducible_and_has_its_parts():
    cfg = td.SyntheticConfig(n=300, anomalies=3, seed=4)
    a, b = td.synthetic(cfg), td.synthetic(cfg)
    assert np.array_equal(a.values, b.values) and len(a) == 300 and a.season == 24
    assert not np.array_equal(a.values, td.synthetic(td.SyntheticConfig(n=300, seed=5)).values)


@pytest.mark.slow
@pytest.mark.parametrize("name", td.bundled_names())
def test_bundled_series_load_offline(name):
    s = td.load_bundled(name)
    assert len(s) >= 100 and np.isfinite(s.values).all() and s.season == td.BUNDLED[name][1]
    ts.prepare(s, ts.ForecastConfig())  # the defaults fit every bundled series


# ---- windows, baselines and metrics -----------------------------------------------------------------

def test_no_training_window_reaches_into_the_tail(small):
    prep = ts.prepare(small, ts.ForecastConfig(**TINY))
    H = prep.config.horizon
    assert (np.concatenate([prep.train_idx, prep.val_idx]) + H <= prep.test_start).all()
    assert prep.train_idx.max() < prep.val_idx.min()  # validation is later in time than training
    assert prep.origins.min() >= prep.test_start and prep.origins.max() + H <= len(small)


def test_every_model_is_scored_on_exactly_the_same_windows(trained):
    prep, net = trained
    bt = ts.backtest(prep, net)
    y, o, H, m = prep.y, prep.origins, prep.config.horizon, prep.config.season
    assert np.array_equal(bt.truth, np.stack([y[t:t + H] for t in o]))
    assert set(bt.forecasts) == {"mlp", "naive", "seasonal_naive", "linear_ar", "ets"}
    for f in bt.forecasts.values():
        assert f.shape == bt.truth.shape and np.isfinite(f).all()
    assert np.array_equal(bt.forecasts["naive"], np.repeat(y[o - 1][:, None], H, axis=1))
    expected = np.array([[y[t + h - m * (h // m + 1)] for h in range(H)] for t in o])
    assert np.array_equal(bt.forecasts["seasonal_naive"], expected)
    # The network's forecasts are those of its own windows at the same origins.
    assert np.allclose(bt.forecasts["mlp"], ts.predict_quantiles(net, prep, o)[..., 1])
    for name, met in bt.metrics.items():
        assert met == pytest.approx(ts.metrics(bt.truth, bt.forecasts[name], bt.scale))
    assert bt.best("mase") in bt.forecasts


def test_metrics_by_hand():
    truth, pred = np.array([[1.0, 2.0]]), np.array([[2.0, 2.0]])
    m = ts.metrics(truth, pred, scale=0.5)
    assert m["mae"] == 0.5 and m["rmse"] == pytest.approx(np.sqrt(0.5)) and m["mase"] == 1.0
    assert m["smape"] == pytest.approx(100 * (2 * 1 / 3 + 0) / 2)


def test_linear_ar_is_exact_on_a_straight_line():
    s = td.Series("line", 3.0 * np.arange(200.0) + 7, pd.RangeIndex(200), None, 1)
    prep = ts.prepare(s, ts.ForecastConfig(window=10, horizon=5))
    ar = ts.linear_ar(prep)
    _, truth = prep.windows(prep.origins)
    assert np.abs(ar - truth).max() < 1e-3


def test_ets_recursion_matches_statsmodels(small):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    prep = ts.prepare(small, ts.ForecastConfig(**TINY))
    n, m = prep.test_start, prep.config.season
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = ExponentialSmoothing(prep.y[:n], trend="add", damped_trend=True, seasonal="add",
                                      seasonal_periods=m, initialization_method="estimated").fit(use_brute=False)
    ours = ts.holt_winters_forecasts(prep.y, np.array([n]), m - 1, m, fitted.params)[0]
    assert np.allclose(ours, fitted.forecast(m - 1), atol=1e-6)
    one_step = ts.holt_winters_forecasts(prep.y, np.arange(m, n), 1, m, fitted.params)[:, 0]
    assert np.allclose(one_step, fitted.fittedvalues[m:n], atol=1e-6)


# ---- deep models ------------------------------------------------------------------------------------

@pytest.mark.parametrize("model", ts.MODELS)
def test_each_network_trains_and_gives_ordered_quantiles(small, model):
    prep = ts.prepare(small, ts.ForecastConfig(model=model, **TINY))
    net = ts.build_model(prep.config)
    result = ts.train(net, prep)
    assert len(result.history) == 2 and np.isfinite(result.history[-1].train_loss)
    q = ts.predict_quantiles(net, prep, prep.origins)
    assert q.shape == (len(prep.origins), prep.config.horizon, 3)
    assert (np.diff(q, axis=-1) >= 0).all()


def test_a_trained_network_beats_naive_on_a_clean_season(small):
    prep = ts.prepare(small, ts.ForecastConfig(model="mlp", hidden=16, epochs=40, patience=None))
    net = ts.build_model(prep.config)
    ts.train(net, prep)
    met = ts.backtest(prep, net, baselines=("naive",)).metrics
    assert met["mlp"]["mae"] < 0.6 * met["naive"]["mae"]


def test_stop_token_keeps_a_usable_model(small):
    from dl_core.training import CancelToken

    prep = ts.prepare(small, ts.ForecastConfig(model="gru", **{**TINY, "epochs": 50}))
    net, cancel = ts.build_model(prep.config), CancelToken()

    class StopAfterOne:
        def on_batch_end(self, *a):
            pass

        def on_epoch_end(self, log, history, model):
            cancel.cancel()

    result = ts.train(net, prep, callbacks=[StopAfterOne()], cancel=cancel)
    assert result.cancelled and len(result.history) == 1
    assert np.isfinite(ts.backtest(prep, net, baselines=()).metrics["gru"]["mae"])


def test_future_forecast_and_residuals_flag_a_spike(trained):
    prep, net = trained
    fut = ts.forecast_future(prep, net)
    assert len(fut) == prep.config.horizon and fut["time"].iloc[0] > prep.series.index[-1]
    assert (fut["lower_90"] <= fut["forecast"]).all() and (fut["forecast"] <= fut["upper_90"]).all()
    spiked = td.Series("s", prep.y.copy(), prep.series.index, prep.series.freq, prep.series.season)
    spiked.values[150] += 40 * prep.y.std()
    sp = ts.prepare(spiked, prep.config)
    r = ts.residuals(sp, net, k=4.0)
    pos = list(r.index).index(spiked.index[150])
    assert r.anomaly[pos] and np.argmax(np.abs(r.residual)) == pos
    assert r.anomaly.mean() < 0.2  # the spike also disturbs the windows after it, but not everything


# ---- command line -----------------------------------------------------------------------------------

def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dl_core", "timeseries", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.mark.slow
def test_cli_forecast_json_contract(tmp_path):
    path = tmp_path / "sales.csv"
    monthly(96).to_csv(path, index=False)
    out = cli("forecast", str(path), "--time-col", "month", "--value-col", "sales", "--horizon", "6",
              "--model", "gru", "--season", "12", "--epochs", "3", "--seed", "1", "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert len(payload["forecast"]) == 6 and all(isinstance(v, float) for v in payload["forecast"])
    assert {"gru", "naive", "seasonal_naive", "linear_ar", "ets"} <= set(payload["metrics"])
    for met in payload["metrics"].values():
        assert set(met) == {"mae", "rmse", "smape", "mase"} and all(np.isfinite(list(met.values())))
    assert 0 <= payload["coverage_90"] <= 1 and payload["backtest"]["horizon"] == 6


@pytest.mark.parametrize("content, args, message", [
    ("month,sales\n2020-01-01,abc\n2020-02-01,def\n", ["--value-col", "sales"], "non-numeric"),
    ("month,sales\n" + "".join(f"2020-01-{d:02d},{d}\n" for d in range(1, 20)), ["--value-col", "sales"],
     "at least 30"),
    ("month,sales\n2020-01-01,1\n", [], "--value-col is required"),
])
def test_cli_bad_inputs_exit_2_without_traceback(tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    out = cli("forecast", str(path), "--time-col", "month", *args, "--epochs", "1", "--no-track", "--json")
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


# ---- the page (AppTest) -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page():
    at = open_page("pages/timeseries.py", timeout=300)
    assert not exceptions(at)
    return at


def test_page_defaults_and_training(page):
    at = page
    # Each lookup raises KeyError when the widget is missing.
    assert at.radio(key="ts_source").value == "Bundled real series"
    assert at.selectbox(key="ts_bundled").value == "air_passengers"
    assert at.selectbox(key="ts_model").value == "lstm" and at.selectbox(key="ts_scaling").value == "window"
    assert at.slider(key="ts_epochs").value == 100
    at.slider(key="ts_epochs").set_value(3)
    at.select_slider(key="ts_hidden").set_value(8)
    at.button(key="ts_train").click().run()
    assert not exceptions(at)
    table = at.table[0].value
    assert {"lstm", "seasonal_naive", "naive", "linear_ar", "ets"} <= set(table.index)
    assert any(m.label == "90% band coverage" for m in at.metric)
    assert at.slider(key="ts_origin") is not None and at.slider(key="ts_anomaly_k") is not None


@pytest.mark.parametrize("data, message", [
    (b"value\n1\n2\n3\n", "only one column"),
    (b"when,value\n" + b"".join(b"someday,%d\n" % i for i in range(40)), "could not be read as dates"),
    (b"\x00\x01\x02binary", "binary"),
])
def test_page_bad_uploads_show_an_error(page, data, message):
    at = page
    at.radio(key="ts_source").set_value("Upload a CSV").run()
    at.file_uploader(key="ts_upload").set_value(("bad.csv", data, "text/csv")).run()
    assert not exceptions(at)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]


def test_page_synthetic_and_a_good_upload(page):
    at = page
    at.radio(key="ts_source").set_value("Synthetic").run()
    assert not exceptions(at) and at.slider(key="ts_syn_anom").value == 5
    data = monthly(60).sample(frac=1, random_state=0).to_csv(index=False).encode()
    at.radio(key="ts_source").set_value("Upload a CSV").run()
    at.file_uploader(key="ts_upload").set_value(("sales.csv", data, "text/csv")).run()
    assert not exceptions(at) and not at.error
    assert at.selectbox(key="ts_time_col").value == "month" and at.selectbox(key="ts_value_col").value == "sales"
    assert any("sorted" in i.value for i in at.info)


def test_page_shows_results_of_a_stopped_run(page):
    """After Stop, the rerun finds the partly trained model in session_state and evaluates it."""
    from ui.training import TrainingState

    at = page
    at.radio(key="ts_source").set_value("Bundled real series").run()
    done = at.session_state["training::timeseries"]
    at.session_state["training::timeseries"] = TrainingState(model=done.model, history=done.history[:1])
    at.session_state["ts_result"] = None
    at.run()
    assert not exceptions(at)
    assert any("stopped after epoch 1" in w.value for w in at.warning)
    assert "seasonal_naive" in at.table[0].value.index


def test_conformal_band_contains_the_median_and_widens_a_too_narrow_band(trained):
    prep, net = trained
    q = ts.predict_quantiles(net, prep, prep.origins)
    lower, upper = ts.band(q, 10.0)
    assert (lower <= q[..., 1]).all() and (upper >= q[..., 1]).all()
    assert np.allclose(upper - lower, q[..., 2] - q[..., 0] + 20)
    # Calibrating on the validation windows reaches the target coverage there, by construction.
    margin = ts.conformal_margin(net, prep)
    qv = ts.predict_quantiles(net, prep, prep.val_idx)
    _, yv = prep.windows(prep.val_idx)
    lo, hi = ts.band(qv, margin)
    assert np.mean((yv >= lo) & (yv <= hi)) >= 0.9
