"""Top-k recommendation metrics and rating errors, computed the same way for every model and baseline.

- recall@k: hits in the top k / min(k, number of held-out items), so that a perfect list scores 1
  even for a user with more than k held-out items (as in Liang et al. 2018, "VAEs for CF").
- NDCG@k: discounted gain of the hits (1 / log2(rank + 1)), divided by the best possible for that user.
- hit rate: share of users with at least one held-out item in their top k.
- coverage: share of the catalogue that appears in anybody's top k.
- mean_popularity: how many training users (as a share) had each recommended item, averaged: high
  means the model mostly recommends blockbusters.
Averages are over the test users (those with at least one held-out item). Items a user already has in
training are removed before the top k is taken (`top_k(..., exclude=...)`): they never count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

RANKING = ("recall_at_k", "ndcg_at_k", "hit_rate", "coverage", "mean_popularity")
RATING = ("rmse", "mae")


def exclude_rows(scores: np.ndarray, exclude: "sp.csr_matrix") -> np.ndarray:
    """Set scores[b, i] = -inf where exclude[b, i] is stored (in place; returns scores)."""
    counts = np.diff(exclude.indptr)
    scores[np.repeat(np.arange(len(counts)), counts), exclude.indices] = -np.inf
    return scores


def top_k(scores: np.ndarray, k: int, exclude: "sp.csr_matrix | None" = None) -> np.ndarray:
    """(B, n_items) scores -> (B, k) item indices, best first; -1 where fewer than k items are left."""
    scores = np.array(scores, dtype=np.float32, copy=True)
    if exclude is not None:
        exclude_rows(scores, exclude)
    k_eff = min(k, scores.shape[1])
    part = np.argpartition(-scores, k_eff - 1, axis=1)[:, :k_eff]
    part_scores = np.take_along_axis(scores, part, 1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    best = np.take_along_axis(part, order, 1)
    best[~np.isfinite(np.take_along_axis(part_scores, order, 1))] = -1
    if k_eff < k:
        best = np.pad(best, ((0, 0), (0, k - k_eff)), constant_values=-1)
    return best


def ranking_metrics(recommended: np.ndarray, truth: "sp.csr_matrix", n_items: int,
                    popularity: np.ndarray | None = None) -> dict[str, float]:
    """`recommended` (U, k) item indices (-1 = none) for the U rows of `truth` (U, n_items held-out
    items); users without held-out items are skipped. `popularity`: (n_items,) share of training users."""
    recommended = np.asarray(recommended)
    n_true = np.diff(truth.indptr)
    keep = n_true > 0
    recommended, n_true = recommended[keep], n_true[keep]
    truth = truth[keep]
    if len(n_true) == 0:
        return {name: float("nan") for name in RANKING}
    k = recommended.shape[1]
    rows = np.arange(len(n_true))[:, None]
    valid = recommended >= 0
    hits = np.zeros(recommended.shape, bool)
    hits[valid] = np.asarray(truth[np.broadcast_to(rows, recommended.shape)[valid], recommended[valid]]).ravel() > 0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hits * discounts).sum(1)
    ideal = np.cumsum(discounts)[np.minimum(n_true, k) - 1]
    out = {"recall_at_k": float(np.mean(hits.sum(1) / np.minimum(n_true, k))),
           "ndcg_at_k": float(np.mean(dcg / ideal)),
           "hit_rate": float(np.mean(hits.any(1))),
           "coverage": float(len(np.unique(recommended[valid])) / n_items)}
    out["mean_popularity"] = (float(np.mean(popularity[recommended[valid]]))
                              if popularity is not None and valid.any() else float("nan"))
    return out


def rating_metrics(predicted: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    err = np.asarray(predicted, np.float64) - np.asarray(actual, np.float64)
    return {"rmse": float(np.sqrt(np.mean(err**2))), "mae": float(np.mean(np.abs(err)))}
