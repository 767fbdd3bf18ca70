"""Recommendation benchmarks on the bundled MovieLens (100,004 ratings), one per-user 20% hold-out
(seed 0) shared by every model: the deep ranking models against popularity, item-kNN and ALS
(recall@10, NDCG@10, hit rate, coverage), rating MF's RMSE, the default model's training time, and the
latency of recommendations for a new person (fold-in of 5 ratings, then top 10 of 9,066 films).

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_recommend.py [--threads 2] [--quick] [--default-repeats 3] [--json]

Training times depend on the machine's load: the 1-minute load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DLX_DATA_DIR", tempfile.mkdtemp(prefix="dlx-bench-recommend-"))

import numpy as np  # noqa: E402

from dl_core import recommend  # noqa: E402

SHOWN = ("recall_at_k", "ndcg_at_k", "hit_rate", "coverage", "mean_popularity")


def load() -> float:
    return os.getloadavg()[0]


def models(data: recommend.Interactions, quick: bool) -> tuple[dict, dict]:
    epochs = {"epochs": 5} if quick else {}
    runs = {
        "bpr (BPR, 8 negatives)": recommend.RecommenderConfig(model="bpr", **epochs),
        "bpr (sampled softmax, 512)": recommend.RecommenderConfig(model="bpr", loss="softmax", baselines=(), **epochs),
        "two-tower (softmax, 512)": recommend.RecommenderConfig(model="two-tower", loss="softmax", baselines=(),
                                                                **epochs),
        "mf (ratings, MSE)": recommend.RecommenderConfig(model="mf", baselines=(), **epochs),
    }
    rows, results = {}, {}
    for name, cfg in runs.items():
        started = load()
        result = recommend.train_recommender(data, cfg, caller="cli")
        results[name] = result
        rows[name] = {**{k: result.metrics[k] for k in SHOWN}, "seconds": result.metrics["seconds"],
                      "epochs": len(result.history), "best_epoch": result.fit.best_epoch,
                      "load_before": started, "load_after": load()}
        if "rmse" in result.metrics:
            rows[name]["rmse"] = result.metrics["rmse"]
        print(f"  {name}: recall@10 {rows[name]['recall_at_k']:.3f} in {rows[name]['seconds']:.1f} s "
              f"(load {started:.1f})", file=sys.stderr)
    for name, values in results["bpr (BPR, 8 negatives)"].details["baselines"].items():
        rows[f"{name} (baseline)"] = {k: values[k] for k in SHOWN}
    return rows, results


def fold_in_latency(rec: recommend.Recommender, repeats: int = 20) -> dict:
    rng = np.random.default_rng(0)
    popular = np.argsort(-rec.popularity)[:500]
    times = []
    for _ in range(repeats):
        ratings = {int(i): float(s) for i, s in zip(rng.choice(popular, 5, replace=False), rng.integers(1, 6, 5))}
        t0 = time.perf_counter()
        recommend.recommend_for(rec, ratings, k=10)
        times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "max_s": max(times)}


DEFAULT_RUN = """
import json, sys
from dl_core import recommend
r = recommend.train_recommender(recommend.load_movielens(), recommend.RecommenderConfig(), caller="cli")
print(json.dumps({"seconds": r.metrics["seconds"], "recall_at_k": r.metrics["recall_at_k"]}))
"""


def default_training(repeats: int, threads: int | None) -> list[dict]:
    """The default model (BPR, as the page trains it) in `repeats` fresh processes, one after another: a
    single training time on a shared machine can be off by 20%; the median of fresh runs is quoted."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", DEFAULT_RUN], env=env, capture_output=True, text=True,
                             check=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: the app's)")
    parser.add_argument("--quick", action="store_true", help="5 epochs instead of 30 (a smoke run)")
    parser.add_argument("--default-repeats", type=int, default=3,
                        help="fresh processes that time the default model once more each (0: none)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    data = recommend.load_movielens()
    rows, results = models(data, args.quick)
    latency = {name: fold_in_latency(results[name].model) for name in ("bpr (BPR, 8 negatives)",
                                                                        "bpr (sampled softmax, 512)",
                                                                        "mf (ratings, MSE)")}
    deep = {n: r for n, r in rows.items() if n.startswith(("bpr", "two-tower"))}
    best = max(deep, key=lambda n: deep[n]["ndcg_at_k"])
    pop = rows["popularity (baseline)"]
    repeats = default_training(args.default_repeats, args.threads)
    payload = {"default_repeats": repeats, "threads": torch.get_num_threads(), "cpus": os.cpu_count(),
               "rows": rows, "fold_in": latency,
               "best_deep": best, "best_vs_popularity": {
                   "recall_at_k": rows[best]["recall_at_k"] / pop["recall_at_k"],
                   "ndcg_at_k": rows[best]["ndcg_at_k"] / pop["ndcg_at_k"]}}
    if args.json:
        print(json.dumps(payload, indent=1))
        return 0
    print(f"MovieLens, 20% per-user hold-out, k=10; torch threads {payload['threads']} on {payload['cpus']} CPUs")
    print(f"{'model':<30}" + "".join(f"{k:>16}" for k in (*SHOWN, "rmse", "train s", "load")))
    for name, r in rows.items():
        cells = [f"{r[k]:>16.3f}" for k in SHOWN] + [f"{r['rmse']:>16.3f}" if "rmse" in r else f"{'':>16}"]
        cells.append(f"{r['seconds']:>16.1f}" if "seconds" in r else f"{'':>16}")
        cells.append(f"{r['load_before']:>10.1f}→{r['load_after']:<5.1f}" if "load_before" in r else "")
        print(f"{name:<30}" + "".join(cells))
    ratio = payload["best_vs_popularity"]
    print(f"best deep ranking model: {best}: recall@10 x{ratio['recall_at_k']:.2f}, NDCG@10 "
          f"x{ratio['ndcg_at_k']:.2f} of popularity's")
    if repeats:
        secs = [r["seconds"] for r in repeats]
        print(f"default model (bpr) in {len(secs)} fresh processes: median {statistics.median(secs):.1f} s "
              f"({', '.join(f'{x:.1f}' for x in secs)}), recall@10 {repeats[0]['recall_at_k']:.3f}")
    for name, lat in latency.items():
        print(f"new person (5 ratings) -> top 10, {name}: median {lat['median_s'] * 1000:.0f} ms, "
              f"max {lat['max_s'] * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
