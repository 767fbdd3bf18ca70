"""Run comparison: differing params, seed groups (mean ± std), sweeps, filters."""

import pandas as pd
import pytest

from dl_core import comparison


def _runs() -> pd.DataFrame:
    rows = [
        # two settings (lr), three seeds of the first, one of the second
        {"run_id": "a", "experiment": "e", "source": "app", "session": "s1", "parent_run_id": "",
         "status": "FINISHED", "param.lr": "0.1", "param.seed": "0", "final_accuracy": 0.80},
        {"run_id": "b", "experiment": "e", "source": "app", "session": "s1", "parent_run_id": "",
         "status": "FINISHED", "param.lr": "0.1", "param.seed": "1", "final_accuracy": 0.90},
        {"run_id": "c", "experiment": "e", "source": "cli", "session": "", "parent_run_id": "",
         "status": "FINISHED", "param.lr": "0.1", "param.seed": "2", "final_accuracy": 0.70},
        {"run_id": "d", "experiment": "e", "source": "app", "session": "s2", "parent_run_id": "p",
         "status": "FINISHED", "param.lr": "0.5", "param.seed": "0", "final_accuracy": 0.60},
        {"run_id": "p", "experiment": "e", "source": "cli", "session": "", "parent_run_id": "",
         "status": "FINISHED", "param.lr": None, "param.seed": None, "final_best_value": 0.6},
    ]
    return pd.DataFrame(rows)


def test_seed_groups_mean_and_std_over_seeds_only():
    groups = comparison.seed_groups(_runs())
    assert len(groups) == 1  # lr=0.5 has a single seed: no spread to show
    g = groups.iloc[0]
    assert g["seeds"] == 3 and g["settings"] == "lr=0.1"
    assert g["accuracy mean"] == pytest.approx(0.8)
    assert g["accuracy std"] == pytest.approx(0.1)  # sample std of .8, .9, .7


def test_differing_params_keeps_only_what_differs_in_the_asked_order():
    diff = comparison.differing_params(_runs(), ["b", "a"])
    assert list(diff.columns) == ["seed"] and list(diff.index) == ["b", "a"]
    diff = comparison.differing_params(_runs(), ["a", "d"])
    assert list(diff.columns) == ["lr"]
    assert comparison.differing_params(_runs(), ["a", "p"]).loc["p", "lr"] == "—"


def test_filters_and_sweeps():
    runs = _runs()
    assert list(comparison.filter_runs(runs, session="s1")["run_id"]) == ["a", "b"]
    assert list(comparison.filter_runs(runs, source="cli")["run_id"]) == ["c", "p"]
    assert set(comparison.filter_runs(runs, sweep="p")["run_id"]) == {"d", "p"}
    sweeps = comparison.sweeps(runs)
    assert sweeps.to_dict("records") == [{"sweep": "p", "experiment": "e", "trials": 1, "finished": 1,
                                          "best value": 0.6}]
