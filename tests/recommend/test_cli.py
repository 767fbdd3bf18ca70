"""`python -m dl_core recommend train`: the JSON contract, --test and --export-top-k, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from dl_core import recommend
from dl_core.cli import main
from tests.conftest import ROOT

COLS = ["--user-col", "customer", "--item-col", "film_id"]


def _run(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(["recommend", "train", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 and out.strip().startswith("{") else None), err


def test_json_contract_for_a_rating_model(capsys, small_csv):
    code, payload, _ = _run(capsys, str(small_csv), *COLS, "--rating-col", "stars", "--model", "mf",
                            "--epochs", "1", "--seed", "0", "--json")
    assert code == 0
    assert set(payload) == {"model", "k", "metrics", "baselines", "users", "items", "seconds"}
    assert payload["model"] == "mf" and payload["k"] == 10 and payload["users"] == 40
    assert set(payload["metrics"]) == {"recall_at_k", "ndcg_at_k", "hit_rate", "coverage", "rmse"}
    assert set(payload["baselines"]) == {"popularity", "itemknn"}
    assert set(payload["baselines"]["itemknn"]) == {"recall_at_k", "ndcg_at_k", "hit_rate", "coverage"}
    assert payload["seconds"] > 0


def test_test_file_and_export_never_list_an_item_the_user_has_in_training(capsys, small_csv, tmp_path):
    frame = pd.read_csv(small_csv)
    test_rows = frame.groupby("customer").tail(5)  # each user's last five rows
    train_rows = frame.drop(test_rows.index)
    train_csv, test_csv, out = tmp_path / "train.csv", tmp_path / "test.csv", tmp_path / "top.csv"
    train_rows.to_csv(train_csv, index=False)
    test_rows.to_csv(test_csv, index=False)
    code, payload, _ = _run(capsys, str(train_csv), *COLS, "--test", str(test_csv), "--model", "itemknn",
                            "--k", "5", "--export-top-k", str(out), "--json")
    assert code == 0 and payload["metrics"]["hit_rate"] > 0
    top = pd.read_csv(out, dtype=str)
    assert list(top.columns) == ["user", "item", "rank"]
    assert set(top["user"]) == set(test_rows["customer"].astype(str))
    assert top.groupby("user").size().eq(5).all()
    had = set(zip(train_rows["customer"].astype(str), train_rows["film_id"].astype(str)))
    assert not had & set(zip(top["user"], top["item"]))


def test_readable_output_without_json(capsys, small_csv):
    assert main(["recommend", "train", str(small_csv), *COLS, "--model", "popularity"]) == 0
    out = capsys.readouterr().out
    assert "Popularity on ratings.csv: 40 users" in out and "Item-kNN (cosine) (baseline)" in out


@pytest.mark.parametrize("argv, message", [
    (["missing.csv", "--model", "popularity"], "no such file"),
    (["bundled:netflix"], "unknown bundled data"),
    (["{csv}", "--user-col", "nobody", "--item-col", "film_id"], "no column 'nobody'"),
    (["{csv}", *COLS, "--model", "mf"], "rating column"),
    (["{csv}", *COLS, "--k", "0"], "k must"),
])
def test_bad_input_is_one_line_and_exit_status_2(capsys, small_csv, argv, message):
    argv = [a.replace("{csv}", str(small_csv)) for a in argv]
    code, _, err = _run(capsys, *argv, "--json")
    assert code == 2
    lines = [line for line in err.strip().splitlines() if not line.startswith("note:")]
    assert len(lines) == 1 and message in lines[0], err


def test_the_real_command_line_exits_2_on_bad_input(tmp_path):
    bad = tmp_path / "one_user.csv"
    bad.write_text("customer,film_id\n1,a\n1,b\n")
    proc = subprocess.run([sys.executable, "-m", "dl_core", "recommend", "train", str(bad), *COLS, "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0 and "single user" in proc.stderr


@pytest.mark.slow
def test_bundled_movielens(capsys):
    code, payload, _ = _run(capsys, "bundled:movielens", "--model", "popularity", "--json")
    assert code == 0 and (payload["users"], payload["items"]) == (671, 9066)
    assert payload["baselines"]["itemknn"]["recall_at_k"] > payload["metrics"]["recall_at_k"] > 0.1
    assert recommend.LABELS["popularity"] == "Popularity"


def test_a_first_ctrl_c_stops_the_training_and_the_partly_trained_model_is_scored(capsys, small_csv, monkeypatch):
    """As the page's Stop button: the model as it was is scored and the JSON says after how many epochs."""
    import signal

    from dl_core import training

    class CtrlCAfterEpoch1(training.ProgressBar):
        def on_epoch_end(self, log, history, model):
            if log.epoch == 1:
                signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(training, "ProgressBar", CtrlCAfterEpoch1)
    previous = signal.getsignal(signal.SIGINT)
    code, payload, err = _run(capsys, str(small_csv), *COLS, "--epochs", "4", "--seed", "0", "--json")
    assert code == 0, err
    assert payload["stopped"] == {"epochs_done": 1, "epochs": 4} and "stopping after this batch" in err
    assert 0 <= payload["metrics"]["recall_at_k"] <= 1 and set(payload["baselines"]) == {"popularity", "itemknn"}
    assert signal.getsignal(signal.SIGINT) is previous  # the handler is put back
