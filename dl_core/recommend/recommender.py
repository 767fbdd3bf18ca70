"""What every trained model and baseline becomes: a `Recommender` that scores (user, item) pairs.

Deep models and ALS are factor models, score(u, i) = global + user_bias[u] + item_bias[i] + p_u · q_i,
so once trained they are a few numpy arrays: fast to score, to fold a new user into (foldin.py), to
search for similar items, and to save as safetensors. Item-kNN scores with an item-item similarity
matrix instead, popularity with counts only.

    rec.recommend(np.array([0, 1]), k=10)     # (2, 10) item indices, never an item the user already has
    rec.similar(item, k=10)                   # nearest items by cosine of their embeddings
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import metrics as M
from .data import Catalogue, Interactions

if TYPE_CHECKING:
    import scipy.sparse as sp

LABELS = {"bpr": "Ranking MF", "mf": "MF with biases (ratings)", "two-tower": "Two-tower (genres, year)",
          "popularity": "Popularity", "itemknn": "Item-kNN (cosine)", "als": "ALS (implicit)"}
EVAL_BATCH = 512  # users scored at once: (512, n_items) float32 is 100 MB at the 50,000-item cap


@dataclass
class Recommender:
    name: str  # a key of LABELS
    user_ids: list[str]
    catalogue: Catalogue
    seen: "sp.csr_matrix"  # (n_users, n_items): everything a known user has; never recommended to them
    profile: "sp.csr_matrix"  # (n_users, n_items): what the model learned each user from
    popularity: np.ndarray  # (n_items,) training users who had each item
    user_factors: np.ndarray | None = None  # (n_users, d)
    item_factors: np.ndarray | None = None  # (n_items, d)
    item_bias: np.ndarray | None = None  # (n_items,)
    user_bias: np.ndarray | None = None  # (n_users,)
    global_bias: float = 0.0
    similarity: "sp.csr_matrix | None" = None  # item-kNN: row i holds i's nearest neighbours
    predicts_ratings: bool = False
    rating_range: tuple[float, float] | None = None
    loss: str | None = None  # how a new user is folded in: "bpr", "softmax", "mse", "als"
    reg: float = 0.0
    net: Any = None  # the torch module, for saving its weights
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name)

    @property
    def n_items(self) -> int:
        return len(self.catalogue)

    @property
    def has_embeddings(self) -> bool:
        return self.item_factors is not None

    # ---- scoring -----------------------------------------------------------------------------

    def score_vectors(self, user_vectors: np.ndarray | None, user_bias: np.ndarray | float = 0.0,
                      profile: "sp.csr_matrix | None" = None) -> np.ndarray:
        """(B, n_items) scores for users given by their factor vectors (factor models) or their
        interaction rows (item-kNN); popularity ignores both."""
        if self.similarity is not None:
            return np.asarray((profile @ self.similarity).todense(), np.float32)
        b = len(user_vectors) if user_vectors is not None else profile.shape[0]
        out = np.zeros((b, self.n_items), np.float32)
        if user_vectors is not None and self.item_factors is not None:
            out += user_vectors @ self.item_factors.T
        if self.item_bias is not None:
            out += self.item_bias[None, :]
        out += np.asarray(user_bias, np.float32).reshape(-1, 1) + self.global_bias
        return out

    def scores(self, users: np.ndarray) -> np.ndarray:
        users = np.asarray(users)
        return self.score_vectors(
            None if self.user_factors is None else self.user_factors[users],
            0.0 if self.user_bias is None else self.user_bias[users],
            self.profile[users])

    def recommend(self, users: np.ndarray, k: int = 10, exclude_seen: bool = True) -> np.ndarray:
        """(B, k) item indices, best first; an item the user already has is never among them."""
        users = np.asarray(users)
        out = np.empty((len(users), k), np.int64)
        for start in range(0, len(users), EVAL_BATCH):
            batch = users[start:start + EVAL_BATCH]
            out[start:start + len(batch)] = M.top_k(self.scores(batch), k,
                                                    self.seen[batch] if exclude_seen else None)
        return out

    def predict_ratings(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        pred = np.full(len(users), self.global_bias, np.float64)
        pred += (self.user_factors[users] * self.item_factors[items]).sum(1)
        pred += self.item_bias[items] + self.user_bias[users]
        lo, hi = self.rating_range or (-np.inf, np.inf)
        return np.clip(pred, lo, hi)

    def evaluate(self, test: Interactions, k: int = 10, exclude: "sp.csr_matrix | None" = None) -> dict[str, float]:
        """Top-k metrics on `test` (+ RMSE/MAE for rating models when the test has ratings).
        `exclude` (default: `seen`) are the items removed before the top k is taken."""
        exclude = self.seen if exclude is None else exclude
        truth = test.matrix()
        users = np.flatnonzero(np.diff(truth.indptr) > 0)
        recs = np.empty((len(users), k), np.int64)
        for start in range(0, len(users), EVAL_BATCH):
            batch = users[start:start + EVAL_BATCH]
            recs[start:start + len(batch)] = M.top_k(self.scores(batch), k, exclude[batch])
        share = self.popularity / max(self.seen.shape[0], 1)
        out = M.ranking_metrics(recs, truth[users], self.n_items, share)
        if self.predicts_ratings and test.ratings is not None:
            out.update(M.rating_metrics(self.predict_ratings(test.users, test.items), test.ratings))
        return out

    # ---- items -------------------------------------------------------------------------------

    def item_vectors(self) -> np.ndarray | None:
        """Unit-length item embeddings (n_items, d), for similar items and maps; None without."""
        if self.item_factors is None:
            return None
        norms = np.linalg.norm(self.item_factors, axis=1, keepdims=True)
        return self.item_factors / np.maximum(norms, 1e-8)

    def similar(self, item: int, k: int = 10, min_count: int = 1) -> list[tuple[int, float]]:
        """The k items most similar to `item` (cosine of embeddings, or item-kNN similarity), among
        items at least `min_count` training users had; [] for popularity."""
        if self.similarity is not None:
            row = np.asarray(self.similarity[item].todense()).ravel()
        else:
            vectors = self.item_vectors()
            if vectors is None:
                return []
            row = vectors @ vectors[item]
        row = row.astype(np.float64)
        row[item] = -np.inf
        row[self.popularity < min_count] = -np.inf
        best = M.top_k(row[None, :], k)[0]
        return [(int(i), float(row[i])) for i in best if i >= 0 and row[i] > -np.inf]
