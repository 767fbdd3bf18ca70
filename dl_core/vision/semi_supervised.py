"""What unlabelled data buys: supervised-only vs semi-supervised accuracy as the number of labels grows,
on scikit-learn's 8x8 digits (a 30-d PCA embedding of the pixels).

    curve = semi_supervised_curve([20, 50, 200], ["label spreading"], seed=0)
    curve.supervised, curve.semi["label spreading"]   # test accuracies, one per number of labels
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..errors import InputError
from .digits import PIXEL_MAX

SemiMethod = Literal["label spreading", "self-training"]
SEMI_METHODS = ("label spreading", "self-training")


@dataclass
class SemiSupervisedResult:
    n_labels: list[int]
    supervised: list[float]  # logistic regression on the labelled examples only
    semi: dict[str, list[float]] = field(default_factory=dict)  # method -> accuracies
    n_unlabelled: int = 0
    n_test: int = 0


def semi_supervised_curve(n_labels: Sequence[int], methods: Sequence[SemiMethod] = ("label spreading",),
                          seed: int = 0, n_components: int = 30) -> SemiSupervisedResult:
    """Accuracy against the number of labels: supervised-only vs semi-supervised, on digit embeddings.

    Embeddings are PCA on all training pixels (unsupervised, so the unlabelled data may shape them).
    For each N, N training digits keep their labels (at least one per class), the rest are unlabelled;
    every model is scored on the same held-out test set.
    """
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

    digits = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(digits.data / PIXEL_MAX, digits.target, test_size=0.25,
                                              stratify=digits.target, random_state=seed)
    ns = sorted({int(n) for n in n_labels})
    if not ns or ns[0] < 10 or ns[-1] > len(y_tr):
        raise InputError(f"numbers of labels must be between 10 (one per digit) and {len(y_tr)}, got {ns}.")
    for m in methods:
        if m not in ("label spreading", "self-training"):
            raise InputError(f"unknown semi-supervised method {m!r}; use 'label spreading' or 'self-training'.")
    pca = PCA(n_components=n_components, random_state=seed).fit(x_tr)
    z_tr, z_te = pca.transform(x_tr), pca.transform(x_te)
    rng = np.random.default_rng(seed)
    order = _label_order(y_tr, rng)
    result = SemiSupervisedResult(n_labels=ns, supervised=[], semi={m: [] for m in methods},
                                  n_unlabelled=len(y_tr), n_test=len(y_te))
    for n in ns:
        labelled = order[:n]
        sup = LogisticRegression(max_iter=2000).fit(z_tr[labelled], y_tr[labelled])
        result.supervised.append(float(sup.score(z_te, y_te)))
        y_partial = np.full_like(y_tr, -1)
        y_partial[labelled] = y_tr[labelled]
        for m in methods:
            if m == "label spreading":
                model = LabelSpreading(kernel="knn", n_neighbors=7, alpha=0.2, max_iter=100)
            else:
                # a few rounds of pseudo-labelling capture most of the gain, at a fraction of the cost
                model = SelfTrainingClassifier(LogisticRegression(max_iter=2000), threshold=0.9, max_iter=5)
            with warnings.catch_warnings():
                # label spreading divides by zero for points without labelled neighbours; they stay unlabelled
                warnings.simplefilter("ignore", RuntimeWarning)
                model.fit(z_tr, y_partial)
                result.semi[m].append(float(model.score(z_te, y_te)))
    return result


def _label_order(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random order of training indices whose first 10 cover every digit once (so N ≥ 10 sees all)."""
    first = np.array([rng.choice(np.flatnonzero(y == d)) for d in range(10)])
    rest = rng.permutation(np.setdiff1d(np.arange(len(y)), first))
    return np.concatenate([first, rest])
