"""Time series engine: data cleaning, windows, baselines on the same windows, metrics, networks, the one
engine call (train_forecaster), bounds on what a person controls, and seeded runs under concurrency."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pandas as pd
import pytest

from dl_core import timeseries as ts
from dl_core import training
from dl_core.errors import InputError
from tests.timeseries.bounded import run_bounded, within

TINY = {"hidden": 8, "epochs": 2, "batch_size": 64, "patience": None}


def monthly(n: int = 96, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, n)
    return pd.DataFrame({"month": pd.date_range("2015-01-01", periods=n, freq="MS").strftime("%Y-%m-%d"),
                         "sales": y})


@pytest.fixture(scope="module")
def small() -> ts.Series:
    return ts.synthetic(ts.SyntheticConfig(n=240, season=12, anomalies=0, level_shifts=0, noise=0.2))


def fit(prep: ts.Prepared, **kwargs):
    with training.seeded(prep.config.seed):
        net = ts.build_model(prep.config)
    return net, ts.fit_network(net, prep, **kwargs)


@pytest.fixture(scope="module")
def trained(small):
    prep = ts.prepare(small, ts.ForecastConfig(model="mlp", **TINY))
    net, _ = fit(prep)
    return prep, net


# ---- data -------------------------------------------------------------------------------------------

def test_csv_cleaning_notices_sorted_duplicates_missing_gaps():
    df = monthly()
    df.loc[5, "sales"] = np.nan  # a missing value
    df = pd.concat([df, df.iloc[[10]]])  # a duplicate time stamp
    df = df.drop(index=[40])  # a gap in the monthly grid
    df = df.sample(frac=1, random_state=0)  # unsorted
    s = ts.from_frame(df, "month", "sales")
    text = " ".join(s.notices)
    assert s.freq == "MS" and s.season == 12 and len(s) == 96
    assert "sorted" in text and "duplicate" in text and "filled in" in text and "interpolation" in text
    assert s.index.is_monotonic_increasing and np.isfinite(s.values).all()


def test_frequency_can_be_chosen_and_years_are_read():
    df = monthly(120)
    s = ts.from_frame(df, "month", "sales", freq="QS")
    assert s.freq == "QS" and len(s) == 40 and s.season == 4
    years = pd.DataFrame({"year": np.arange(1900, 1960), "v": np.arange(60.0) % 7})
    y = ts.from_frame(years, "year", "v")
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
        ts.from_frame(frame, time_col if time_col != col else "d", col)


def test_a_million_rows_is_refused_before_parsing():
    big = pd.DataFrame({"d": np.zeros(1_000_000), "v": np.zeros(1_000_000)})
    with pytest.raises(InputError, match="1,000,000 rows"):
        ts.from_frame(big, "d", "v")


def test_short_series_for_window_and_horizon(small):
    with pytest.raises(InputError, match="window \\+ horizon"):
        ts.prepare(small, ts.ForecastConfig(window=200, horizon=60))
    with pytest.raises(InputError, match="Unknown model"):
        ts.prepare(small, ts.ForecastConfig(model="xgboost"))


def test_synthetic_is_reproducible_and_has_its_parts():
    cfg = ts.SyntheticConfig(n=300, anomalies=3, seed=4)
    a, b = ts.synthetic(cfg), ts.synthetic(cfg)
    assert np.array_equal(a.values, b.values) and len(a) == 300 and a.season == 24
    assert not np.array_equal(a.values, ts.synthetic(ts.SyntheticConfig(n=300, seed=5)).values)


@pytest.mark.slow
@pytest.mark.parametrize("name", ts.bundled_names())
def test_bundled_series_load_offline(name):
    s = ts.load_bundled(name)
    assert len(s) >= 100 and np.isfinite(s.values).all() and s.season == ts.BUNDLED[name][1]
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
    s = ts.Series("line", 3.0 * np.arange(200.0) + 7, pd.RangeIndex(200), None, 1)
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
    net, result = fit(prep)
    assert len(result.history) == 2 and np.isfinite(result.history[-1].train_loss)
    q = ts.predict_quantiles(net, prep, prep.origins)
    assert q.shape == (len(prep.origins), prep.config.horizon, 3)
    assert (np.diff(q, axis=-1) >= 0).all()


def test_a_trained_network_beats_naive_on_a_clean_season(small):
    prep = ts.prepare(small, ts.ForecastConfig(model="mlp", hidden=16, epochs=40, patience=None))
    net, _ = fit(prep)
    met = ts.backtest(prep, net, baselines=("naive",)).metrics
    assert met["mlp"]["mae"] < 0.6 * met["naive"]["mae"]


def test_stop_token_keeps_a_usable_model(small):
    from dl_core.training import CancelToken

    prep = ts.prepare(small, ts.ForecastConfig(model="gru", **{**TINY, "epochs": 50}))
    cancel = CancelToken()

    class StopAfterOne:
        def on_batch_end(self, *a):
            pass

        def on_epoch_end(self, log, history, model):
            cancel.cancel()

    net, result = fit(prep, callbacks=[StopAfterOne()], cancel=cancel)
    assert result.cancelled and len(result.history) == 1
    assert np.isfinite(ts.backtest(prep, net, baselines=()).metrics["gru"]["mae"])


def test_future_forecast_and_residuals_flag_a_spike(trained):
    prep, net = trained
    fut = ts.forecast_future(prep, net)
    assert len(fut) == prep.config.horizon and fut["time"].iloc[0] > prep.series.index[-1]
    assert (fut["lower_90"] <= fut["forecast"]).all() and (fut["forecast"] <= fut["upper_90"]).all()
    spiked = ts.Series("s", prep.y.copy(), prep.series.index, prep.series.freq, prep.series.season)
    spiked.values[150] += 40 * prep.y.std()
    sp = ts.prepare(spiked, prep.config)
    r = ts.residuals(sp, ts.one_step_forecasts(sp, net), k=4.0)
    pos = list(r.index).index(spiked.index[150])
    assert r.anomaly[pos] and np.argmax(np.abs(r.residual)) == pos
    assert r.anomaly.mean() < 0.2  # the spike also disturbs the windows after it, but not everything


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


# ---- the one engine call ----------------------------------------------------------------------------

def test_train_forecaster_trains_evaluates_and_logs(small):
    from dl_core import tracking

    cfg = ts.ForecastConfig(model="mlp", **TINY)
    result = ts.train_forecaster(small, cfg, caller="cli")
    assert isinstance(result, training.TrainedModel) and len(result.history) == 2 and result.fit is not None
    bt = result.details["backtest"]
    # The network and every baseline side by side, under the names MLflow holds.
    assert set(bt.forecasts) == {"mlp", *ts.BASELINES}
    for name, values in bt.metrics.items():
        for metric, v in values.items():
            assert result.metrics[metric if name == "mlp" else f"{name}_{metric}"] == pytest.approx(v)
    assert result.metrics["coverage_90"] == pytest.approx(bt.coverage)
    run = tracking.client().get_run(result.run_id)
    assert run.data.tags["dlx.source"] == "cli"
    assert run.data.params["window"] == str(result.details["prep"].config.window)  # the resolved config
    assert run.data.params["series"] == "synthetic" and run.data.params["points"] == "240"
    assert run.data.metrics["final_seasonal_naive_mase"] == pytest.approx(result.metrics["seasonal_naive_mase"])
    assert len(result.details["future"]) == result.details["prep"].config.horizon


def test_upload_names_are_not_logged():
    s = ts.from_frame(monthly(), "month", "sales", name="secret-customer-list.csv")
    assert ts.series_params(s)["series"] == "upload"
    assert ts.series_params(ts.load_bundled("air_passengers"))["series"] == "air_passengers"


@pytest.mark.parametrize("kwargs, message", [
    ({"model": "xgboost"}, "choose one of lstm"),
    ({"window": 5000, "model": "mlp"}, "between 1 and 2,000 for the MLP"),
    ({"window": 300, "model": "transformer"}, "between 1 and 256 for the Transformer"),
    ({"horizon": 900}, "horizon must be between 1 and 500"),
    ({"epochs": 0}, "epochs must be between 1 and 10,000"),
    ({"lr": float("nan")}, "learning rate"),
    ({"hidden": 0}, "hidden size must be between 1 and 1024"),
    ({"monitor_mode": "max"}, "must be 'min'"),
    ({"model": "transformer", "window": 256, "batch_size": 256, "layers": 4}, "attention"),
])
def test_config_errors_name_the_value_and_the_range(kwargs, message):
    with pytest.raises(InputError, match=message):
        ts.ForecastConfig(**kwargs).check()


def test_transformer_inference_batches_bound_the_attention():
    cfg = ts.ForecastConfig(model="transformer", window=256, horizon=12, layers=2)
    from dl_core.timeseries.networks import INFERENCE_VALUES, inference_batch

    b = inference_batch(cfg)
    assert 1 <= b < 4096 and b * 4 * 256 ** 2 * 2 <= INFERENCE_VALUES


# ---- hostile sizes: refused before memory is allocated (issue 12 #1, #2) ----------------------------

@pytest.mark.parametrize("far", ["2024-03-01", "2224-03-01"])
def test_one_far_away_date_is_refused_before_resampling(far):
    """30 rows a second apart and one far away: the one-second grid would have 5 million (or 6 billion)
    points; it is refused from its computed length, quickly and without allocating it."""
    report = run_bounded(f"""
        import pandas as pd
        from dl_core import timeseries as ts
        from dl_core.errors import InputError
        times = [str(t) for t in pd.date_range("2024-01-01", periods=30, freq="s")] + ["{far}"]
        frame = pd.DataFrame({{"t": times, "v": range(31)}})
        try:
            ts.from_frame(frame, "t", "v")
            _report(message=None)
        except InputError as exc:
            _report(message=str(exc))
    """, limit_mb=1500)
    assert report["message"] and "limit here is 100,000" in report["message"]
    assert "wrong date" in report["message"] and "1 second" in report["message"]
    assert report["seconds"] < 15 and report["peak_mb"] < 500, report


def test_huge_window_and_windows_times_length_are_refused_cheaply():
    report = run_bounded("""
        import numpy as np, pandas as pd
        from dl_core import timeseries as ts
        from dl_core.errors import InputError
        y = np.sin(np.arange(100_000) / 24) + np.arange(100_000) * 1e-4
        s = ts.Series("long", y, pd.RangeIndex(100_000), None, 24)
        messages = []
        for cfg in (ts.ForecastConfig(model="mlp", window=50_000), ts.ForecastConfig(model="mlp", window=2_000),
                    ts.ForecastConfig(model="transformer", window=2_500)):
            try:
                ts.prepare(s, cfg)
                messages.append(None)
            except InputError as exc:
                messages.append(str(exc))
        _report(messages=messages)
    """, limit_mb=1500)
    too_long, too_many, attention = report["messages"]
    assert "between 1 and 2,000" in too_long
    assert "limit is 20,000,000" in too_many and "Shorten the window" in too_many
    assert "between 1 and 256 for the Transformer" in attention
    assert report["seconds"] < 15 and report["peak_mb"] < 500, report


def test_duplicate_column_names_after_stripping_are_renamed_or_refused_clearly():
    with within(seconds=10, peak_mb=100):
        _duplicates()


def _duplicates():
    frame, notices = ts.read_table(b"t,a,a ,b\n" + b"".join(b"2020-01-%02d,%d,%d,1\n" % (d, d, 2 * d)
                                                             for d in range(1, 31)), name="dup.csv")
    assert list(frame.columns) == ["t", "a", "a (2)", "b"] and any("a (2)" in n for n in notices)
    s = ts.from_frame(frame, "t", "a (2)")
    assert np.allclose(s.values, 2 * np.arange(1, 31))
    dup = pd.DataFrame([[1, 2, 3]] * 40, columns=["a", "a", "b"])
    with pytest.raises(InputError, match="more than one column named 'a'"):
        ts.from_frame(dup, "b", "a")


# ---- reproducibility whatever else runs (issue 12 #12) -----------------------------------------------

def test_two_concurrent_seeded_trainings_equal_their_solo_runs(small):
    import torch

    configs = [ts.ForecastConfig(model="gru", seed=3, **TINY), ts.ForecastConfig(model="transformer", seed=4, **TINY)]
    solo = [ts.train_forecaster(small, c, track=False) for c in configs]
    together: list = [None, None]

    def work(i: int) -> None:
        together[i] = ts.train_forecaster(small, configs[i], track=False)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(solo, together):
        assert a.metrics == b.metrics
        sa, sb = a.model.state_dict(), b.model.state_dict()
        assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert solo[0].metrics != solo[1].metrics  # two different trainings, not one result twice
