"""Time-series benchmark: does the best deep model beat seasonal naive on each bundled series (with the
page's default settings), and how fast is LSTM training?

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_timeseries.py [--series co2 sunspots] [--models lstm mlp]

1. For each bundled series and each deep model, the default ForecastConfig is trained and backtested;
   we print MAE(model) / MAE(seasonal naive) on the same backtest windows (below 1 = beats it), plus the
   baselines' ratios, so a miss can be explained.
2. LSTM (hidden 32, window 30), 20 epochs on a 2,000-point series through dl_core.training.fit, against a
   plain torch loop doing the same work, in one run (medians of repeats): the ratio is robust to a
   busy machine, the seconds are not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from dl_core import timeseries as ts  # noqa: E402
from dl_core import training  # noqa: E402
from dl_core.timeseries.networks import tensors  # noqa: E402


def quality(names: list[str], models: list[str]) -> None:
    print("== best deep model vs seasonal naive (MAE ratio on the same backtest windows; < 1 beats it)")
    for name in names:
        series = ts.load_bundled(name)
        ratios, secs, cover, bt = {}, {}, {}, None
        for model in models:
            t0 = time.perf_counter()
            out = ts.train_forecaster(series, ts.ForecastConfig(model=model), track=False)
            secs[model] = time.perf_counter() - t0
            bt = out.details["backtest"]
            met = bt.metrics
            ratios[model] = met[model]["mae"] / met["seasonal_naive"]["mae"]
            cover[model] = (bt.coverage, bt.raw_coverage)
        met = bt.metrics
        base = {b: met[b]["mae"] / met["seasonal_naive"]["mae"] for b in ("naive", "linear_ar", "ets")}
        best = min(ratios, key=ratios.get)
        cfg = out.details["prep"].config
        verdict = "BEATS" if ratios[best] < 1 else "does NOT beat"
        print(f"{name:<18} n={len(series):<5} W={cfg.window:<4} H={cfg.horizon:<3} m={cfg.season:<3} "
              f"origins={len(bt.origins):<3} best={best} {ratios[best]:.3f} -> {verdict} seasonal naive")
        print("    deep: " + "  ".join(f"{m} {r:.3f} ({secs[m]:.0f}s)" for m, r in ratios.items()))
        print("    90% band coverage, calibrated (raw quantiles): "
              + "  ".join(f"{m} {c:.0%} ({r:.0%})" for m, (c, r) in cover.items()))
        print("    baselines: " + "  ".join(f"{b} {r:.3f}" for b, r in base.items())
              + f"   seasonal-naive MASE {met['seasonal_naive']['mase']:.2f}")


def speed(repeats: int) -> None:
    import torch

    from dl_core import device

    device.get()
    series = ts.synthetic(ts.SyntheticConfig(n=2000, season=24, seed=1))
    cfg = ts.ForecastConfig(model="lstm", window=30, horizon=12, season=24, hidden=32, epochs=20,
                            batch_size=32, patience=None, dropout=0.0)
    prep = ts.prepare(series, cfg)
    X, Y = tensors(prep, prep.train_idx)

    def build():
        with training.seeded(cfg.seed):
            return ts.build_model(prep.config)

    def ours() -> float:
        net = build()
        t0 = time.perf_counter()
        ts.fit_network(net, prep)
        return time.perf_counter() - t0

    def plain() -> float:
        # The same network, data, loss, optimiser, batches and thread count, without our fit loop.
        net = build()
        gen = torch.Generator().manual_seed(0)
        opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=1e-4)
        t0 = time.perf_counter()
        for _ in range(cfg.epochs):
            perm = torch.randperm(len(X), generator=gen)
            for i in range(0, len(X), cfg.batch_size):
                idx = perm[i:i + cfg.batch_size]
                opt.zero_grad()
                loss = ts.pinball_loss(net(X[idx]), Y[idx])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                opt.step()
        return time.perf_counter() - t0

    ours(), plain()  # warm up (first optimiser creation imports a lot of torch)
    a = [ours() for _ in range(repeats)]
    b = [plain() for _ in range(repeats)]
    print(f"== LSTM 20 epochs on 2,000 points ({len(X)} training windows, window 30, hidden 32): "
          f"dl_core {statistics.median(a):.2f} s, plain torch loop {statistics.median(b):.2f} s, "
          f"ratio {statistics.median(a) / statistics.median(b):.2f} (median of {repeats}; target <= 5 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", nargs="*", default=ts.bundled_names())
    parser.add_argument("--models", nargs="*", default=list(ts.MODELS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    np.set_printoptions(precision=3)
    speed(args.repeats)
    if not args.skip_quality:
        quality(args.series, args.models)


if __name__ == "__main__":
    main()
