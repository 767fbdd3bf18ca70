"""Optuna sweeps: validation objective, pruning, MLflow parent/child runs, the CLI, two workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from dl_core import tracking, training, tuning
from dl_core.tuning.study import Tunable
from tests.conftest import ROOT


def _blobs(seed: int = 0):
    import torch

    g = torch.Generator().manual_seed(seed)
    x = torch.cat([torch.randn(100, 2, generator=g) + 2, torch.randn(100, 2, generator=g) - 2])
    y = torch.cat([torch.zeros(100, dtype=torch.long), torch.ones(100, dtype=torch.long)])
    return x, y


def _train(params, data, *, callbacks=(), cancel=None, caller="app"):
    """A tiny model's engine call: the shape every tunable's train has (fit + MLflow run)."""
    import torch

    x, y = data
    cfg = training.TrainConfig(epochs=4, lr=params["lr"], seed=0)
    with training.seeded(0):
        model = torch.nn.Linear(2, 2)
    with tracking.training_run("tests/tuning-tiny", cfg, caller=caller) as run:
        fit = training.fit(model, (x, y), (x, y), config=cfg, evaluate=training.classification_metrics,
                           callbacks=[*callbacks, run.callback], cancel=cancel)
        run.log_final({"accuracy": fit.history[-1].metrics["val_accuracy"]})
    return training.TrainedModel(model, fit.history, {}, run.run_id, fit)


TINY = Tunable("tiny", "a linear model on two blobs", "val_accuracy", "maximize",
               lambda trial: {"lr": trial.suggest_float("lr", 1e-4, 1.0, log=True)}, _train)


def test_sweep_optimises_the_validation_metric_and_logs_child_runs(tmp_path):
    storage = f"sqlite:///{tmp_path / 'optuna.db'}"
    result = tuning.sweep(TINY, _blobs(), n_trials=5, seed=0, storage=storage, study_name="tiny-1")
    assert result.model == "tiny" and result.direction == "maximize" and len(result.trials) == 5
    values = [t["value"] for t in result.trials if t["state"] == "COMPLETE"]
    assert result.best_value == max(values) and result.best_value > 0.9  # two far blobs
    assert set(result.best_params) == {"lr"}
    runs = tracking.runs()
    children = runs[runs["parent_run_id"] == result.parent_run_id]
    assert len(children) == len([t for t in result.trials if t["state"] in ("COMPLETE", "PRUNED")])
    parent = runs[runs["run_id"] == result.parent_run_id].iloc[0]
    assert parent["final_best_value"] == pytest.approx(result.best_value)
    # the same study can be joined: 2 more trials make 7
    again = tuning.sweep(TINY, _blobs(), n_trials=7, seed=1, storage=storage, study_name="tiny-1")
    assert len(again.trials) == 7


def test_best_validation_follows_the_direction():
    logs = [training.EpochLog(1, 3, 1.0, 0.9, {"acc": 0.5}), training.EpochLog(2, 3, 0.5, 0.4, {"acc": 0.7}),
            training.EpochLog(3, 3, 0.4, 0.6, {"acc": 0.6})]
    maxi = Tunable("m", "", "acc", "maximize", lambda t: {}, _train)
    mini = Tunable("m", "", "val_loss", "minimize", lambda t: {}, _train)
    assert tuning.best_validation(maxi, logs) == 0.7 and tuning.best_validation(mini, logs) == 0.4


def test_empty_space_and_bad_trial_counts_are_clear_errors(tmp_path):
    from dl_core.errors import InputError

    empty = Tunable("empty", "", "val_accuracy", "maximize", lambda trial: {}, _train)
    with pytest.raises(InputError, match="empty search space"):
        tuning.sweep(empty, _blobs(), n_trials=1, storage=f"sqlite:///{tmp_path / 'o.db'}")
    with pytest.raises(InputError, match="between 1 and"):
        tuning.sweep(TINY, _blobs(), n_trials=0, storage=f"sqlite:///{tmp_path / 'o.db'}")


def _cli(*args, env=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "dl_core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_cli_lists_tunable_models_and_refuses_bad_input():
    out = _cli("tune", "--list", "--json")
    assert out.returncode == 0, out.stderr
    models = {m["model"]: m for m in json.loads(out.stdout)["models"]}
    assert models["vision-digits"]["direction"] == "maximize"
    for bad in (["tune", "no-such-model"], ["tune", "vision-digits", "--trials", "0"], ["tune"]):
        out = _cli(*bad)
        assert out.returncode == 2 and out.stderr.startswith("error:") and "Traceback" not in out.stderr


@pytest.mark.slow
def test_two_workers_share_one_study_on_a_fresh_storage(tmp_path):
    """Started at the same moment on a storage that does not exist yet, as workers on several
    machines would be: they finish the trials between them, none twice, each one logged."""
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {"DLX_DATA_DIR": str(tmp_path / "data"), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "dl_core", "tune", "vision-digits", "--study", "shared", "--storage", storage,
           "--trials", "4", "--epochs", "1", "--seed", "0", "--json"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=900) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
    import optuna

    study = optuna.load_study(study_name="shared", storage=storage)
    done = [t for t in study.trials if t.state.is_finished()]
    assert 4 <= len(done) <= 5  # a worker may finish the trial it had started when the 4th ended
    assert len({t.number for t in study.trials}) == len(study.trials)
    assert len({json.dumps(t.params, sort_keys=True) for t in done}) == len(done)  # no trial run twice
    mlflow_db = tmp_path / "data" / "mlflow.db"
    import sqlite3

    with sqlite3.connect(mlflow_db) as db:
        children = db.execute("select count(*) from tags where key = 'mlflow.parentRunId'").fetchone()[0]
    assert children == len(done)  # every finished trial is an MLflow child run
