"""Fraud detection: generator, label detection and preprocessing, models, metrics and costs, CLI, page."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from dl_core import fraud
from dl_core.errors import InputError
from tests.conftest import ROOT, exceptions, open_page


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return fraud.generate(fraud.GeneratorConfig(rows=3_000, fraud_rate=0.04, difficulty=0.2, seed=1))


@pytest.fixture(scope="module")
def data(frame) -> fraud.FraudData:
    return fraud.prepare(frame)


@pytest.fixture(scope="module")
def mlp(data) -> fraud.Scorer:
    scorer, result = fraud.train_mlp(data, fraud.MLPConfig(epochs=8, width=32))
    assert result.history and not result.cancelled
    return scorer


# ---- generator -----------------------------------------------------------------------------------

def test_generator_columns_rate_and_seed():
    cfg = fraud.GeneratorConfig(rows=2_000, fraud_rate=0.05, seed=3)
    a, b = fraud.generate(cfg), fraud.generate(cfg)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["transaction_id", "hour", "amount", "merchant_category", "distance_from_home_km",
                               "txn_count_24h", "avg_amount_90d", "card_present", "new_device", "is_fraud"]
    assert a["is_fraud"].sum() == 100
    assert a["hour"].between(0, 23).all() and (a["amount"] > 0).all()
    assert a["transaction_id"].is_unique
    assert not a.equals(fraud.generate(fraud.GeneratorConfig(rows=2_000, fraud_rate=0.05, seed=4)))


def test_difficulty_blurs_the_fraud_patterns():
    def gap(difficulty: float) -> float:
        f = fraud.generate(fraud.GeneratorConfig(rows=20_000, fraud_rate=0.1, difficulty=difficulty, seed=0))
        by = f.groupby("is_fraud")
        return float(by["new_device"].mean()[1] - by["new_device"].mean()[0])

    assert gap(0.0) > 0.4 > gap(1.0) > 0.0


@pytest.mark.parametrize("kwargs", [{"rows": 10}, {"fraud_rate": 0.5}, {"fraud_rate": 0.0}, {"difficulty": 2.0},
                                    {"fraud_rate": float("nan")}])
def test_generator_refuses_bad_settings(kwargs):
    with pytest.raises(InputError):
        fraud.generate(fraud.GeneratorConfig(**kwargs))


# ---- labels and preprocessing --------------------------------------------------------------------

def _creditcard(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {"Time": np.sort(rng.integers(0, 170_000, n)).astype(float)}
    y = (rng.random(n) < 0.1).astype(int)
    for i in range(1, 29):
        cols[f"V{i}"] = rng.normal(size=n) + (2.0 * y if i in (4, 11) else 0)
    cols["Amount"] = np.round(rng.lognormal(3, 1.2, n), 2)
    cols["Class"] = y
    return pd.DataFrame(cols)


def test_creditcard_layout_is_detected():
    f = _creditcard()
    assert fraud.is_creditcard_layout(f) and fraud.detect_label(f) == "Class"
    d = fraud.prepare(f)
    assert d.label_col == "Class" and d.positive == "1"
    assert any("Time, V1–V28, Amount, Class" in n for n in d.notices)
    assert len(d.feature_names) == 30 and "Amount" in d.preprocessor.log_


def test_any_two_valued_label_minority_is_positive_unless_chosen(frame):
    f = frame.assign(verdict=np.where(frame["is_fraud"] == 1, "Yes", "No")).drop(columns=["is_fraud"])
    labels = fraud.binary_labels(f, "verdict")
    assert labels.positive == "Yes" and labels.negative == "No"
    assert labels.y.sum() == (f["verdict"] == "Yes").sum()
    assert any("rarer value" in n for n in labels.notices)
    chosen = fraud.binary_labels(f, "verdict", positive="No")
    assert chosen.y.sum() == (f["verdict"] == "No").sum()
    with pytest.raises(InputError, match="not a value"):
        fraud.binary_labels(f, "verdict", positive="Maybe")
    # 0.0/1.0 floats read as "0"/"1"; rows without a label are left out with a notice
    g = frame.assign(is_fraud=frame["is_fraud"].astype(float))
    g.loc[:4, "is_fraud"] = np.nan
    lab = fraud.binary_labels(g, "is_fraud")
    assert lab.positive == "1" and len(lab.y) == len(g) - 5 and any("without a label" in n for n in lab.notices)


@pytest.mark.parametrize("column, message", [("merchant_category", "9 different values"),
                                             ("const", "single value"), ("missing", "no column"),
                                             ("empty", "empty")])
def test_bad_label_columns(frame, column, message):
    f = frame.assign(const=1, empty=np.nan)
    with pytest.raises(InputError, match=message):
        fraud.binary_labels(f, column)


def test_identifiers_dropped_categories_one_hot_and_scaled(data):
    notes = " ".join(data.notices)
    assert "'transaction_id' was dropped" in notes and "identifier" in notes
    assert "one-hot" in notes and "scaled" in notes
    assert "transaction_id" not in data.feature_names
    assert "merchant_category=atm" in data.feature_names
    X = data.X_train[:, : len(data.preprocessor.numeric_)]
    assert np.allclose(X.mean(0), 0, atol=1e-3) and np.allclose(X.std(0), 1, atol=1e-2)
    onehot = data.X_train[:, len(data.preprocessor.numeric_):]
    assert set(np.unique(onehot)) <= {0.0, 1.0} and np.all(onehot.sum(1) == 1)


def test_row_numbers_and_text_in_numbers(frame):
    f = frame.assign(row=np.arange(len(frame)))
    assert any("'row' was dropped" in n for n in fraud.prepare(f).notices)
    bad = frame.assign(amount=frame["amount"].astype(object))
    bad.loc[7, "amount"] = "twelve"
    with pytest.raises(InputError, match="'amount'.*'twelve'"):
        fraud.prepare(bad)


def test_nan_and_inf_rows_are_left_out_with_a_notice(frame):
    f = frame.copy()
    f.loc[:9, "amount"] = np.nan
    f.loc[10:14, "avg_amount_90d"] = np.inf
    d = fraud.prepare(f)
    assert any("missing, infinite" in n for n in d.notices)
    assert len(d.y_train) + len(d.y_val) + len(d.y_test) == len(f) - 15


def test_too_few_frauds_is_refused(frame):
    few = pd.concat([frame[frame.is_fraud == 0], frame[frame.is_fraud == 1].head(4)])
    with pytest.raises(InputError, match="Only 4 fraud"):
        fraud.prepare(few)


def test_split_is_stratified(data):
    rates = [y.mean() for y in (data.y_train, data.y_val, data.y_test)]
    assert max(rates) - min(rates) < 0.005
    assert len(data.test_rows) == len(data.y_test)


# ---- metrics and costs ---------------------------------------------------------------------------

def test_metrics_match_sklearn():
    from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score

    rng = np.random.default_rng(0)
    y = (rng.random(500) < 0.1).astype(int)
    s = np.clip(0.3 * y + rng.random(500) * 0.7, 0, 1)
    m = fraud.metrics_at(y, s, 0.5)
    pred = s >= 0.5
    assert m["precision"] == pytest.approx(precision_score(y, pred))
    assert m["recall"] == pytest.approx(recall_score(y, pred))
    assert m["f1"] == pytest.approx(f1_score(y, pred))
    assert m["pr_auc"] == pytest.approx(average_precision_score(y, s))
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, s))
    cm = fraud.confusion(y, s, 0.5)
    assert cm.sum() == 500 and cm[1, 1] == (pred & (y == 1)).sum()
    with pytest.raises(InputError, match="one class"):
        fraud.metrics_at(np.zeros(10), s[:10], 0.5)


def test_cost_minimising_threshold_matches_brute_force():
    rng = np.random.default_rng(1)
    y = (rng.random(400) < 0.08).astype(int)
    s = np.round(np.clip(0.35 * y + rng.random(400) * 0.65, 0, 1), 2)  # ties on purpose
    t, cost = fraud.best_cost_threshold(y, s, cost_fn=100, cost_fp=3)
    brute = min(fraud.cost_per_1000(y, s, c, 100, 3) for c in np.r_[np.unique(s), 2.0])
    assert cost == pytest.approx(brute)
    assert fraud.cost_per_1000(y, s, t, 100, 3) == pytest.approx(cost)
    # flagging nothing costs every fraud
    assert fraud.cost_per_1000(y, s, 2.0, 100, 3) == pytest.approx(y.sum() * 100 / 400 * 1000)
    with pytest.raises(InputError):
        fraud.best_cost_threshold(y, s, -1, 3)
    with pytest.raises(InputError):
        fraud.cost_per_1000(y, s, 0.5, 0, 0)


# ---- models --------------------------------------------------------------------------------------

def test_mlp_learns_and_scores_in_unit_range(data, mlp):
    e = fraud.evaluate(mlp, data)
    assert e.test_scores.min() >= 0 and e.test_scores.max() <= 1
    assert e.test["pr_auc"] > 3 * data.y_test.mean()  # far above a random guess
    assert e.test["roc_auc"] > 0.8


def test_focal_loss_and_config_checks(data):
    scorer, result = fraud.train_mlp(data, fraud.MLPConfig(epochs=2, loss="focal", layers=1, width=8))
    assert len(result.history) == 2 and scorer.score(data.X_test[:5]).shape == (5,)
    with pytest.raises(InputError):
        fraud.train_mlp(data, fraud.MLPConfig(layers=0))
    with pytest.raises(InputError):
        fraud.train_mlp(data, fraud.MLPConfig(loss="hinge"))


def test_autoencoder_trains_on_normal_rows_only(data):
    scorer, result = fraud.train_autoencoder(data, fraud.AEConfig(epochs=4))
    raw = scorer.raw(data.X_test)
    # fraud is rebuilt worse than normal transactions, on average
    assert np.median(raw[data.y_test == 1]) > np.median(raw[data.y_test == 0])
    s = scorer.score(data.X_test)
    assert np.all((s > 0) & (s < 1))
    assert np.array_equal(np.argsort(raw, kind="stable"), np.argsort(s, kind="stable"))  # monotone squash


@pytest.mark.parametrize("name", fraud.BASELINES)
def test_baselines(data, name):
    scorer = fraud.fit_baseline(name, data)
    e = fraud.evaluate(scorer, data)
    assert e.test["roc_auc"] > 0.6 and 0 <= e.threshold <= 1


def test_slow_baselines_sample_large_training_sets(data):
    scorer = fraud.fit_baseline("logreg", data, max_rows=500)
    assert scorer.notices and "sample of 500" in scorer.notices[0]


def test_explain_attributions_add_up(data, mlp):
    import torch

    row = int(np.argmax(mlp.score(data.X_test)))
    attr = fraud.explain(mlp, data, row, n_steps=64)
    assert list(attr.columns) == ["feature", "value", "attribution"]
    assert set(attr["feature"]) == set(data.preprocessor.numeric_) | set(data.preprocessor.categories_)
    base = torch.from_numpy(data.X_train[data.y_train == 0].mean(0, keepdims=True))
    with torch.no_grad():
        delta = float(mlp.model(torch.from_numpy(data.X_test[row:row + 1])) - mlp.model(base))
    assert attr["attribution"].sum() == pytest.approx(delta, rel=0.05, abs=0.05)  # IG completeness
    with pytest.raises(InputError):
        fraud.explain(fraud.fit_baseline("logreg", data), data, row)


def test_score_frame_new_batch(data, mlp, frame):
    new = frame.head(50).copy()
    new.loc[0, "merchant_category"] = "casino"
    scored, notices = fraud.score_frame(mlp, data.preprocessor, new, 0.5, label_col="is_fraud")
    assert len(scored) == 50 and "is_fraud" not in scored and {"fraud_score", "flagged"} <= set(scored)
    assert (scored["flagged"] == (scored["fraud_score"] >= 0.5)).all()
    assert any("casino" in n for n in notices) and any("ignored" in n for n in notices)
    with pytest.raises(InputError, match="lacks column"):
        fraud.score_frame(mlp, data.preprocessor, new.drop(columns=["amount"]), 0.5)


# ---- command line --------------------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dl_core", "fraud", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


@pytest.mark.slow
def test_cli_generate_and_train_contract(tmp_path):
    csv = tmp_path / "tx.csv"
    out = _cli("generate", "--rows", "2000", "--fraud-rate", "0.05", "--seed", "2", "--out", str(csv), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["fraud"] == 100 and pd.read_csv(csv).shape == (2000, 10)
    out = _cli("train", str(csv), "--label-col", "is_fraud", "--model", "mlp", "--epochs", "3", "--seed", "1",
               "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    keys = {"precision", "recall", "f1", "pr_auc", "roc_auc"}
    assert payload["model"] == "mlp" and set(payload["test"]) == keys
    assert set(payload["baselines"]) == {"logreg", "iforest", "hgb"}
    assert all(set(v) == keys for v in payload["baselines"].values())
    assert 0 <= payload["threshold"] <= 1
    assert payload["data"]["test"] == {"rows": 400, "fraud": 20}  # one held-out split for all models
    from dl_core import tracking

    runs = tracking.runs("fraud/mlp")
    assert len(runs) and runs.iloc[0]["param.loss"] == "weighted" and "final_test_pr_auc" in runs


@pytest.mark.slow
def test_cli_bad_inputs(tmp_path):
    csv = tmp_path / "multi.csv"
    pd.DataFrame({"a": range(30), "b": np.arange(30) % 3}).to_csv(csv, index=False)
    out = _cli("train", str(csv), "--label-col", "b", "--json")
    assert out.returncode == 2 and "3 different values" in out.stderr and "Traceback" not in out.stderr
    out = _cli("train", str(tmp_path / "nope.csv"))
    assert out.returncode == 2 and "no such file" in out.stderr
    out = _cli("generate", "--rows", "5", "--out", str(tmp_path / "x.csv"))
    assert out.returncode == 2 and "rows must be" in out.stderr


# ---- page (AppTest) ------------------------------------------------------------------------------

@pytest.mark.slow
def test_page_trains_and_threshold_moves_the_confusion_matrix():
    at = open_page("pages/fraud.py")
    assert not exceptions(at)
    assert at.slider(key="fraud_rate").value == 2.0 and at.button(key="fraud_train")
    at.slider(key="fraud_rows").set_value(3_000)
    at.slider(key="fraud_epochs").set_value(4)
    at.slider(key="fraud_ae_epochs").set_value(3)
    at.multiselect(key="fraud_others").set_value(["autoencoder", "logreg"])
    at.run()
    at.button(key="fraud_train").click()
    at.run()
    assert not exceptions(at) and not at.error

    def caught() -> int:
        return int(next(m.value for m in at.metric if m.label == "Caught").replace(",", ""))

    at.slider(key="fraud_threshold").set_value(0.0)
    at.run()
    everything = caught()
    at.slider(key="fraud_threshold").set_value(1.0)
    at.run()
    assert everything == 12 and caught() < everything  # 600 test rows at 2 % fraud
    assert not exceptions(at)
    # score a new, unlabelled batch with the trained MLP
    new = fraud.generate(fraud.GeneratorConfig(rows=600, seed=9)).drop(columns=["is_fraud"])
    at.file_uploader(key="fraud_score_csv").set_value(("new.csv", new.to_csv(index=False).encode(), "text/csv"))
    at.run()
    assert not exceptions(at) and not at.error
    flagged = next(m.value for m in at.metric if m.label == "Flagged")
    assert flagged.endswith("of 600")
    at.file_uploader(key="fraud_score_csv").set_value(("bad.csv", b"hour,amount\n1,2\n3,4\n", "text/csv"))
    at.run()
    assert not exceptions(at) and any("lacks column" in e.value for e in at.error)
    # A Stop click reruns the page mid-training: the rerun finds only the partly trained MLP in the
    # session (saved by the live-training callback after each epoch) and evaluates it.
    from ui.training import TrainingState

    run = at.session_state["fraud::run"]
    partial = at.session_state["training::fraud_mlp"]
    run.scorers.pop("mlp")
    run.scorers.pop("autoencoder")
    at.session_state["training::fraud_mlp"] = TrainingState(model=partial.model, history=partial.history[:2])
    at.session_state["training::fraud_ae"] = TrainingState()
    at.file_uploader(key="fraud_score_csv").set_value([])
    at.run()
    assert not exceptions(at)
    assert any("stopped part-way" in s.value for s in at.success)
    models = [m for df in at.dataframe if "model" in df.value for m in df.value["model"]]
    assert any("MLP" in str(m) for m in models), models


def test_page_recognises_the_card_fraud_layout():
    at = open_page("pages/fraud.py")
    at.radio(key="fraud_source").set_value("My labelled CSV")
    at.run()
    at.file_uploader(key="fraud_csv").set_value(("creditcard.csv", _creditcard().to_csv(index=False).encode(),
                                                 "text/csv"))
    at.run()
    assert not exceptions(at) and not at.error
    assert at.selectbox(key="fraud_label").value == "Class"
    assert any("Time, V1–V28, Amount, Class" in i.value for i in at.info)
    at.selectbox(key="fraud_positive").set_value("0")
    at.run()
    test_split = next(m for m in at.metric if m.label == "Test split")
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
