"""Fraud from the command line: generate, train (JSON contract, MLflow run), clear errors."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli


def cli(*args: str) -> subprocess.CompletedProcess:
    return run_cli("fraud", *args)


@pytest.mark.slow
def test_cli_generate_and_train_contract(tmp_path):
    csv = tmp_path / "tx.csv"
    out = cli("generate", "--rows", "2000", "--fraud-rate", "0.05", "--seed", "2", "--out", str(csv), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"out": str(csv), "rows": 2000, "fraud": 100, "columns": list(pd.read_csv(csv))}
    assert pd.read_csv(csv).shape == (2000, 10)
    out = cli("train", str(csv), "--label-col", "is_fraud", "--model", "mlp", "--epochs", "3", "--seed", "1",
              "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    keys = {"precision", "recall", "f1", "pr_auc", "roc_auc"}
    assert set(payload) == {"model", "test", "baselines", "threshold", "data", "notices", "seconds"}
    assert payload["model"] == "mlp" and set(payload["test"]) == keys
    assert set(payload["baselines"]) == {"logreg", "iforest", "hgb"}
    assert all(set(v) == keys for v in payload["baselines"].values())
    assert 0 <= payload["threshold"] <= 1 and set(payload["seconds"]) == {"mlp", "logreg", "iforest", "hgb"}
    assert payload["data"]["test"] == {"rows": 400, "fraud": 20}  # one held-out split for all models
    assert payload["data"]["label"] == "is_fraud" and payload["data"]["positive"] == "1"
    from dl_core import tracking

    runs = tracking.runs("fraud/mlp")
    assert len(runs) and runs.iloc[0]["param.loss"] == "weighted" and runs.iloc[0]["param.epochs"] == "3"
    assert runs.iloc[0]["final_test_pr_auc"] == pytest.approx(payload["test"]["pr_auc"])
    assert runs.iloc[0]["final_hgb_test_pr_auc"] == pytest.approx(payload["baselines"]["hgb"]["pr_auc"])


@pytest.mark.slow
def test_cli_bad_inputs(tmp_path):
    csv = tmp_path / "multi.csv"
    pd.DataFrame({"a": range(30), "b": np.arange(30) % 3}).to_csv(csv, index=False)
    out = cli("train", str(csv), "--label-col", "b", "--json")
    assert out.returncode == 2 and "3 different values" in out.stderr and "Traceback" not in out.stderr
    out = cli("train", str(tmp_path / "nope.csv"))
    assert out.returncode == 2 and "no such file" in out.stderr
    out = cli("generate", "--rows", "5", "--out", str(tmp_path / "x.csv"))
    assert out.returncode == 2 and "rows must be" in out.stderr
    out = cli("train", str(csv), "--label-col", "b", "--epochs", "0")  # settings are checked before the data
    assert out.returncode == 2 and "epochs must be between 1 and 1,000, got 0" in out.stderr
