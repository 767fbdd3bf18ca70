"""Baselines on the same split as the deep models: what a recommender has to beat.

- popularity: everybody gets the most-had items they do not have yet. Hard to beat on top-k metrics.
- item-kNN: "people who had this also had": cosine similarity between items' user columns, each item's
  `neighbours` nearest kept (Deshpande & Karypis 2004); a user's score for j sums the similarities of
  their items to j.
- ALS: implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008) from the `implicit` library,
  when it is installed (`implicit==0.7.3`); skipped with a message otherwise.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from ..errors import InputError
from .data import Interactions
from .recommender import Recommender

ITEMKNN_MAX_PAIRS = 300_000_000  # co-occurring (item, item) pairs; beyond this the similarity takes minutes


def als_available() -> bool:
    return importlib.util.find_spec("implicit") is not None


def _base(name: str, fit: Interactions, seen, **kw) -> Recommender:
    return Recommender(name=name, user_ids=fit.user_ids, catalogue=fit.catalogue, seen=seen,
                       profile=fit.matrix(), popularity=fit.item_counts().astype(np.float64), **kw)


def popularity(fit: Interactions, seen) -> Recommender:
    counts = fit.item_counts().astype(np.float32)
    return _base("popularity", fit, seen, item_bias=counts)


def item_knn(fit: Interactions, seen, neighbours: int = 100) -> Recommender:
    import scipy.sparse as sp

    if not 1 <= neighbours <= 1000:
        raise InputError(f"item-kNN neighbours must be between 1 and 1,000, got {neighbours}.")
    x = fit.matrix()  # (users, items) binary
    per_user = np.diff(x.indptr).astype(np.float64)
    if float((per_user**2).sum()) > ITEMKNN_MAX_PAIRS:
        raise InputError("item-kNN skipped: this data has too many co-occurring item pairs to compare "
                         "here; use fewer users or items.")
    norms = np.sqrt(np.asarray(x.sum(0)).ravel())
    xn = (x @ sp.diags(1.0 / np.maximum(norms, 1e-12))).tocsc().astype(np.float32)
    xt = xn.T.tocsr()
    n_items = x.shape[1]
    keep = min(neighbours, n_items - 1)
    rows, cols, vals = [], [], []
    block = max(1, min(2048, 20_000_000 // max(n_items, 1)))  # dense (block, n_items) float32 <= 80 MB
    for start in range(0, n_items, block):
        stop = min(start + block, n_items)
        sims = (xt[start:stop] @ xn).toarray()  # (b, items) cosine
        sims[np.arange(stop - start), np.arange(start, stop)] = 0.0  # an item is not its own neighbour
        top = np.argpartition(-sims, keep - 1, axis=1)[:, :keep]
        v = np.take_along_axis(sims, top, 1)
        nz = v > 0
        rows.append(np.repeat(np.arange(start, stop), keep)[nz.ravel()])
        cols.append(top[nz])
        vals.append(v[nz])
    similarity = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(n_items, n_items), dtype=np.float32)
    return _base("itemknn", fit, seen, similarity=similarity, settings={"neighbours": neighbours})


def als(fit: Interactions, seen, factors: int = 64, iterations: int = 15, reg: float = 0.05,
        alpha: float = 1.0, seed: int = 0) -> Recommender:
    if not als_available():
        raise InputError("ALS skipped: the `implicit` library is not installed (pip install implicit==0.7.3).")
    from implicit.cpu.als import AlternatingLeastSquares

    from .. import device

    model = AlternatingLeastSquares(factors=factors, regularization=reg, alpha=alpha, iterations=iterations,
                                    random_state=seed, num_threads=device.cpu_threads(),
                                    calculate_training_loss=False)
    model.fit(fit.matrix(), show_progress=False)
    return _base("als", fit, seen, user_factors=np.asarray(model.user_factors, np.float32),
                 item_factors=np.asarray(model.item_factors, np.float32), loss="als", reg=reg,
                 settings={"factors": factors, "iterations": iterations, "alpha": alpha})
