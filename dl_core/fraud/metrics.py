"""How fraud teams judge a model: precision, recall and F1 at a threshold (chosen on validation data),
PR-AUC and ROC-AUC, and the expected cost of missed positives and false alarms."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from .config import LABELS
from .data import FraudData
from .scorers import Scorer

if TYPE_CHECKING:
    import pandas as pd


def metrics_at(y: np.ndarray, score: np.ndarray, threshold: float) -> dict[str, float]:
    """Precision, recall, F1 at `threshold` (flag when score ≥ threshold), PR-AUC and ROC-AUC."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    if y.sum() == 0 or y.sum() == len(y):
        raise InputError("This split has only one class, so precision/recall cannot be measured; "
                         "add more labelled fraud.")
    return {**rates(confusion(y, score, threshold)),
            "pr_auc": float(average_precision_score(y, score)), "roc_auc": float(roc_auc_score(y, score))}


def rates(cm: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 from a [[TN, FP], [FN, TP]] confusion matrix (0 where undefined)."""
    tp, fp, fn = cm[1, 1], cm[0, 1], cm[1, 0]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}


def confusion(y: np.ndarray, score: np.ndarray, threshold: float) -> np.ndarray:
    """[[TN, FP], [FN, TP]]: rows = true (normal, fraud), columns = predicted."""
    pred = score >= threshold
    y = y.astype(bool)
    return np.array([[int((~y & ~pred).sum()), int((~y & pred).sum())],
                     [int((y & ~pred).sum()), int((y & pred).sum())]])


def best_f1_threshold(y: np.ndarray, score: np.ndarray) -> float:
    """The threshold with the best F1 on (validation) data."""
    from sklearn.metrics import precision_recall_curve

    p, r, t = precision_recall_curve(y, score)
    f1 = np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-12), 0)[:-1]
    return float(t[int(np.argmax(f1))]) if len(t) else 0.5


def cost_curve(y: np.ndarray, score: np.ndarray, cost_fn: float, cost_fp: float) -> tuple[np.ndarray, np.ndarray]:
    """(thresholds, expected cost per 1,000 transactions) for every distinct threshold, incl. 'flag none'."""
    order = np.argsort(-score, kind="stable")
    s, yy = score[order], y[order].astype(np.int64)
    tp, fp = np.cumsum(yy), np.cumsum(1 - yy)
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]  # flag everything ≥ s[i]: last of each tie
    thresholds = np.r_[np.inf, s[last]]
    fn = yy.sum() - np.r_[0, tp[last]]
    fps = np.r_[0, fp[last]]
    cost = (fn * cost_fn + fps * cost_fp) / len(y) * 1000
    return thresholds, cost


def cost_per_1000(y: np.ndarray, score: np.ndarray, threshold: float, cost_fn: float, cost_fp: float) -> float:
    """Expected cost of missed frauds and false alarms per 1,000 transactions at `threshold`."""
    _check_costs(cost_fn, cost_fp)
    (_, fp), (fn, _) = confusion(y, score, threshold)
    return float((fn * cost_fn + fp * cost_fp) / len(y) * 1000)


def best_cost_threshold(y: np.ndarray, score: np.ndarray, cost_fn: float, cost_fp: float) -> tuple[float, float]:
    """(threshold, cost per 1,000) minimising the expected cost on these (validation) rows."""
    _check_costs(cost_fn, cost_fp)
    thresholds, cost = cost_curve(y, score, cost_fn, cost_fp)
    i = int(np.argmin(cost))
    t = float(thresholds[i])
    return (min(t, 1.0 + 1e-9) if math.isinf(t) else t), float(cost[i])


def _check_costs(cost_fn: float, cost_fp: float) -> None:
    for name, v in (("cost of a missed fraud", cost_fn), ("cost of a false alarm", cost_fp)):
        if not (math.isfinite(v) and v >= 0):
            raise InputError(f"The {name} must be a number ≥ 0, got {v}.")
    if cost_fn == 0 and cost_fp == 0:
        raise InputError("Both costs are 0; give at least one a positive value.")


@dataclass
class Evaluation:
    """One model's scores on validation and test, its threshold (best F1 on validation) and test metrics."""

    name: str
    val_scores: np.ndarray
    test_scores: np.ndarray
    threshold: float
    test: dict[str, float]


def evaluate(scorer: Scorer, data: FraudData) -> Evaluation:
    val, test = scorer.score(data.X_val), scorer.score(data.X_test)
    threshold = best_f1_threshold(data.y_val, val)
    return Evaluation(scorer.name, val, test, threshold, metrics_at(data.y_test, test, threshold))


def metrics_table(evals: dict[str, Evaluation]) -> "pd.DataFrame":
    """All models side by side on the same test split, best PR-AUC first."""
    import pandas as pd

    rows = [{"model": LABELS.get(n, n), "threshold": e.threshold, **e.test} for n, e in evals.items()]
    frame = pd.DataFrame(rows)
    return frame.sort_values("pr_auc", ascending=False).reset_index(drop=True) if len(frame) else frame


def curves(y: np.ndarray, score: np.ndarray) -> dict[str, np.ndarray]:
    """PR and ROC curve points for plotting."""
    from sklearn.metrics import precision_recall_curve, roc_curve

    p, r, _ = precision_recall_curve(y, score)
    fpr, tpr, _ = roc_curve(y, score)
    return {"precision": p, "recall": r, "fpr": fpr, "tpr": tpr}


