"""A new person, folded into a trained model without retraining it, and what the embeddings show.

Folding in keeps every item vector fixed and finds only the new person's vector, the way the model
would have learned it: a ridge regression on their stars for rating MF; their own few steps of the
model's loss (BPR or softmax against every item of the catalogue) for the ranking models; the ALS
closed form for ALS. Item-kNN and popularity need no vector at all. It takes milliseconds.

    recs = recommend_for(model, {item_index: stars, ...}, k=10)
    recs[0].title, recs[0].because_title        # "Heat (1995)", "because you liked The Godfather (1972)"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from . import metrics as M
from .recommender import Recommender

LIKE_AT = 3.0  # stars from which a rated film counts as liked (1-5 stars)
MAX_RATED = 2000
RIDGE = 1.0  # rating MF fold-in: shrinks a vector fitted to a handful of stars towards the average person
STEPS = 100  # ranking fold-in: optimiser steps on the person's own vector
FOLDIN_NEGATIVES = 2000  # ranking fold-in: unrated items sampled once to learn against
BPR_PAIRS = 40_000  # BPR fold-in: at most this many (liked, unrated) pairs per step
MAP_METHODS = ("pca", "tsne")


@dataclass
class FoldedUser:
    vector: np.ndarray | None  # (d,) for factor models
    bias: float
    profile: "object"  # scipy CSR (1, n_items): the liked items
    rated: list[int]
    liked: list[int]


@dataclass
class Recommendation:
    item: int
    title: str
    score: float
    because: int | None = None  # the liked item nearest to this one
    because_title: str | None = None
    genres: tuple[str, ...] = ()


def _check(rec: Recommender, ratings: Mapping[int, float]) -> dict[int, float]:
    if len(ratings) > MAX_RATED:
        raise InputError(f"{len(ratings)} rated items; rate at most {MAX_RATED}.")
    out = {}
    for item, stars in ratings.items():
        item = int(item)
        if not 0 <= item < rec.n_items:
            raise InputError(f"item index {item} is not in the catalogue (0 to {rec.n_items - 1}).")
        if not np.isfinite(stars):
            raise InputError(f"the rating of {rec.catalogue.label(item)} is not a number.")
        out[item] = float(stars)
    return out


def fold_in(rec: Recommender, ratings: Mapping[int, float], like_at: float = LIKE_AT) -> FoldedUser:
    """The new person's vector (and bias) in `rec`'s space, from their {item: stars}."""
    import scipy.sparse as sp

    ratings = _check(rec, ratings)
    rated = list(ratings)
    liked = [i for i, s in ratings.items() if s >= like_at]
    profile = sp.csr_matrix((np.ones(len(liked), np.float32), (np.zeros(len(liked), int), liked)),
                            shape=(1, rec.n_items))
    vector, bias = None, 0.0
    if rec.user_factors is not None:
        vector = rec.user_factors.mean(0).astype(np.float32)  # the average person, before any rating
        if rec.loss == "mse" and rated:
            vector, bias = _ridge(rec, ratings)
        elif rec.loss == "als" and liked:
            vector = _als(rec, liked)
        elif rec.loss in ("bpr", "softmax") and liked:
            vector = _ranking(rec, liked, rated, vector)
    return FoldedUser(vector=vector, bias=bias, profile=profile, rated=rated, liked=liked)


def _ridge(rec: Recommender, ratings: dict[int, float]) -> tuple[np.ndarray, float]:
    items = np.array(list(ratings))
    q = rec.item_factors[items].astype(np.float64)
    a = np.c_[q, np.ones(len(items))]  # the last column fits the person's own bias
    y = np.array(list(ratings.values())) - rec.global_bias - rec.item_bias[items]
    x = np.linalg.solve(a.T @ a + RIDGE * np.eye(a.shape[1]), a.T @ y)
    return x[:-1].astype(np.float32), float(x[-1])


def _als(rec: Recommender, liked: list[int]) -> np.ndarray:
    y = rec.item_factors.astype(np.float64)
    alpha = float(rec.settings.get("alpha", 1.0))
    yl = y[liked]
    lhs = y.T @ y + alpha * yl.T @ yl + rec.reg * np.eye(y.shape[1])
    rhs = (1 + alpha) * yl.sum(0)
    return np.linalg.solve(lhs, rhs).astype(np.float32)


def _ranking(rec: Recommender, liked: list[int], rated: list[int], start: np.ndarray) -> np.ndarray:
    """Adam on the person's vector u alone, item vectors V fixed, on their liked items and a fixed random
    sample of items they have not rated (as in training, where negatives are sampled too). The gradients
    are written out in numpy: a torch graph per step cost more than the arithmetic."""
    mask = np.ones(rec.n_items, bool)
    mask[rated] = False
    unrated = np.flatnonzero(mask)
    n_neg = FOLDIN_NEGATIVES
    if rec.loss == "bpr":
        n_neg = min(n_neg, max(100, BPR_PAIRS // max(len(liked), 1)))
    if len(unrated) > n_neg:
        unrated = np.random.default_rng(0).choice(unrated, n_neg, replace=False)
    idx = np.concatenate([liked, unrated])  # the liked items first: positions 0..L-1
    n_pos = len(liked)
    v = rec.item_factors[idx].astype(np.float64)  # (L + N, d)
    bias = (rec.item_bias[idx] if rec.item_bias is not None else np.zeros(len(idx))).astype(np.float64)
    u = start.astype(np.float64)
    m, s2 = np.zeros_like(u), np.zeros_like(u)
    reg = max(rec.reg, 1e-3)
    b1, b2, lr = 0.9, 0.999, 0.05
    for t in range(1, STEPS + 1):
        scores = v @ u + bias  # (L + N,)
        if rec.loss == "bpr":  # every liked item against every sampled unrated one
            d = scores[:n_pos, None] - scores[None, n_pos:]  # (L, N)
            w = 1.0 / (1.0 + np.exp(np.clip(d, -30, 30))) / d.size  # σ(-d) / (L N)
            grad_s = np.concatenate([-w.sum(1), w.sum(0)])
        else:  # softmax over liked + sampled items: softmax(s) - the mean one-hot of the liked items
            p = np.exp(scores - scores.max())
            grad_s = p / p.sum()
            grad_s[:n_pos] -= 1.0 / n_pos
        grad = v.T @ grad_s + 2 * reg * u
        m = b1 * m + (1 - b1) * grad
        s2 = b2 * s2 + (1 - b2) * grad**2
        u -= lr * (m / (1 - b1**t)) / (np.sqrt(s2 / (1 - b2**t)) + 1e-8)
    return u.astype(np.float32)


def user_scores(rec: Recommender, user: FoldedUser) -> np.ndarray:
    """(n_items,) scores for a folded-in person; ties (nothing liked yet) broken by popularity."""
    vec = None if user.vector is None else user.vector[None, :]
    scores = rec.score_vectors(vec, user.bias, user.profile)[0].astype(np.float64)
    return scores + 1e-6 * rec.popularity / max(rec.popularity.max(), 1)


def recommend_for(rec: Recommender, ratings: Mapping[int, float], k: int = 10,
                  like_at: float = LIKE_AT) -> list[Recommendation]:
    """The top k for a new person's {item: stars}, never an item they rated, each with the liked item
    it is nearest to ("because you liked …")."""
    import scipy.sparse as sp

    user = fold_in(rec, ratings, like_at)
    scores = user_scores(rec, user)
    seen = sp.csr_matrix((np.ones(len(user.rated)), (np.zeros(len(user.rated), int), user.rated)),
                         shape=(1, rec.n_items))
    best = [int(i) for i in M.top_k(scores[None, :], k, seen)[0] if i >= 0]
    because = _nearest_liked(rec, best, user.liked)
    cat = rec.catalogue
    return [Recommendation(item=i, title=cat.label(i), score=float(scores[i]), because=b,
                           because_title=None if b is None else cat.label(b), genres=cat.genres[i])
            for i, b in zip(best, because)]


def _nearest_liked(rec: Recommender, items: list[int], liked: list[int]) -> list[int | None]:
    if not liked or not items:
        return [None] * len(items)
    if rec.similarity is not None:
        sims = np.asarray(rec.similarity[liked][:, items].todense())  # (L, k)
    else:
        vectors = rec.item_vectors()
        if vectors is None:
            return [None] * len(items)
        sims = vectors[liked] @ vectors[items].T
    best = sims.argmax(0)
    return [liked[b] if sims[b, j] > 0 else None for j, b in enumerate(best)]


def similar_items(rec: Recommender, item: int, k: int = 10, min_count: int = 5) -> list[Recommendation]:
    """Items nearest to `item` (cosine of item embeddings; item-kNN's similarity), among items at
    least `min_count` training users had (rarely-had items have barely-trained, noisy vectors)."""
    if not 0 <= item < rec.n_items:
        raise InputError(f"item index {item} is not in the catalogue.")
    if rec.similarity is None and rec.item_factors is None:
        raise InputError(f"{rec.label} has no notion of similar items; train a deep model, ALS or item-kNN.")
    cat = rec.catalogue
    return [Recommendation(item=i, title=cat.label(i), score=s, genres=cat.genres[i])
            for i, s in rec.similar(item, k, min_count)]


def embedding_map(rec: Recommender, method: str = "pca", max_items: int = 1000, min_count: int = 5,
                  seed: int = 0):
    """The item embeddings in 2-D, most-had items first: a DataFrame x, y, title, genre (the item's
    rarest genre, i.e. its most telling one), genres, count."""
    import pandas as pd

    if method not in MAP_METHODS:
        raise InputError(f"map method must be one of {', '.join(MAP_METHODS)}, got {method!r}.")
    if not 10 <= max_items <= 5000:
        raise InputError(f"the map shows between 10 and 5,000 items, got {max_items}.")
    vectors = rec.item_vectors()
    if vectors is None:
        raise InputError(f"{rec.label} has no item embeddings to draw; train a deep model or ALS.")
    order = np.argsort(-rec.popularity, kind="stable")
    chosen = order[rec.popularity[order] >= min_count][:max_items]
    if len(chosen) < 10:
        raise InputError(f"only {len(chosen)} items were had by {min_count}+ users; lower the minimum.")
    x = vectors[chosen].astype(np.float64)
    x -= x.mean(0)
    if method == "pca":
        _, _, vt = np.linalg.svd(x, full_matrices=False)
        xy = x @ vt[:2].T
    else:
        from sklearn.manifold import TSNE

        xy = TSNE(n_components=2, perplexity=min(30.0, (len(chosen) - 1) / 3), init="pca",
                  random_state=seed, metric="cosine").fit_transform(x)
    cat = rec.catalogue
    genre_count: dict[str, int] = {}
    for gs in cat.genres:
        for g in gs:
            genre_count[g] = genre_count.get(g, 0) + 1
    main = [min(cat.genres[i], key=lambda g: genre_count[g]) if cat.genres[i] else "unknown" for i in chosen]
    return pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "item": chosen, "title": cat.labels(chosen),
                         "genre": main, "genres": [", ".join(cat.genres[i]) for i in chosen],
                         "count": rec.popularity[chosen].astype(int)})
