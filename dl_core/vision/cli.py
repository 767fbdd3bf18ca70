"""`python -m dl_core vision classify | train-digits | train-head ...`

    python -m dl_core vision classify cat.jpg --top-k 3 --json
    python -m dl_core vision train-digits --epochs 15 --seed 0 --json
    python -m dl_core vision train-head animals.zip --epochs 30 --out head.safetensors --json
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from ..cli import emit


def register(subparsers: argparse._SubParsersAction) -> None:
    vision = subparsers.add_parser("vision", help="classify photos, train the digits CNN or your own classifier")
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

    h = sub.add_parser("train-head", help="teach your own classifier: a zip with one folder of images per class")
    h.add_argument("zip", type=Path, metavar="ZIP")
    h.add_argument("--epochs", type=int, default=30)
    h.add_argument("--lr", type=float, default=3e-3)
    h.add_argument("--val-fraction", type=float, default=0.25, help="validation share (0.1-0.5)")
    h.add_argument("--dropout", type=float, default=0.2)
    h.add_argument("--batch-size", type=int, default=32)
    h.add_argument("--seed", type=int, default=0)
    h.add_argument("--out", type=Path, help="write the trained head here (safetensors with its labels)")
    h.add_argument("--json", action="store_true", help="machine-readable output")
    h.set_defaults(func=_train_head)


def _classify(args: argparse.Namespace) -> int:
    from .. import device, registry, vision
    from ..errors import InputError

    vision.check_top_k(args.top_k)
    if registry.get(args.model).task != "image-classification":
        raise InputError(f"{args.model!r} is not an image classifier; try efficientnet-lite0.")
    images = [vision.read_photo(p) for p in args.images]  # every file is checked before any work
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


def digits_config(args: argparse.Namespace):
    from .. import vision

    return vision.DigitsCNNConfig(
        conv_layers=args.conv_layers, filters=args.filters, kernel_size=args.kernel_size, dropout=args.dropout,
        lr=args.lr, batch_size=args.batch_size, epochs=args.epochs, train_fraction=args.train_fraction,
        augment=not args.no_augment, seed=args.seed)


def _train_digits(args: argparse.Namespace) -> int:
    from .. import training, vision

    cfg = digits_config(args)
    cfg.check()
    result = vision.train_digits_cnn(None, cfg, callbacks=[training.ProgressBar("digits CNN")], caller="cli")
    accuracy, seconds = result.metrics["test_accuracy"], result.details["seconds"]
    if not args.no_save:
        vision.save_digits_cnn(result.model, cfg, {"test_accuracy": accuracy})
    payload = {"test_accuracy": accuracy, "epochs": len(result.history), "seconds": round(seconds, 3),
               "device": result.details["device"]}
    if args.json:
        emit(payload, True)
    else:
        print(f"test accuracy {accuracy:.2%} after {payload['epochs']} epochs in {seconds:.1f} s on "
              f"{payload['device']}")
    return 0


def _train_head(args: argparse.Namespace) -> int:
    from .. import inputs, registry, training, vision

    cfg = vision.HeadConfig(epochs=args.epochs, lr=args.lr, val_fraction=args.val_fraction, dropout=args.dropout,
                            batch_size=args.batch_size, seed=args.seed)
    cfg.check()
    files = vision.classes_from_zip(inputs.read_bytes(args.zip, inputs.ZIP_MAX_BYTES), name=str(args.zip))
    for note in files.notices:
        print(note, file=sys.stderr)
    with contextlib.redirect_stdout(sys.stderr):
        clf = registry.load("efficientnet-lite0", "cpu")
    data = vision.labelled_features(files, clf)
    result = vision.train_head(data, cfg, callbacks=[training.ProgressBar("classifier head")], caller="cli")
    if args.out is not None:
        args.out.write_bytes(vision.head_to_bytes(result.model, data.classes))
    payload = {"val_accuracy": result.metrics["val_accuracy"], "epochs": len(result.history),
               "classes": data.classes, "images": len(data.labels),
               "seconds": round(result.fit.seconds, 3) if result.fit else 0.0}
    if args.json:
        emit(payload, True)
    else:
        print(f"validation accuracy {payload['val_accuracy']:.2%} on {result.details['n_val']} images, "
              f"{len(data.classes)} classes ({', '.join(data.classes)}), {payload['epochs']} epochs")
    return 0
