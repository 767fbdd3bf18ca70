"""Fraud engine: generator, labels and preprocessing, models, metrics and costs, the engine calls,
bounds on what a person controls, and seeded runs under concurrency."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from dl_core import fraud
from dl_core.errors import InputError
from dl_core.training import TrainedModel
from tests.timeseries.bounded import run_bounded, within


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return fraud.generate(fraud.GeneratorConfig(rows=3_000, fraud_rate=0.04, difficulty=0.2, seed=1))


@pytest.fixture(scope="module")
def data(frame) -> fraud.FraudData:
    return fraud.prepare(frame)


@pytest.fixture(scope="module")
def mlp(data) -> fraud.Scorer:
    result = fraud.train_mlp(data, fraud.MLPConfig(epochs=8, width=32, baselines=()))
    assert result.history and not result.fit.cancelled
    return result.model


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


def test_focal_loss(data):
    result = fraud.train_mlp(data, fraud.MLPConfig(epochs=2, loss="focal", layers=1, width=8, baselines=()))
    assert len(result.history) == 2 and result.model.score(data.X_test[:5]).shape == (5,)


@pytest.mark.parametrize("config, message", [
    (fraud.MLPConfig(layers=0), "layers must be between 1 and 6, got 0"),
    (fraud.MLPConfig(loss="hinge"), "'weighted' or 'focal', got 'hinge'"),
    (fraud.MLPConfig(epochs=0), "epochs must be between 1 and 1,000, got 0"),
    (fraud.MLPConfig(lr=float("nan")), "learning rate must be in"),
    (fraud.MLPConfig(monitor="val_pr_auc"), "val_pr_auc is a score: monitor it with monitor_mode='max'"),
    (fraud.MLPConfig(monitor_mode="max"), "val_loss is a loss"),
    (fraud.MLPConfig(baselines=("xgboost",)), "Unknown baseline"),
    (fraud.AEConfig(bottleneck=40, width=32), "bottleneck ≤ width"),
    (fraud.AEConfig(monitor_mode="max"), "monitor_mode must be 'min'"),
    (fraud.BaselineConfig(name="svm"), "Unknown baseline 'svm'"),
    (fraud.BaselineConfig(name="hgb", baselines=("hgb",)), "cannot be its own baseline"),
])
def test_config_errors_name_the_value_and_the_range(data, config, message):
    train = {fraud.MLPConfig: fraud.train_mlp, fraud.AEConfig: fraud.train_autoencoder,
             fraud.BaselineConfig: fraud.train_baseline}[type(config)]
    with pytest.raises(InputError, match=message):
        train(data, config)


def test_autoencoder_trains_on_normal_rows_only(data):
    scorer = fraud.train_autoencoder(data, fraud.AEConfig(epochs=4, baselines=())).model
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




# ---- the engine calls ----------------------------------------------------------------------------

def test_train_mlp_evaluates_beside_the_baselines_and_logs(data):
    from dl_core import tracking

    result = fraud.train_mlp(data, fraud.MLPConfig(epochs=3, width=16, seed=2), caller="cli")
    assert isinstance(result, TrainedModel) and isinstance(result.model, fraud.Scorer) and len(result.history) == 3
    evaluations = result.details["evaluations"]
    assert list(evaluations) == ["mlp", *fraud.BASELINES]  # the model first, then its baselines
    for name, e in evaluations.items():
        prefix = "" if name == "mlp" else f"{name}_"
        assert result.metrics[f"{prefix}test_pr_auc"] == e.test["pr_auc"]
        assert result.metrics[f"{prefix}threshold"] == e.threshold
    assert list(result.details["table"]["pr_auc"]) == sorted(result.details["table"]["pr_auc"], reverse=True)
    run = tracking.client().get_run(result.run_id)
    assert run.data.tags["dlx.source"] == "cli" and run.data.params["seed"] == "2"
    assert run.data.params["width"] == "16" and run.data.params["rows_train"] == str(len(data.y_train))
    assert run.data.metrics["final_hgb_test_pr_auc"] == pytest.approx(result.metrics["hgb_test_pr_auc"])
    # The autoencoder's comparison reuses the baselines fitted for the MLP (same objects, no refit).
    ae = fraud.train_autoencoder(data, fraud.AEConfig(epochs=2, seed=2))
    assert all(ae.details["baselines"][b] is result.details["baselines"][b] for b in fraud.BASELINES)


def test_train_baseline_and_the_report_pipeline(frame):
    result = fraud.train_baseline(fraud.prepare(frame), fraud.BaselineConfig(name="logreg", baselines=("hgb",)))
    assert result.history == [] and set(result.details["evaluations"]) == {"logreg", "hgb"}
    report = fraud.train_report(frame, model="autoencoder", seed=1, ae=fraud.AEConfig(epochs=2, seed=1))
    assert report.model == "autoencoder" and set(report.baselines) == set(fraud.BASELINES)
    assert set(report.seconds) == {"autoencoder", *fraud.BASELINES} and report.data["test"]["rows"] == 600


def test_two_concurrent_seeded_trainings_equal_their_solo_runs(data):
    import torch

    configs = [fraud.MLPConfig(epochs=3, width=16, dropout=0.3, seed=5, baselines=()),
               fraud.MLPConfig(epochs=3, width=16, dropout=0.3, seed=6, baselines=())]
    solo = [fraud.train_mlp(data, c) for c in configs]
    together: list = [None, None]

    def work(i: int) -> None:
        together[i] = fraud.train_mlp(data, configs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(solo, together):
        assert a.metrics == b.metrics
        sa, sb = a.model.model.state_dict(), b.model.model.state_dict()
        assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert solo[0].metrics != solo[1].metrics


# ---- someone else's labelled table: its own words, not "fraud" (issue 13) -------------------------

def test_a_loan_table_is_described_with_its_own_label(frame):
    loans = frame.rename(columns={"is_fraud": "defaulted"})
    d = fraud.prepare(loans, label_col="defaulted")
    assert d.terms == fraud.Terms(positive="defaulted", negative="not defaulted", about_fraud=False)
    assert d.terms.score_column == "defaulted_score"
    assert not any("Fraud" in n for n in d.notices) and any("The positive class = '1'" in n for n in d.notices)
    words = loans.assign(status=np.where(loans["defaulted"] == 1, "bad", "good")).drop(columns=["defaulted"])
    assert fraud.prepare(words, label_col="status").terms.positive == "status = bad"
    few = pd.concat([words[words.status == "good"], words[words.status == "bad"].head(3)])
    with pytest.raises(InputError, match="Only 3 status = bad row"):
        fraud.prepare(few, label_col="status")
    assert fraud.prepare(frame).terms == fraud.FRAUD_TERMS  # is_fraud is about fraud
    assert fraud.prepare(_creditcard()).terms == fraud.FRAUD_TERMS  # so is the card-fraud layout


# ---- bounds and odd tables (issue 12 #7, #13) ----------------------------------------------------

def test_wide_text_tables_are_refused_before_one_hot_encoding():
    """100 text columns of 29 values would be 2,900 one-hot features, 10,000 text columns ~290,000:
    both refused with a message, quickly and without building the matrices."""
    report = run_bounded("""
        import numpy as np, pandas as pd
        from dl_core import fraud
        from dl_core.errors import InputError
        rng = np.random.default_rng(0)
        messages = []
        for rows, columns in ((2_000, 100), (200, 10_000)):
            codes = rng.integers(0, 29, size=(rows, columns))
            frame = pd.DataFrame(np.char.add("v", codes.astype(str)), columns=[f"c{i}" for i in range(columns)])
            frame["is_fraud"] = (np.arange(rows) % 10 == 0).astype(int)
            try:
                fraud.prepare(frame)
                messages.append(None)
            except InputError as exc:
                messages.append(str(exc))
        _report(messages=messages)
    """, limit_mb=2500, timeout=300)
    wide, wider = report["messages"]
    assert "2,900 features" in wide and "the limit is 1,000" in wide
    assert "10,001 columns; the limit is 2,000" in wider
    assert report["seconds"] < 60 and report["peak_mb"] < 1200, report


def test_features_are_float32_and_bounded_in_cells(data, monkeypatch):
    assert data.X_train.dtype == np.float32 and data.X_test.dtype == np.float32
    from dl_core.fraud import features

    monkeypatch.setattr(features, "MAX_CELLS", 1_000)
    with pytest.raises(InputError, match="rows x .* features"):
        data.preprocessor.transform(data.test_rows)


def test_repeated_column_names_are_renamed_or_refused_clearly(frame):
    with within(seconds=10, peak_mb=100):
        _repeated(frame)


def _repeated(frame):
    text = frame.head(300).to_csv(index=False).replace("amount,", "amount,amount ,", 1)
    lines = text.splitlines()
    body = [line.replace(",", ",1,", 2).replace(",1,", ",", 1) for line in lines[1:]]  # one more value a row
    table, notices = fraud.read_table(("\n".join([lines[0], *body]) + "\n").encode(), name="dup.csv")
    assert "amount (2)" in table.columns and any("amount (2)" in n for n in notices)
    dup = frame.copy()
    dup.columns = [*dup.columns[:-2], "hour", "is_fraud"]  # 'new_device' renamed to a name already there
    with pytest.raises(InputError, match="'hour' appear more than once"):
        fraud.prepare(dup)
