"""The time-series page in AppTest: defaults, training, bad uploads, Stop, and the same result as the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from dl_core import timeseries as ts
from tests.conftest import ROOT, exceptions, open_page
from tests.timeseries.bounded import within
from tests.timeseries.test_engine import monthly
from tests.ui.helpers import echarts_spec, fragments_drawn


@pytest.fixture(scope="module")
def page():
    at = open_page("pages/timeseries.py", timeout=300)
    assert not exceptions(at)
    return at


def kept(at):
    return at.session_state["result::timeseries"]


def series_chart(at) -> dict:
    """The option of the series chart in step 1 (st.echarts_chart: AppTest sees an UnknownElement)."""
    charts = [c for c in at.get("echarts_chart") if c.proto.id.endswith("ts_series_chart")]
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def assert_chart_shows(spec: dict, series: ts.Series, title: str) -> None:
    """Every point of `series` is drawn, in order, at its own time, with its value; dates on a time axis."""
    assert spec["title"]["text"] == title
    assert spec["xAxis"]["type"] == "time" and spec["useUTC"] is True and spec["animation"] is False
    (line,) = spec["series"]
    assert line["type"] == "line" and line["sampling"] == "lttb" and line["showSymbol"] is False
    x, y = np.array([p[0] for p in line["data"]]), np.array([p[1] for p in line["data"]], dtype=float)
    assert len(x) == len(series)
    assert pd.to_datetime(x, unit="ms").equals(pd.DatetimeIndex(series.index).as_unit("ns"))
    np.testing.assert_allclose(y, series.values, atol=1e-4)  # rounded to 4 decimals for a smaller page


def test_page_defaults_and_training(page):
    at = page
    # Each lookup raises KeyError when the widget is missing.
    assert at.radio(key="ts_source").value == "Bundled real series"
    assert at.selectbox(key="ts_bundled").value == "air_passengers"
    assert at.selectbox(key="ts_model").value == "lstm"
    # "Network and training" is closed: its widgets are not drawn (ui/expanders.py) until it is opened.
    assert not [w for w in at.slider if w.key == "ts_epochs"]
    at.session_state["ts_net"] = True
    at.run()
    assert at.selectbox(key="ts_scaling").value == "window" and at.slider(key="ts_epochs").value == 100
    assert not at.sidebar.selectbox and not at.sidebar.button  # the settings sit beside the Train button
    air = ts.load_bundled("air_passengers")
    spec = series_chart(at)
    assert_chart_shows(spec, air, air.description)
    assert spec["series"][0]["data"][0] == [int(pd.Timestamp("1949-01-01").value // 10**6), 112.0]
    assert spec["series"][0]["data"][-1] == [int(pd.Timestamp("1960-12-01").value // 10**6), 432.0]
    at.slider(key="ts_epochs").set_value(3)
    at.select_slider(key="ts_hidden").set_value(8)
    at.run()
    at.session_state["ts_net"] = False  # closed again: the settings keep their values
    at.run()
    assert not [w for w in at.slider if w.key == "ts_epochs"]
    at.button(key="ts_train").click().run()
    assert not exceptions(at) and not at.error
    assert kept(at).prep.config.hidden == 8 and kept(at).prep.config.epochs == 3
    table = at.table[0].value
    assert {"lstm", "seasonal_naive", "naive", "linear_ar", "ets"} <= set(table.index)
    assert any(m.label == "90% band coverage" for m in at.metric)
    result = kept(at).result
    assert len(result.history) == 3 and result.run_id
    # The result tabs' controls are there and answer without retraining.
    at.slider(key="ts_origin").set_value(1).run()
    assert not [w for w in at.slider if w.key == "ts_anomaly_k"]  # only the open results tab is drawn
    # The origin's chart (ECharts): the truth and every model's forecast over the horizon from origin 1.
    origin = echarts_spec(at, "ts_origin_chart")
    assert "(backtest origin 1 of " in origin["title"]["text"]
    lines = {s["name"]: s["data"] for s in origin["series"]}
    bt, horizon = result.details["backtest"], kept(at).prep.config.horizon
    assert {"history", "truth", *bt.forecasts} <= set(lines) and len(lines["truth"]) == horizon
    assert [v for _, v in lines["truth"]] == pytest.approx(list(bt.truth[0]), abs=1e-3)
    at.session_state["ts_results_tab"] = "Residuals and anomalies"
    at.run()
    at.slider(key="ts_anomaly_k").set_value(2.0).run()
    assert not exceptions(at) and kept(at).result is result
    flagged = next(m for m in at.metric if m.label == "Flagged points")
    expected = ts.residuals(result.details["prep"], result.details["one_step"], 2.0).anomaly.sum()
    assert int(flagged.value) == expected and expected > 0
    r = ts.residuals(result.details["prep"], result.details["one_step"], 2.0)
    # One chart, two grids: the series with the flagged points circled above, the residuals below.
    series = echarts_spec(at, "ts_flagged_chart")["series"]
    above = [s for s in series if s.get("yAxisIndex", 0) == 0]
    residuals = {s["name"]: s["data"] for s in series if s.get("yAxisIndex") == 1}
    assert len(residuals["flagged"]) == expected and sum(map(len, residuals.values())) == len(r.residual)
    assert [s["name"] for s in above] == ["actual", "flagged"] and len(above[1]["data"]) == expected
    assert [v for _, v in residuals["flagged"]] == pytest.approx(list(r.residual[r.anomaly]), abs=1e-3)
    assert not at.dataframe  # the table of flagged points is drawn only while its expander is open
    at.session_state["ts_anomaly_table_open"] = True
    at.run()
    (table,) = at.dataframe
    assert len(table.value) == expected and table.value["residual"].abs().min() > r.threshold
    at.session_state["ts_anomaly_table_open"] = False
    at.session_state["ts_results_tab"] = "Backtest"
    at.run()
    assert at.slider(key="ts_origin").value == 1  # kept while another tab was open


def test_settings_redraw_alone_after_a_training_with_their_notice(page, monkeypatch):
    """Issue 13: after a training the settings stay a fragment (a slider redraws only them, not the results
    below, which are of the settings trained with); the notice that the results are of earlier settings is
    drawn below them, and each network widget, a fragment of its own, rewrites it (the browser test sees
    those reruns). A Repeat table below reads the settings, so then they are a plain part of the page."""
    from ui import fragments
    from ui.repeat import Repeat

    at = page
    at.radio(key="ts_source").set_value("Bundled real series").run()
    at.session_state["ts_net"] = True
    at.run()
    if "result::timeseries" not in at.session_state:
        at.button(key="ts_train").click().run()

    def notice() -> bool:
        return any("changed since training" in w.value for w in at.warning)

    seen = fragments_drawn(monkeypatch)
    own = []  # each network widget stays a fragment of its own after the training: a step sends it alone
    real_widget = fragments._widget
    monkeypatch.setattr(fragments, "_widget", lambda draw, below: own.append(draw.__qualname__) or real_widget(
        draw, below))
    trained_with = kept(at).prep.config.epochs
    at.slider(key="ts_epochs").set_value(trained_with + 1).run()
    assert "model._settings_and_windows" in seen and notice() and not exceptions(at)
    assert sum("_network" in name for name in own) == 7, own
    assert len([w for w in at.warning if "changed since training" in w.value]) == 1
    at.slider(key="ts_epochs").set_value(trained_with).run()
    assert not notice() and any("results below are of these data and settings" in s.value for s in at.success)
    at.session_state["repeat::timeseries"] = Repeat(seeds=(0, 1, 2), metric="mase", label="MASE")
    seen.clear()
    at.run()
    assert "model._settings_and_windows" not in seen and not exceptions(at)
    del at.session_state["repeat::timeseries"]
    at.session_state["ts_net"] = False
    at.run()


@pytest.mark.parametrize("data, message", [
    (b"value\n1\n2\n3\n", "only one column"),
    (b"when,value\n" + b"".join(b"someday,%d\n" % i for i in range(40)), "could not be read as dates"),
    (b"\x00\x01\x02binary", "binary"),
    (b"t,v\n" + b"".join(b"2024-01-01 00:00:%02d,%d\n" % (s, s) for s in range(30)) + b"2224-03-01,1\n",
     "limit here is 100,000"),
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
    title = "Synthetic hourly series (see the sliders)"
    assert_chart_shows(series_chart(at), ts.synthetic(ts.SyntheticConfig()), title)
    # A slider move redraws the chart with the new series (the same chart key, new data).
    at.slider(key="ts_syn_n").set_value(1000)
    at.number_input(key="ts_syn_seed").set_value(7).run()
    assert not exceptions(at)
    assert_chart_shows(series_chart(at), ts.synthetic(ts.SyntheticConfig(n=1000, seed=7)), title)
    data = monthly(60).sample(frac=1, random_state=0).to_csv(index=False).encode()
    at.radio(key="ts_source").set_value("Upload a CSV").run()
    at.file_uploader(key="ts_upload").set_value(("sales.csv", data, "text/csv")).run()
    assert not exceptions(at) and not at.error
    assert at.selectbox(key="ts_time_col").value == "month" and at.selectbox(key="ts_value_col").value == "sales"
    in_order = monthly(60)
    uploaded = ts.Series(name="sales.csv", values=in_order["sales"].to_numpy(),
                         index=pd.DatetimeIndex(in_order["month"]), freq="MS", season=12)
    assert_chart_shows(series_chart(at), uploaded, "sales.csv: 60 points")  # sorted by time, as the page says
    assert any("sorted" in i.value for i in at.info)
    assert "up to 50 MB" in at.file_uploader(key="ts_upload").proto.label  # the server's real limit


def test_page_shows_results_of_a_stopped_run(page):
    """After Stop, the rerun finds the partly trained model in session_state and evaluates it."""
    from ui.training import TrainingState

    at = page
    at.radio(key="ts_source").set_value("Bundled real series").run()
    done = at.session_state["training::timeseries"]
    at.session_state["training::timeseries"] = TrainingState(model=done.model, history=done.history[:1])
    del at.session_state["result::timeseries"]
    at.run()
    assert not exceptions(at)
    assert any("stopped after epoch 1" in w.value for w in at.warning)
    assert not any("changed since training" in w.value for w in at.warning)
    assert kept(at).stopped and "seasonal_naive" in at.table[0].value.index


def _cli_run(client, experiment: str):
    runs = client.search_runs([client.get_experiment_by_name(experiment).experiment_id],
                              filter_string="tags.`dlx.source` = 'cli'", order_by=["attributes.start_time DESC"])
    return runs[0]


@pytest.mark.slow
def test_page_and_cli_give_the_same_metrics_and_params():
    """One engine call behind both: the same config and seed give the same metrics and logged params."""
    from dl_core import tracking

    at = open_page("pages/timeseries.py", timeout=300)
    at.session_state["ts_net"] = True  # open "Network and training"
    at.selectbox(key="ts_model").set_value("mlp").run()
    at.slider(key="ts_epochs").set_value(3)
    at.select_slider(key="ts_hidden").set_value(8)
    at.number_input(key="ts_seed").set_value(2)
    at.run()
    at.button(key="ts_train").click().run()
    assert not exceptions(at) and not at.error
    page_result = kept(at).result
    out = subprocess.run([sys.executable, "-m", "dl_core", "timeseries", "forecast", "bundled:air_passengers",
                          "--model", "mlp", "--epochs", "3", "--hidden", "8", "--seed", "2", "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    for name, values in payload["metrics"].items():
        for metric, v in values.items():
            key = metric if name == "mlp" else f"{name}_{metric}"
            assert page_result.metrics[key] == pytest.approx(v, rel=1e-9), key
    client = tracking.client()
    page_run, cli_run = client.get_run(page_result.run_id), _cli_run(client, "timeseries/mlp")
    assert page_run.data.tags["dlx.source"] == "app" and cli_run.data.tags["dlx.source"] == "cli"
    assert page_run.data.params == cli_run.data.params
    finals = {k: v for k, v in page_run.data.metrics.items() if k.startswith("final_")}
    assert finals and finals == pytest.approx({k: cli_run.data.metrics[k] for k in finals}, rel=1e-9)


def test_an_upload_is_parsed_once_not_on_every_rerun(monkeypatch):
    """Issue 12 #5: moving any control reruns the page; the file is read once per upload (file id)."""
    calls = []
    real = ts.read_table
    monkeypatch.setattr(ts, "read_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = open_page("pages/timeseries.py", timeout=300)
    at.session_state["ts_net"] = True  # open "Network and training"
    at.radio(key="ts_source").set_value("Upload a CSV").run()
    data = monthly(72, seed=5).to_csv(index=False).encode()
    with within(seconds=60, peak_mb=300):  # generous: AppTest on a busy 2-core machine
        at.file_uploader(key="ts_upload").set_value(("parse-once.csv", data, "text/csv")).run()
        assert not exceptions(at) and not at.error and len(calls) == 1
        for hidden in (16, 32, 8):
            at.select_slider(key="ts_hidden").set_value(hidden).run()
    assert len(calls) == 1 and not exceptions(at)


def test_undated_series_are_drawn_over_their_step_numbers():
    from ui.timeseries import charts

    spec = charts.series_option(pd.Index([0, 5, 10]), np.array([1.5, np.nan, 3.0]), "steps.csv: 3 points")
    assert spec["xAxis"]["type"] == "value" and spec["xAxis"]["axisPointer"]["label"]["precision"] == 0
    assert spec["series"][0]["data"] == [[0.0, 1.5], [5.0, None], [10.0, 3.0]]  # a missing value is a gap
    json.dumps(spec, allow_nan=False)  # strict JSON, as the browser parses it
