"""A trained recommender as one safetensors file (its arrays, the net's weights and, as JSON metadata,
the id mappings that turn row numbers back into the data's user and item ids), and top-k lists as CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import store
from ..errors import InputError
from .data import Catalogue
from .recommender import Recommender

if TYPE_CHECKING:
    import pandas as pd

_ARRAYS = ("user_factors", "item_factors", "item_bias", "user_bias", "popularity")


def to_bytes(rec: Recommender) -> bytes:
    import torch

    state: dict[str, torch.Tensor] = {}
    for name in _ARRAYS:
        value = getattr(rec, name)
        if value is not None:
            state[name] = torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32))
    for name, matrix in (("seen", rec.seen), ("similarity", rec.similarity)):
        if matrix is not None:
            state[f"{name}.indptr"] = torch.from_numpy(matrix.indptr.astype(np.int64))
            state[f"{name}.indices"] = torch.from_numpy(matrix.indices.astype(np.int64))
            state[f"{name}.data"] = torch.from_numpy(matrix.data.astype(np.float32))
    if rec.net is not None:
        state.update({f"net.{k}": v for k, v in rec.net.state_dict().items()})
    cat = rec.catalogue
    meta = {"format": "dlx-recommender/1", "model": rec.name, "global_bias": rec.global_bias,
            "predicts_ratings": rec.predicts_ratings, "rating_range": rec.rating_range, "loss": rec.loss,
            "reg": rec.reg, "settings": rec.settings, "user_ids": rec.user_ids, "item_ids": cat.item_ids,
            "titles": cat.titles, "years": [None if not np.isfinite(y) else float(y) for y in cat.years],
            "genres": ["|".join(g) for g in cat.genres]}
    return store.to_bytes(state, meta)


def from_bytes(data: bytes) -> Recommender:
    """A Recommender back from `to_bytes` (without the torch net: scoring needs only the arrays)."""
    import scipy.sparse as sp

    state, meta = store.from_bytes(data)
    if meta.get("format") != "dlx-recommender/1":
        raise InputError("This safetensors file is not a recommender saved by this app.")
    arrays = {k: state[k].numpy() for k in _ARRAYS if k in state}
    n_users, n_items = len(meta["user_ids"]), len(meta["item_ids"])

    def matrix(name: str, shape):
        if f"{name}.indptr" not in state:
            return None
        return sp.csr_matrix((state[f"{name}.data"].numpy(), state[f"{name}.indices"].numpy(),
                              state[f"{name}.indptr"].numpy()), shape=shape)

    cat = Catalogue(item_ids=meta["item_ids"], titles=meta["titles"],
                    years=np.array([np.nan if y is None else y for y in meta["years"]], np.float64),
                    genres=[tuple(g for g in s.split("|") if g) for s in meta["genres"]])
    seen = matrix("seen", (n_users, n_items))
    return Recommender(name=meta["model"], user_ids=meta["user_ids"], catalogue=cat, seen=seen, profile=seen,
                       popularity=arrays.pop("popularity").astype(np.float64),
                       similarity=matrix("similarity", (n_items, n_items)), global_bias=meta["global_bias"],
                       predicts_ratings=meta["predicts_ratings"],
                       rating_range=tuple(meta["rating_range"]) if meta["rating_range"] else None,
                       loss=meta["loss"], reg=meta["reg"], settings=meta["settings"], **arrays)


def top_k_frame(rec: Recommender, users: np.ndarray, k: int = 10) -> "pd.DataFrame":
    """user,item,rank (ids as in the data; rank 1 = best) for `users` (row numbers); never an item the
    user already has."""
    import pandas as pd

    users = np.unique(np.asarray(users))
    recs = rec.recommend(users, k)
    user_col = np.repeat(np.asarray(rec.user_ids, dtype=object)[users], k)
    ranks = np.tile(np.arange(1, k + 1), len(users))
    items = recs.ravel()
    valid = items >= 0
    return pd.DataFrame({"user": user_col[valid],
                         "item": np.asarray(rec.catalogue.item_ids, dtype=object)[items[valid]],
                         "rank": ranks[valid]})
