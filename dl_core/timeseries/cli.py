"""`python -m dl_core timeseries ...`: forecast a CSV (or a bundled series) from the command line.

    python -m dl_core timeseries forecast sales.csv --time-col date --value-col sales --horizon 12 \
        --model lstm --season 12 --epochs 40 --seed 0 --json
    python -m dl_core timeseries datasets --json
"""

from __future__ import annotations

import argparse

from ..cli import emit
from .config import MAX_WINDOW, MODELS, SCALINGS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("timeseries", help="forecast a series with RNN/GRU/LSTM/transformer/MLP "
                                                      "against baselines")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    fc = sub.add_parser("forecast", help="train, backtest against the baselines, forecast beyond the data")
    fc.add_argument("csv", help="a CSV file, or bundled:NAME (see `timeseries datasets`)")
    fc.add_argument("--time-col", help="the time column (omit to use the row order)")
    fc.add_argument("--value-col", help="the column to forecast (required for a CSV)")
    fc.add_argument("--horizon", type=int, help="steps ahead (default: one season)")
    fc.add_argument("--model", default="lstm", choices=list(MODELS))
    fc.add_argument("--season", type=int, help="seasonal period (default: from the frequency)")
    fc.add_argument("--window", type=int, help="input window length (default: two seasons; at most "
                    + ", ".join(f"{m} {w:,}" for m, w in MAX_WINDOW.items()) + ")")
    fc.add_argument("--freq", help="pandas frequency to put the data on (D, W, MS, h...); default: inferred")
    fc.add_argument("--epochs", type=int, default=100)
    fc.add_argument("--hidden", type=int, default=32)
    fc.add_argument("--layers", type=int, default=1)
    fc.add_argument("--dropout", type=float, default=0.1)
    fc.add_argument("--lr", type=float, default=3e-3)
    fc.add_argument("--batch-size", type=int, help="default: about 8 batches an epoch (16-128)")
    fc.add_argument("--scaling", default="window", choices=list(SCALINGS))
    fc.add_argument("--seed", type=int, default=0)
    fc.add_argument("--no-track", action="store_true", help="do not log the run to MLflow")
    fc.add_argument("--json", action="store_true", help="machine-readable output")
    fc.set_defaults(func=_forecast)

    ds = sub.add_parser("datasets", help="the bundled series (they work offline)")
    ds.add_argument("--json", action="store_true")
    ds.set_defaults(func=_datasets)


def _load(args: argparse.Namespace):
    from pathlib import Path

    from ..errors import InputError
    from . import data

    if args.csv.startswith("bundled:"):
        return data.load_bundled(args.csv.split(":", 1)[1]), []
    if not args.value_col:
        raise InputError("--value-col is required with a CSV file: name the column to forecast.")
    frame, notices = data.read_table(Path(args.csv))
    series = data.from_frame(frame, args.time_col, args.value_col, name=Path(args.csv).stem, freq=args.freq)
    return series, notices


def _forecast(args: argparse.Namespace) -> int:
    import sys

    from ..training import ProgressBar
    from .config import ForecastConfig
    from .forecaster import train_forecaster

    series, notices = _load(args)
    cfg = ForecastConfig(model=args.model, window=args.window, horizon=args.horizon, season=args.season,
                         hidden=args.hidden, layers=args.layers, dropout=args.dropout, lr=args.lr,
                         epochs=args.epochs, batch_size=args.batch_size, scaling=args.scaling, seed=args.seed)
    out = train_forecaster(series, cfg, callbacks=[ProgressBar(f"{args.model}")], caller="cli",
                           track=not args.no_track)
    bt, prep, future = out.details["backtest"], out.details["prep"], out.details["future"]
    payload = {
        "forecast": future["forecast"].tolist(),
        "lower_90": future["lower_90"].tolist(),
        "upper_90": future["upper_90"].tolist(),
        "time": [str(t) for t in future["time"]],
        "metrics": bt.metrics,
        "best": bt.best("mase"),
        "coverage_90": bt.coverage,
        "coverage_90_uncalibrated": bt.raw_coverage,
        "backtest": {"origins": len(bt.origins), "first_origin": str(series.index[bt.origins[0]]),
                     "horizon": prep.config.horizon, "window": prep.config.window,
                     "season": prep.config.season, "ets": bt.ets_form},
        "epochs_run": len(out.history),
        "notices": notices + out.details["notices"],
    }
    if args.json:
        emit(payload, True)
        return 0
    for n in payload["notices"]:
        print(f"note: {n}", file=sys.stderr)
    print(bt.metrics_table().round(4).to_string())
    print(f"\nbest by MASE: {payload['best']};  90% band coverage on the backtest: {bt.coverage:.0%}")
    print(future.to_string(index=False))
    return 0


def _datasets(args: argparse.Namespace) -> int:
    from .data import BUNDLED

    rows = [{"name": k, "description": d, "season": m} for k, (d, m) in BUNDLED.items()]
    if args.json:
        emit(rows, True)
    else:
        for r in rows:
            print(f"bundled:{r['name']:<20} {r['description']}")
    return 0
