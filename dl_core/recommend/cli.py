"""`python -m dl_core recommend train DATA ...`: train a recommender, score it against the baselines.

    python -m dl_core recommend train bundled:movielens --model bpr --seed 0 --json
    python -m dl_core recommend train ratings.csv --user-col customer --item-col sku --model itemknn \
        --test held_out.csv --export-top-k top10.csv --json
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

BUNDLED = {"bundled:movielens": "MovieLens"}
MOVIELENS_COLUMNS = {"user": "userId", "item": "movieId", "rating": "rating", "time": "timestamp"}
CLI_MODELS = ("bpr", "mf", "two-tower", "popularity", "itemknn", "als")
REPORTED = ("recall_at_k", "ndcg_at_k", "hit_rate", "coverage")
CLI_BASELINES = ("popularity", "itemknn")  # in the JSON (the contract); ALS is in the MLflow run


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("recommend", help="recommendations: train on interactions, compare to baselines")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    train = sub.add_parser("train", help="train a recommender and the baselines; report top-k metrics")
    train.add_argument("data", help="a CSV of interactions, or bundled:movielens")
    train.add_argument("--user-col", default=None, help="user column (default: guessed from the names)")
    train.add_argument("--item-col", default=None, help="item column (default: guessed)")
    train.add_argument("--rating-col", default=None, help="rating column (optional; mf needs it)")
    train.add_argument("--time-col", default=None, help="time column (optional; needed by --split time)")
    train.add_argument("--test", type=Path, default=None,
                       help="held-out interactions (same columns) to evaluate on, instead of a per-user split")
    train.add_argument("--model", default="bpr", choices=CLI_MODELS)
    train.add_argument("--loss", default="bpr", choices=["bpr", "softmax"], help="ranking loss (bpr, two-tower)")
    train.add_argument("--k", type=int, default=10, help="length of the recommendation lists (1 to 100)")
    train.add_argument("--epochs", type=int, default=None, help="epochs for the deep models (default 30)")
    train.add_argument("--split", default="random", choices=["random", "time"], help="per-user hold-out")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--export-top-k", type=Path, default=None, metavar="OUT.csv",
                       help="write user,item,rank: the k recommendations of every test user")
    train.add_argument("--json", action="store_true", help="machine-readable output")
    train.set_defaults(func=_train)


def config_from_args(args: argparse.Namespace):
    from dl_core.recommend import RecommenderConfig

    # The page's defaults for everything else (ALS included among the baselines when installed), so that
    # the same settings and seed give the same run here and on the page.
    kw = {"model": args.model, "loss": args.loss, "k": args.k, "seed": args.seed, "split": args.split}
    if args.epochs is not None:
        kw["epochs"] = args.epochs
    return RecommenderConfig(**kw)


def _read(source: str | Path, args: argparse.Namespace, role: str):
    from dl_core import recommend
    from dl_core.errors import InputError

    if str(source) in BUNDLED:
        if role == "test":
            raise InputError("--test must be a CSV file.")
        return recommend.load_movielens()
    if str(source).startswith("bundled:"):
        raise InputError(f"unknown bundled data {source!r}; available: {', '.join(BUNDLED)}.")
    bundled = str(args.data) in BUNDLED
    frame, notices = recommend.read_table(Path(source))
    cols = {"user": args.user_col, "item": args.item_col, "rating": args.rating_col, "time": args.time_col}
    if bundled:  # a test file for MovieLens uses MovieLens's column names unless told otherwise
        cols = {k: v or MOVIELENS_COLUMNS[k] for k, v in cols.items()}
        cols = {k: v if v in frame.columns or k in ("user", "item") else None for k, v in cols.items()}
    if not cols["user"] or not cols["item"]:
        guess = recommend.guess_columns(list(frame.columns))
        cols["user"] = cols["user"] or guess["user"]
        cols["item"] = cols["item"] or guess["item"]
        if not cols["user"] or not cols["item"]:
            raise InputError(f"{Path(source).name}: give --user-col and --item-col; its columns are "
                             f"{', '.join(map(str, frame.columns))}.")
        print(f"note: using columns user={cols['user']!r}, item={cols['item']!r}", file=sys.stderr)
    data = recommend.read_interactions(frame, cols["user"], cols["item"], cols["rating"], cols["time"],
                                       name=Path(source).name)
    data.notices = notices + data.notices
    return data


def _train(args: argparse.Namespace) -> int:
    from dl_core import recommend, training
    from dl_core.cli import emit
    from dl_core.errors import InputError

    config = config_from_args(args)
    data = _read(args.data, args, "train")
    source = recommend.given(data, _read(args.test, args, "test")) if args.test else data
    for note in data.notices:
        print(f"note: {note}", file=sys.stderr)
    cancel = training.CancelToken()
    with first_ctrl_c_stops(cancel):
        progress = training.ProgressBar(f"recommend {args.model}")
        result = recommend.train_recommender(source, config, callbacks=[progress], cancel=cancel, caller="cli")
    stopped = result.details.get("stopped")
    for note in result.details["notices"]:
        print(f"note: {note}", file=sys.stderr)
    metrics = {k: result.metrics[k] for k in REPORTED}
    if result.model.predicts_ratings and "rmse" in result.metrics:
        metrics["rmse"] = result.metrics["rmse"]
    split = result.details["split"]
    if args.export_top_k is not None:
        frame = recommend.top_k_frame(result.model, split.users_to_list(), config.k)
        try:
            args.export_top_k.parent.mkdir(parents=True, exist_ok=True)
            frame.to_csv(args.export_top_k, index=False)
        except OSError as exc:
            raise InputError(f"Cannot write {args.export_top_k} ({exc.strerror}); choose another path.") from None
    payload = {"model": args.model, "k": config.k, "metrics": metrics,
               "baselines": {name: {k: values[k] for k in REPORTED}
                             for name, values in result.details["baselines"].items() if name in CLI_BASELINES},
               "users": split.train.n_users, "items": split.train.n_items,
               "seconds": round(result.details["seconds"], 3)}
    if stopped:
        payload["stopped"] = stopped
    if args.json:
        emit(payload, True)
        return 0
    print(f"{recommend.LABELS[args.model]} on {data.name}: {payload['users']:,} users, {payload['items']:,} items; "
          f"{split.how}; trained in {payload['seconds']:.1f} s"
          + (f" ({recommend.stopped_label(result.details)})" if stopped else ""))
    rows = [(recommend.LABELS[args.model], metrics)] + [(recommend.LABELS[n] + " (baseline)", m)
                                                        for n, m in payload["baselines"].items()]
    print(f"{'model':<34}" + "".join(f"{k:>14}" for k in REPORTED))
    for name, m in rows:
        print(f"{name:<34}" + "".join(f"{m[k]:>14.4f}" for k in REPORTED))
    if "rmse" in metrics:
        print(f"rating RMSE: {metrics['rmse']:.4f}")
    if args.export_top_k is not None:
        print(f"top-{config.k} lists written to {args.export_top_k}")
    return 0


@contextlib.contextmanager
def first_ctrl_c_stops(cancel) -> Iterator[None]:
    """While training, a first Ctrl-C sets `cancel` (the partly trained model is then scored, as the
    page's Stop button does); a second one interrupts for good."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def stop(signum, frame) -> None:
        print("\nstopping after this batch; the model as it is now will be scored (Ctrl-C again to quit)",
              file=sys.stderr)
        cancel.cancel()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
