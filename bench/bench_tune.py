"""What an Optuna sweep costs, and what the median pruner saves, on the digits CNN (Vision page).

1. Overhead: the sweep's trials (no pruning) against training the same settings as plain calls of
   the engine (`vision.train_digits_cnn`, which logs each training to MLflow as the page does). The
   sweep adds the Optuna study (SQLite storage), the parent run and per-epoch reports. Target: <= 1.1.
   Repeats are interleaved so machine load affects both sides alike; medians are printed.
2. Pruning: the same time budget with and without the median pruner: trials finished (or pruned)
   per minute and the best validation accuracy reached.

Run: PYTHONPATH=. .venv/bin/python bench/bench_tune.py [--trials 4] [--repeats 3] [--epochs 6] [--budget 90]
Everything is written to a temporary data folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import replace


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--budget", type=float, default=90.0, help="seconds per pruning run")
    args = ap.parse_args()
    os.environ["DLX_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-tune-")

    from dl_core import tuning, vision

    tunable = tuning.get("vision-digits")
    base = replace(vision.DigitsCNNConfig(), epochs=args.epochs)
    data = {"data": vision.load_digits_data(base.train_fraction, base.seed), "base": base}

    # Warm-up, not timed: imports, the MLflow database and the Optuna storage are created once per data folder.
    tuning.sweep(tunable, data, n_trials=1, seed=1, pruner=False)
    vision.train_digits_cnn(data["data"], base, caller="cli")

    sweep_s, plain_s = [], []
    for r in range(args.repeats):
        t0 = time.perf_counter()
        result = tuning.sweep(tunable, data, n_trials=args.trials, seed=0, pruner=False)
        sweep_s.append(time.perf_counter() - t0)
        settings = [t["params"] for t in result.trials if t["state"] == "COMPLETE"]
        assert len(settings) == args.trials, result.trials
        t0 = time.perf_counter()
        for params in settings:
            vision.train_digits_cnn(data["data"], replace(base, **params), caller="cli")
        plain_s.append(time.perf_counter() - t0)
        print(f"repeat {r + 1}: sweep {sweep_s[-1]:.1f} s, the same {args.trials} trainings plain "
              f"{plain_s[-1]:.1f} s", flush=True)
    ms, mp = statistics.median(sweep_s), statistics.median(plain_s)
    print(f"\nOverhead ({args.trials} trials x {args.epochs} epochs, median of {args.repeats}): "
          f"sweep {ms:.1f} s vs plain {mp:.1f} s -> ratio {ms / mp:.2f} (target <= 1.1)\n")

    print(f"Pruning: a {args.budget:.0f} s budget each, {args.epochs} epochs a trial, TPE seed 0")
    print(f"{'pruner':<8} {'trials':>7} {'complete':>9} {'pruned':>7} {'per min':>8} {'best val acc':>13}")
    for pruner in (False, True):
        t0 = time.perf_counter()
        result = tuning.sweep(tunable, data, n_trials=tuning.MAX_TRIALS, timeout=args.budget, seed=0,
                              pruner=pruner)
        spent = time.perf_counter() - t0
        states = [t["state"] for t in result.trials]
        done = states.count("COMPLETE") + states.count("PRUNED")
        print(f"{'median' if pruner else 'none':<8} {done:>7} {states.count('COMPLETE'):>9} "
              f"{states.count('PRUNED'):>7} {60 * done / spent:>8.1f} {result.best_value:>13.4f}", flush=True)


if __name__ == "__main__":
    main()
