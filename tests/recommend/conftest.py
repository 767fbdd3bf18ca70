"""Small data for the recommendation tests: the first MovieLens users, and a hand-made CSV."""

from __future__ import annotations

import numpy as np
import pytest

from dl_core import recommend


@pytest.fixture(scope="session")
def small() -> recommend.Interactions:
    """The first 40 MovieLens users (about 6,000 ratings): enough for every model to learn something."""
    return recommend.load_movielens(max_users=40)


@pytest.fixture(scope="session")
def small_csv(small, tmp_path_factory):
    """The same interactions as a person's CSV with their own column names."""
    frame = small.frame().rename(columns={"user": "customer", "item": "film_id", "rating": "stars",
                                          "time": "when"})
    path = tmp_path_factory.mktemp("rec") / "ratings.csv"
    frame.to_csv(path, index=False)
    return path


def tiny_config(**kw) -> recommend.RecommenderConfig:
    base = {"epochs": 2, "dim": 16, "batch_size": 1024, "baselines": ("popularity",)}
    return recommend.RecommenderConfig(**{**base, **kw})


def random_scores(n_users: int, n_items: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n_users, n_items)).astype(np.float32)
