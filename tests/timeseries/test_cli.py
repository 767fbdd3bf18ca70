"""Time series from the command line: the JSON contract and clear one-line errors."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from tests.conftest import run_cli
from tests.timeseries.test_engine import monthly


def cli(*args: str) -> subprocess.CompletedProcess:
    return run_cli("timeseries", *args)


@pytest.mark.slow
def test_cli_forecast_json_contract(tmp_path):
    path = tmp_path / "sales.csv"
    monthly(96).to_csv(path, index=False)
    out = cli("forecast", str(path), "--time-col", "month", "--value-col", "sales", "--horizon", "6",
              "--model", "gru", "--season", "12", "--epochs", "3", "--seed", "1", "--no-track", "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert set(payload) == {"forecast", "lower_90", "upper_90", "time", "metrics", "best", "coverage_90",
                            "coverage_90_uncalibrated", "backtest", "epochs_run", "notices"}
    assert len(payload["forecast"]) == 6 and all(isinstance(v, float) for v in payload["forecast"])
    assert all(lo <= f <= hi for lo, f, hi in zip(payload["lower_90"], payload["forecast"], payload["upper_90"]))
    assert payload["time"][0] == "2023-01-01 00:00:00"  # the month after the last one in the file
    assert set(payload["metrics"]) == {"gru", "naive", "seasonal_naive", "linear_ar", "ets"}
    for met in payload["metrics"].values():
        assert set(met) == {"mae", "rmse", "smape", "mase"} and all(np.isfinite(list(met.values())))
    assert payload["best"] == min(payload["metrics"], key=lambda m: payload["metrics"][m]["mase"])
    assert payload["backtest"]["horizon"] == 6 and payload["backtest"]["season"] == 12
    assert payload["backtest"]["window"] == 24 and payload["epochs_run"] == 3


@pytest.mark.parametrize("content, args, message", [
    ("month,sales\n2020-01-01,abc\n2020-02-01,def\n", ["--value-col", "sales"], "non-numeric"),
    ("month,sales\n" + "".join(f"2020-01-{d:02d},{d}\n" for d in range(1, 20)), ["--value-col", "sales"],
     "at least 30"),
    ("month,sales\n2020-01-01,1\n", [], "--value-col is required"),
    ("month,sales\n" + "".join(f"2020-01-01 00:00:{s:02d},{s}\n" for s in range(30)) + "2020-03-01,1\n",
     ["--value-col", "sales"], "limit here is 100,000"),
    ("month,sales\n" + "".join(f"2020-01-{d:02d},{d % 7}\n" for d in range(1, 32)), ["--value-col", "sales",
     "--model", "transformer", "--window", "400"], "between 1 and 256"),
])
def test_cli_bad_inputs_exit_2_without_traceback(tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    out = cli("forecast", str(path), "--time-col", "month", *args, "--epochs", "1", "--no-track", "--json")
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr, out.stderr
