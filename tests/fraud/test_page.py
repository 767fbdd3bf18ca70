"""The fraud page in AppTest: training, the threshold, scoring, Stop, bad uploads, a table about
something else than fraud, and the same result as the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from dl_core import fraud
from tests.conftest import ROOT, exceptions, open_page
from tests.fraud.test_engine import _creditcard
from tests.timeseries.bounded import within
from tests.ui.helpers import echarts_spec, fragments_drawn, tab_labels


def confusion(at) -> dict[str, int]:
    """The threshold tab's confusion matrix: {cell name: count} (ui/fraud/charts.confusion_html)."""
    (table,) = [h.proto.body for h in at.get("html") if "data-cell=" in h.proto.body]
    return {name: int(n) for name, n in re.findall(r'data-cell="([^"]+)" data-count="(\d+)"', table)}


def metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


def kept(at):
    return at.session_state["result::fraud"]


def results_tab(at, label: str):
    """Open a results tab: only the open one is drawn (ui/tabs.py)."""
    at.session_state["fraud_results_tab"] = label
    return at.run()


def model_settings(at):
    """Open "Model settings": its widgets are drawn only while it is open (ui/expanders.py)."""
    at.session_state["fraud_settings_open"] = True
    return at.run()


def upload_csv(at, frame: pd.DataFrame, name: str = "tx.csv"):
    at.radio(key="fraud_source").set_value("My labelled CSV").run()
    at.file_uploader(key="fraud_csv").set_value((name, frame.to_csv(index=False).encode(), "text/csv")).run()
    return at


@pytest.mark.slow
def test_page_trains_and_threshold_moves_the_confusion_matrix(monkeypatch):
    at = open_page("pages/fraud.py")
    assert not exceptions(at)
    assert at.slider(key="fraud_rate").value == 2.0 and at.button(key="fraud_train").label == "Train models"
    at.slider(key="fraud_rows").set_value(3_000)
    assert not [w for w in at.slider if w.key == "fraud_epochs"]  # "Model settings" is closed
    model_settings(at)
    at.slider(key="fraud_epochs").set_value(4)
    at.slider(key="fraud_ae_epochs").set_value(3)
    at.multiselect(key="fraud_others").set_value(["autoencoder", "logreg"])
    at.run()
    at.button(key="fraud_train").click()
    at.run()
    assert not exceptions(at) and not at.error
    run = kept(at)
    assert set(run.results) == {"mlp", "autoencoder"} and set(run.evaluations) == {"mlp", "autoencoder", "logreg"}

    def caught() -> int:
        return confusion(at)["Caught"]

    # After the training the data and the settings still redraw alone (issue 13): the results below are of
    # the data trained on, and step 1 says when its settings no longer match.
    seen = fragments_drawn(monkeypatch)

    def changed() -> bool:
        return any("data settings changed since training" in w.value for w in at.warning)

    at.slider(key="fraud_rows").set_value(4_000).run()
    assert {"data._view", "train._settings"} <= set(seen) and changed() and kept(at) is run
    at.slider(key="fraud_rows").set_value(3_000).run()
    assert not changed() and not exceptions(at)
    # The same box, green, when they match again (a box that came and went moved the whole page below it).
    assert any("results below are of these data settings" in s.value for s in at.success)

    assert not [w for w in at.slider if w.key == "fraud_threshold"]  # the closed tabs are not drawn
    results_tab(at, "Threshold and cost")
    at.slider(key="fraud_threshold").set_value(0.0)
    at.run()
    everything = caught()
    at.slider(key="fraud_threshold").set_value(1.0)
    at.run()
    assert everything == 12 and caught() < everything  # 600 test rows at 2 % fraud
    # The confusion matrix (one HTML table) holds the test split's counts at the slider's threshold.
    data, ev = run.data, run.evaluations["mlp"]
    (tn, fp), (fn, tp) = fraud.confusion(data.y_test, ev.test_scores, 1.0)
    assert confusion(at) == {"Caught": tp, "Missed": fn, "False alarms": fp, "Passed": tn}
    assert sum(confusion(at).values()) == 600
    assert not exceptions(at) and kept(at) is run  # moving the threshold retrains nothing
    # The costs: the button moves the slider to the threshold that minimises the validation cost, and the
    # cost metric at the slider then equals the caption's cost at that threshold.
    at.number_input(key="fraud_cost_fp").set_value(50.0).run()
    best = metric(at, "Cost-minimising threshold").value
    at.button(key="fraud_use_best").click().run()
    assert f"{at.slider(key='fraud_threshold').value:.3f}" == best
    here = metric(at, "Cost per 1,000 transactions").value
    assert any(f"test split costs **{here}** per 1,000" in c.value for c in at.caption), here
    # The cost curve (ECharts): its mark is the stated threshold, and above every score it costs what
    # flagging nothing costs.
    curve = echarts_spec(at, "fraud_cost_curve")["series"][0]
    assert f"{curve['markLine']['data'][0]['xAxis']:.3f}" == best
    nothing = next(c.value for c in at.caption if "flagging nothing would cost" in c.value)
    assert curve["data"][-1][0] == 1.0 and nothing.endswith(f"flagging nothing would cost {curve['data'][-1][1]:,.0f}.")
    at.number_input(key="fraud_cost_fp").set_value(5.0).run()
    # Why flagged: the bars (ECharts) are the engine's attributions of the picked row, largest on top.
    at.slider(key="fraud_threshold").set_value(0.0).run()
    results_tab(at, "Why was a transaction flagged?")
    assert not exceptions(at) and not at.error
    shown = []
    for pick in (0, 1):
        at.selectbox(key="fraud_explain_row").select_index(pick).run()
        row = int(at.selectbox(key="fraud_explain_row").value)
        attr = run.cache[("attribution", "mlp", row)]
        spec = echarts_spec(at, "fraud_attr")
        bars, labels = spec["series"][0]["data"][::-1], spec["yAxis"]["data"][::-1]
        assert [b["value"] for b in bars] == pytest.approx(attr["attribution"].tolist(), abs=1e-5)
        assert labels[0] == f"{attr['feature'][0]} = {attr['value'][0]}"
        shown.append(row)
    assert shown[0] != shown[1] and not exceptions(at)
    # score a new, unlabelled batch with the trained MLP
    results_tab(at, "Score new transactions")
    new = fraud.generate(fraud.GeneratorConfig(rows=600, seed=9)).drop(columns=["is_fraud"])
    at.file_uploader(key="fraud_score_csv").set_value(("new.csv", new.to_csv(index=False).encode(), "text/csv"))
    at.run()
    assert not exceptions(at) and not at.error
    assert metric(at, "Flagged").value.endswith("of 600")
    at.file_uploader(key="fraud_score_csv").set_value(("bad.csv", b"hour,amount\n1,2\n3,4\n", "text/csv"))
    at.run()
    assert not exceptions(at) and any("lacks column" in e.value for e in at.error)
    # A Stop click reruns the page mid-training: the rerun finds only the partly trained MLP in the
    # session (saved by the live-training callback after each epoch) and compares it.
    from ui.training import TrainingState

    partial = at.session_state["training::fraud_mlp"]
    run.results.clear()
    run.cache.clear()
    at.session_state["training::fraud_mlp"] = TrainingState(model=partial.model, history=partial.history[:2])
    at.session_state["training::fraud_ae"] = TrainingState()
    at.file_uploader(key="fraud_score_csv").set_value([])
    at.run()
    assert not exceptions(at)
    assert any("MLP (supervised)" in s.value and "stopped part-way" in s.value for s in at.success)
    assert set(kept(at).results) == {"mlp"} and kept(at).stopped == {"mlp"}
    results_tab(at, "Compare the models")
    models = [m for df in at.dataframe if "model" in df.value for m in df.value["model"]]
    assert "MLP (supervised)" in models and "Logistic regression" in models, models


def test_page_recognises_the_card_fraud_layout():
    at = upload_csv(open_page("pages/fraud.py"), _creditcard(), "creditcard.csv")
    assert not exceptions(at) and not at.error
    assert at.selectbox(key="fraud_label").value == "Class"
    assert any("Time, V1–V28, Amount, Class" in i.value for i in at.info)
    assert "up to 50 MB" in at.file_uploader(key="fraud_csv").proto.label  # the server's limit, not 200 MB
    at.selectbox(key="fraud_positive").set_value("0")
    at.run()
    test_split = metric(at, "Test split")
    assert not exceptions(at) and float(test_split.delta.split("(")[1].rstrip("%)")) > 50  # '0' is now "fraud"
    at.selectbox(key="fraud_label").set_value("V1")  # a numeric column is not a label
    at.run()
    assert not exceptions(at) and any("different values" in e.value for e in at.error)


@pytest.mark.parametrize("content, message", [
    (b"a,b,label\n" + b"".join(f"{i},{i % 7},{i % 3}\n".encode() for i in range(40)), "3 different values"),
    (b"a,b,Class\n" + b"".join(f"{i},{i % 7},0\n".encode() for i in range(40)), "single value"),
    (b"\x00\x01\x02binary", "binary"),
])
def test_page_bad_uploads_show_an_error(content, message):
    at = open_page("pages/fraud.py")
    at.radio(key="fraud_source").set_value("My labelled CSV")
    at.run()
    at.file_uploader(key="fraud_csv").set_value(("tx.csv", content, "text/csv"))
    at.run()
    if message != "binary" and not at.error:
        at.selectbox(key="fraud_label").set_value("label" if b"label" in content else "Class")
        at.run()
    assert not exceptions(at)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]


@pytest.mark.slow
def test_a_loan_table_is_not_called_fraud():
    """Issue 13: a person's own table about loan defaults speaks of 'defaulted' rows, not fraud."""
    rng = np.random.default_rng(0)
    n = 1_500
    income = rng.lognormal(10, 0.5, n)
    debt = rng.uniform(0, 1, n)
    defaulted = (rng.random(n) < 0.05 + 0.3 * (debt > 0.8)).astype(int)
    loans = pd.DataFrame({"income": income.round(2), "debt_ratio": debt.round(3),
                          "purpose": rng.choice(["car", "home", "study"], n), "defaulted": defaulted})
    at = open_page("pages/fraud.py")
    at.radio(key="fraud_source").set_value("My labelled CSV").run()
    at.file_uploader(key="fraud_csv").set_value(("loans.csv", loans.to_csv(index=False).encode(), "text/csv")).run()
    at.selectbox(key="fraud_label").set_value("defaulted").run()
    assert not exceptions(at) and not at.error
    assert "defaulted" in metric(at, "Test split").delta
    model_settings(at)
    at.slider(key="fraud_epochs").set_value(2)
    at.multiselect(key="fraud_others").set_value(["logreg"])
    at.run()
    at.button(key="fraud_train").click().run()
    assert not exceptions(at) and not at.error
    assert tab_labels(at, "fraud_results_tab") == ["Compare the models", "Threshold and cost", "Why was a row flagged?",
                                          "Score new rows"]
    shown = []
    for label in tab_labels(at, "fraud_results_tab"):  # every results tab (only the open one is drawn)
        results_tab(at, label)
        assert not exceptions(at) and not at.error
        shown += ([m.label for m in at.metric] + [m.delta or "" for m in at.metric] + [x.label for x in at.number_input]
                  + [x.label for x in at.slider] + [x.value for x in at.info] + [x.value for x in at.caption])
        if label == "Threshold and cost":
            assert at.number_input(key="fraud_cost_fn").label == "Cost of missing a 'defaulted' row"
    assert not [s for s in shown if "fraud" in s.lower()], [s for s in shown if "fraud" in s.lower()]


def _cli_run(client, experiment: str):
    exp = client.get_experiment_by_name(experiment)
    return client.search_runs([exp.experiment_id], filter_string="tags.`dlx.source` = 'cli'",
                              order_by=["attributes.start_time DESC"])[0]


@pytest.mark.slow
def test_page_and_cli_give_the_same_metrics_and_params(tmp_path):
    """One engine call behind both: the same data, config and seed give the same metrics and params."""
    from dl_core import tracking

    frame = fraud.generate(fraud.GeneratorConfig(rows=2_000, fraud_rate=0.05, seed=3))
    path = tmp_path / "tx.csv"
    frame.to_csv(path, index=False)
    at = upload_csv(open_page("pages/fraud.py"), frame)
    model_settings(at)
    at.slider(key="fraud_epochs").set_value(3)
    at.multiselect(key="fraud_others").set_value(list(fraud.BASELINES))
    at.run()
    at.button(key="fraud_train").click().run()
    assert not exceptions(at) and not at.error
    page = kept(at).results["mlp"]
    out = subprocess.run([sys.executable, "-m", "dl_core", "fraud", "train", str(path), "--model", "mlp",
                          "--epochs", "3", "--seed", "0", "--json"], capture_output=True, text=True, cwd=ROOT,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert {k.removeprefix("test_"): v for k, v in page.metrics.items() if k.startswith("test_")} == \
        pytest.approx(payload["test"], rel=1e-9)
    for name, values in payload["baselines"].items():
        assert {k: page.metrics[f"{name}_test_{k}"] for k in values} == pytest.approx(values, rel=1e-9)
    client = tracking.client()
    page_run, cli_run = client.get_run(page.run_id), _cli_run(client, "fraud/mlp")
    assert page_run.data.tags["dlx.source"] == "app" and cli_run.data.tags["dlx.source"] == "cli"
    assert page_run.data.params == cli_run.data.params
    finals = {k: v for k, v in page_run.data.metrics.items() if k.startswith("final_")}
    assert finals and finals == pytest.approx({k: cli_run.data.metrics[k] for k in finals}, rel=1e-9)


def test_an_upload_is_parsed_once_not_on_every_rerun(monkeypatch):
    """Issue 12 #5: the labelled file is read once per upload, however many controls move."""
    calls = []
    real = fraud.read_table
    monkeypatch.setattr(fraud, "read_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    frame = fraud.generate(fraud.GeneratorConfig(rows=1_000, fraud_rate=0.05, seed=11))
    at = open_page("pages/fraud.py")
    with within(seconds=60, peak_mb=300):  # generous: AppTest on a busy 2-core machine
        upload_csv(at, frame, "parse-once.csv")
        assert not exceptions(at) and not at.error and len(calls) == 1
        for value in ("0", "1", "the rarer value"):
            at.selectbox(key="fraud_positive").set_value(value).run()
        model_settings(at)
        at.slider(key="fraud_epochs").set_value(3).run()
    assert len(calls) == 1 and not exceptions(at)
