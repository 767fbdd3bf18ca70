"""`python -m dl_core fraud generate|train ...`: synthetic transactions, and training + evaluation."""

from __future__ import annotations

import argparse
from pathlib import Path

from .config import MODELS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("fraud", help="fraud detection: synthetic data, train and compare models")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    gen = sub.add_parser("generate", help="write a synthetic card-transaction CSV")
    gen.add_argument("--rows", type=int, default=20_000, help="number of transactions (500 to 1,000,000)")
    gen.add_argument("--fraud-rate", type=float, default=0.02, help="share of fraud, 0.001 to 0.10")
    gen.add_argument("--difficulty", type=float, default=0.5, help="0 = easy to spot, 1 = fraud mimics normal")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--out", type=Path, required=True, help="CSV file to write")
    gen.add_argument("--json", action="store_true", help="machine-readable output")
    gen.set_defaults(func=_generate)

    train = sub.add_parser("train", help="train a model and the baselines on a labelled CSV; report test metrics")
    train.add_argument("csv", type=Path, help="labelled transactions (CSV)")
    train.add_argument("--label-col", default=None, help="label column (default: detected, e.g. Class or is_fraud)")
    train.add_argument("--positive", default=None, help="label value meaning fraud (default: the rarer value)")
    train.add_argument("--model", default="mlp", choices=list(MODELS))
    train.add_argument("--loss", default="weighted", choices=["weighted", "focal"], help="MLP loss")
    train.add_argument("--epochs", type=int, default=20, help="MLP/autoencoder epochs")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--json", action="store_true", help="machine-readable output")
    train.set_defaults(func=_train)


def _generate(args: argparse.Namespace) -> int:
    from ..cli import emit
    from ..errors import InputError
    from .generator import GeneratorConfig, generate

    frame = generate(GeneratorConfig(rows=args.rows, fraud_rate=args.fraud_rate, difficulty=args.difficulty,
                                     seed=args.seed))
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(args.out, index=False)
    except OSError as exc:
        raise InputError(f"Cannot write {args.out} ({exc.strerror}); choose another --out path.") from None
    emit({"out": str(args.out), "rows": len(frame), "fraud": int(frame["is_fraud"].sum()),
          "columns": list(frame.columns)}, args.json)
    return 0


def _train(args: argparse.Namespace) -> int:
    from .. import training
    from ..cli import emit
    from .config import AEConfig, MLPConfig
    from .data import read_table
    from .trainers import train_report

    frame, notices = read_table(args.csv)
    report = train_report(frame, model=args.model, label_col=args.label_col, positive=args.positive,
                          seed=args.seed, mlp=MLPConfig(loss=args.loss, epochs=args.epochs, seed=args.seed),
                          ae=AEConfig(epochs=args.epochs, seed=args.seed),
                          callbacks=[training.ProgressBar(f"fraud {args.model}")], caller="cli")
    payload = report.as_dict()
    payload["notices"] = notices + payload["notices"]
    emit(payload, args.json)
    return 0
