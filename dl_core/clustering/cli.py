"""`python -m dl_core clustering run|compare|deep`: cluster a CSV, run the comparison grid, deep clustering."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import DeepConfig


def register(subparsers: argparse._SubParsersAction) -> None:
    from . import ALGORITHMS, DATASETS, DeepConfig

    deep_defaults = DeepConfig()

    p = subparsers.add_parser("clustering", help="cluster a CSV, compare 12 algorithms, deep clustering")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    run = sub.add_parser("run", help="cluster the rows of a CSV")
    run.add_argument("csv", help="path to a CSV file with a header line")
    run.add_argument("--algorithm", default="kmeans", help=f"one of: {', '.join(ALGORITHMS)}")
    run.add_argument("--k", type=int, default=3, help="number of clusters (for algorithms that take one)")
    run.add_argument("--columns", default=None, help="comma-separated feature columns (default: all numeric)")
    run.add_argument("--label-col", default=None, help="a column of known groups: scores ARI/NMI, never a feature")
    run.add_argument("--scale", choices=["standard", "minmax", "none"], default="standard")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--json", action="store_true", help="machine-readable output")
    run.set_defaults(func=_run)

    cmp_ = sub.add_parser("compare", help="the 6 data sets x 12 algorithms comparison grid")
    cmp_.add_argument("--n-samples", type=int, default=500)
    cmp_.add_argument("--noise", type=float, default=0.05)
    cmp_.add_argument("--seed", type=int, default=0)
    cmp_.add_argument("--datasets", default=None, help=f"comma-separated subset of: {', '.join(DATASETS)}")
    cmp_.add_argument("--algorithms", default=None, help="comma-separated subset of the algorithms")
    cmp_.add_argument("--jobs", type=int, default=1, help="processes to fit in parallel")
    cmp_.add_argument("--json", action="store_true", help="machine-readable output")
    cmp_.set_defaults(func=_compare)

    deep = sub.add_parser("deep", help="train an encoder on digits; k-means in its latent space vs raw/PCA")
    deep.add_argument("--kind", choices=["autoencoder", "contrastive"], default=deep_defaults.kind)
    deep.add_argument("--epochs", type=int, default=deep_defaults.epochs)
    deep.add_argument("--latent", type=int, default=deep_defaults.latent_dim, help="latent size, 2-64")
    deep.add_argument("--temperature", type=float, default=deep_defaults.temperature,
                      help="contrastive only: InfoNCE temperature, 0.01-2 (lower = sharper)")
    deep.add_argument("--seed", type=int, default=deep_defaults.seed)
    deep.add_argument("--json", action="store_true", help="machine-readable output")
    deep.set_defaults(func=_deep)


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..cli import emit
    from . import canonical, read_table, run_csv

    table = read_table(Path(args.csv))
    prepared, result = run_csv(
        table.frame, algorithm=args.algorithm, k=args.k, columns=_split(args.columns),
        label_col=args.label_col, scale=args.scale, seed=args.seed)
    payload = {"labels": result.labels.tolist(), "silhouette": result.silhouette, "seconds": result.seconds,
               "n_clusters": result.n_clusters, "algorithm": canonical(args.algorithm),
               "columns": prepared.columns, "rows_used": len(prepared.X),
               "notices": table.notices + result.notices}
    if args.label_col:
        payload["ari"] = result.ari
        payload["nmi"] = result.nmi
    if not args.json:
        sizes = {int(c): int((result.labels == c).sum()) for c in sorted(set(result.labels.tolist()))}
        payload = {k: v for k, v in payload.items() if k != "labels"} | {"cluster_sizes": sizes}
    emit(payload, args.json)
    return 0


def _compare(args: argparse.Namespace) -> int:
    from ..cli import emit
    from . import comparison_grid

    grid = comparison_grid(_split(args.datasets), _split(args.algorithms), n_samples=args.n_samples,
                           noise=args.noise, seed=args.seed, n_jobs=args.jobs)
    if args.json:
        emit(grid.rows(), True)
        return 0
    print(f"{'dataset':<14} {'algorithm':<22} {'ari':>6} {'nmi':>6} {'sil':>6} {'seconds':>8}")
    fmt = lambda v: "   -  " if v is None else f"{v:6.3f}"
    for r in grid.rows():
        print(f"{r['dataset']:<14} {r['algorithm']:<22} {fmt(r['ari'])} {fmt(r['nmi'])} "
              f"{fmt(r['silhouette'])} {r['seconds']:8.3f}")
    print(f"total {grid.seconds:.2f} s")
    return 0


def deep_config(args: argparse.Namespace) -> "DeepConfig":
    """The `deep` command's options as the config `train_encoder` takes (the page builds the same)."""
    from . import DeepConfig

    return DeepConfig(kind=args.kind, epochs=args.epochs, latent_dim=args.latent, temperature=args.temperature,
                      seed=args.seed)


def _deep(args: argparse.Namespace) -> int:
    from ..cli import emit
    from ..training import ProgressBar
    from . import load_digits_data, train_encoder

    cfg = deep_config(args)
    trained = train_encoder(load_digits_data(), cfg, callbacks=[ProgressBar(f"{cfg.kind} on digits")],
                            caller="cli")
    emit({"rows": trained.details["comparison"], "epochs_run": len(trained.history),
          "train_seconds": trained.fit.seconds}, args.json)
    return 0
