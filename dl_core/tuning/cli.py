"""`python -m dl_core tune ...`: Optuna sweeps from the command line, alone or as one of many workers."""

from __future__ import annotations

import argparse
import sys

from ..cli import emit
from ..errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tune", help="tune a model's hyperparameters with Optuna (one or many workers)",
                       description="Run an Optuna sweep on a model's validation metric. Several workers "
                                   "(processes or machines) share one study with --study NAME --storage URL.")
    p.add_argument("model", nargs="?", help="the model to tune (see --list)")
    p.add_argument("--list", action="store_true", help="list the tunable models")
    p.add_argument("--trials", type=int, default=10, help="finished trials the study should hold (default 10)")
    p.add_argument("--timeout", type=float, default=None, help="stop starting trials after S seconds")
    p.add_argument("--seed", type=int, default=0,
                   help="the sampler's seed (default 0); with --study, each worker mixes in its process id so "
                        "that workers sharing a study do not propose the same settings")
    p.add_argument("--study", default=None, help="study name (join it if it exists; default: a new one)")
    p.add_argument("--storage", default=None,
                   help="Optuna storage URL (default: $DLX_OPTUNA_STORAGE, else data/optuna.db)")
    p.add_argument("--no-pruner", action="store_true", help="run every trial to the end")
    p.add_argument("--epochs", type=int, default=None, help="epochs per trial (default: the model's default)")
    data = p.add_argument_group("data options (as the model needs them)")
    data.add_argument("--csv", help="a CSV file (time series: or bundled:NAME)")
    data.add_argument("--reviews", type=int, help="nlp-sentiment: train on this many reviews (default all)")
    data.add_argument("--label-col", help="fraud: the label column")
    data.add_argument("--time-col", help="time series: the time column")
    data.add_argument("--value-col", help="time series: the value column")
    data.add_argument("--horizon", type=int, help="time series: steps to forecast")
    data.add_argument("--season", type=int, help="time series: season length")
    data.add_argument("--model", "--model-kind", dest="model_kind",
                      help="time series: which network (lstm, gru, rnn, transformer, mlp)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_tune)


def _tune(args: argparse.Namespace) -> int:
    from . import models, study

    if args.list:
        rows = [{"model": t.name, "metric": t.metric, "direction": t.direction, "description": t.description,
                 "options": list(t.options)} for t in models.tunables().values()]
        if args.json:
            emit({"models": rows}, True)
        else:
            for r in rows:
                print(f"{r['model']:<16} {r['direction']} {r['metric']:<14} {r['description']}")
        return 0
    if not args.model:
        raise InputError("name a model to tune (python -m dl_core tune --list shows them).")
    tunable = models.get(args.model)
    missing = [o for o in tunable.options if getattr(args, o.replace("-", "_"), None) in (None, "")]
    if missing:
        raise InputError(f"{tunable.name} needs " + ", ".join(f"--{m.replace('_', '-')}" for m in missing) + ".")
    if args.epochs is not None and not 1 <= args.epochs <= 1000:
        raise InputError(f"--epochs must be between 1 and 1,000, got {args.epochs}.")
    data = tunable.load_data(args)

    def progress(result: study.SweepResult) -> None:
        done = sum(t["state"] in ("COMPLETE", "PRUNED") for t in result.trials)
        print(f"trial {done}/{args.trials}: best {result.metric} = {result.best_value}", file=sys.stderr)

    result = study.sweep(tunable, data, n_trials=args.trials, timeout=args.timeout, seed=args.seed,
                         study_name=args.study, storage=args.storage, pruner=not args.no_pruner,
                         caller="cli", on_trial=progress)
    emit(result.as_json(), args.json)
    return 0
