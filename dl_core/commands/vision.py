"""`python -m dl_core vision classify|train-digits ...`"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from ..cli import emit


def register(subparsers: argparse._SubParsersAction) -> None:
    vision = subparsers.add_parser("vision", help="classify photos, train the digits CNN")
    sub = vision.add_subparsers(dest="action", required=True, metavar="ACTION")

    c = sub.add_parser("classify", help="top-k ImageNet classes for one or more images")
    c.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    c.add_argument("--top-k", type=int, default=5, help="how many classes per image (1-20)")
    c.add_argument("--model", default="efficientnet-lite0", help="an image-classification model name")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.set_defaults(func=_classify)

    t = sub.add_parser("train-digits", help="train the small CNN on scikit-learn's 8x8 digits")
    t.add_argument("--epochs", type=int, default=15)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--conv-layers", type=int, default=2)
    t.add_argument("--filters", type=int, default=16)
    t.add_argument("--kernel-size", type=int, default=3)
    t.add_argument("--dropout", type=float, default=0.25)
    t.add_argument("--lr", type=float, default=3e-3)
    t.add_argument("--batch-size", type=int, default=64)
    t.add_argument("--train-fraction", type=float, default=0.7)
    t.add_argument("--no-augment", action="store_true", help="turn off random 1-pixel shifts")
    t.add_argument("--no-save", action="store_true",
                   help="do not save the model as the app's `digits-cnn` (saved by default)")
    t.add_argument("--json", action="store_true", help="machine-readable output")
    t.set_defaults(func=_train_digits)


def _classify(args: argparse.Namespace) -> int:
    from .. import device, inputs, registry, vision
    from ..errors import InputError

    vision._check_top_k(args.top_k)
    if registry.get(args.model).task != "image-classification":
        raise InputError(f"{args.model!r} is not an image classifier; try efficientnet-lite0.")
    images = [inputs.read_image(p) for p in args.images]  # every file is checked before any work
    # The EfficientNet package prints "Loaded pretrained weights" on stdout: keep stdout pure JSON.
    with contextlib.redirect_stdout(sys.stderr):
        model = registry.load(args.model, device.get())
    preds = vision.classify(images, model, top_k=args.top_k)
    payload = [{"file": str(p), "predictions": [{"label": x.label, "score": x.score} for x in row]}
               for p, row in zip(args.images, preds)]
    if args.json:
        emit(payload, True)
    else:
        for item in payload:
            print(item["file"])
            for x in item["predictions"]:
                print(f"  {x['score']:6.1%}  {x['label']}")
    return 0


def _train_digits(args: argparse.Namespace) -> int:
    from .. import tracking, training, vision_digits

    cfg = vision_digits.DigitsCNNConfig(
        conv_layers=args.conv_layers, filters=args.filters, kernel_size=args.kernel_size, dropout=args.dropout,
        lr=args.lr, batch_size=args.batch_size, epochs=args.epochs, train_fraction=args.train_fraction,
        augment=not args.no_augment, seed=args.seed)
    cfg.check()
    cfg.train_config().check()
    with tracking.start_run("vision/digits-cnn", vars_of(cfg), seed=cfg.seed, source="cli") as run:
        result = vision_digits.train_digits_cnn(cfg, callbacks=[training.ProgressBar("digits CNN"), run.callback])
        metrics = {"test_accuracy": result.test_accuracy, "seconds": result.seconds}
        run.log_final(metrics, model=result.model, extra={"config": vars_of(cfg)})
    if not args.no_save:
        vision_digits.save_digits_cnn(result.model, cfg, {"test_accuracy": result.test_accuracy})
    payload = {"test_accuracy": result.test_accuracy, "epochs": len(result.fit.history),
               "seconds": round(result.seconds, 3), "device": result.device}
    if args.json:
        emit(payload, True)
    else:
        print(f"test accuracy {result.test_accuracy:.2%} after {payload['epochs']} epochs "
              f"in {result.seconds:.1f} s on {result.device}")
    return 0


def vars_of(cfg: object) -> dict:
    from dataclasses import asdict

    return asdict(cfg)
