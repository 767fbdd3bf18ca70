"""Every trained model behind one interface, `Scorer.score(X) -> (N,)` in [0, 1], higher = more
suspicious; the classic baselines; scoring a new batch of rows.

For the probability models the score is the predicted probability of the positive class; for the two
anomaly detectors (autoencoder, Isolation Forest) it is a monotone squashing of the anomaly score (so
rankings and AUCs are unchanged), centred on normal behaviour.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from .config import BASELINE_MAX_ROWS, BASELINES, LABELS
from .data import FraudData
from .features import Preprocessor

if TYPE_CHECKING:
    import pandas as pd
    from torch import nn


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


@dataclass
class Squash:
    """Anomaly score → (0, 1): sigmoid of the log-score standardised on normal training data.
    Monotone, so rankings and AUCs are untouched; 0.5 = a typical normal transaction."""

    mu: float = 0.0
    sd: float = 1.0

    @classmethod
    def fit(cls, raw: np.ndarray) -> "Squash":
        logs = np.log(np.maximum(raw, 1e-12))
        sd = float(logs.std())
        return cls(float(logs.mean()), sd if sd > 1e-9 else 1.0)

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        return _sigmoid((np.log(np.maximum(raw, 1e-12)) - self.mu) / self.sd)


def _batched(model: "nn.Module", X: np.ndarray, fn, batch: int = 65_536) -> np.ndarray:
    import torch

    model.eval()
    dev = next(model.parameters()).device
    out = []
    with torch.inference_mode():
        for i in range(0, len(X), batch):
            x = torch.from_numpy(np.ascontiguousarray(X[i:i + batch], dtype=np.float32)).to(dev)
            out.append(fn(model, x).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros(0, np.float32)


@dataclass
class Scorer:
    """A trained model of any kind behind one interface: `score(X) -> (N,)` in [0, 1]."""

    name: str
    model: Any
    squash: Squash | None = None  # anomaly detectors only
    seconds: float = 0.0  # training time
    notices: list[str] = field(default_factory=list)
    complete: bool = True  # False: training was stopped part-way

    def raw(self, X: np.ndarray) -> np.ndarray:
        """The model's own score (probability, reconstruction error, isolation score)."""
        if self.name == "mlp":
            import torch

            return _batched(self.model, X, lambda m, x: torch.sigmoid(m(x)))
        if self.name == "autoencoder":
            return _batched(self.model, X, lambda m, x: ((m(x) - x) ** 2).mean(-1))
        if self.name == "iforest":
            return -self.model.score_samples(X)
        return self.model.predict_proba(X)[:, 1]

    def score(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros(0)
        raw = self.raw(X).astype(np.float64)
        return self.squash(raw) if self.squash is not None else raw

    @property
    def is_torch(self) -> bool:
        return self.name in ("mlp", "autoencoder")


def autoencoder_scorer(model: "nn.Module", data: FraudData, seconds: float = 0.0, complete: bool = True) -> Scorer:
    s = Scorer("autoencoder", model, seconds=seconds, complete=complete)
    s.squash = Squash.fit(s.raw(data.X_train[data.y_train == 0]))
    return s



def scorer_for(name: str, model: "nn.Module", data: FraudData, seconds: float = 0.0,
               complete: bool = True) -> Scorer:
    """A trained (or partly trained, after Stop) MLP or autoencoder as a Scorer."""
    if name == "autoencoder":
        return autoencoder_scorer(model, data, seconds, complete)
    if name != "mlp":
        raise ValueError(f"scorer_for takes the networks (mlp, autoencoder), not {name!r}")
    return Scorer("mlp", model, seconds=seconds, complete=complete)


# ---- the classic baselines -----------------------------------------------------------------------

def _sample(X: np.ndarray, y: np.ndarray, max_rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, str | None]:
    """At most max_rows rows, keeping every fraud (they are the scarce ones)."""
    if len(y) <= max_rows:
        return X, y, None
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    keep_neg = rng.choice(neg, size=max(max_rows - len(pos), 1), replace=False)
    idx = np.sort(np.r_[pos, keep_neg])
    return X[idx], y[idx], f"trained on a sample of {len(idx):,} of the {len(y):,} training rows (all fraud kept)"


def fit_baseline(name: str, data: FraudData, seed: int = 0, max_rows: int = BASELINE_MAX_ROWS) -> Scorer:
    """logreg | iforest | hgb, with the settings a practitioner would start from (no MLflow run:
    `trainers.train_baseline` is the tracked call). Randomness comes from `seed` only."""
    from sklearn.ensemble import HistGradientBoostingClassifier, IsolationForest
    from sklearn.linear_model import LogisticRegression

    if name not in BASELINES:
        raise InputError(f"Unknown baseline {name!r}; choose one of {', '.join(BASELINES)}.")
    X, y, note = _sample(data.X_train, data.y_train, max_rows, seed)
    t0 = time.perf_counter()
    if name == "logreg":
        model = LogisticRegression(class_weight="balanced", max_iter=1000, C=1.0).fit(X, y)
        squash = None
    elif name == "hgb":
        model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, random_state=seed).fit(X, y)
        squash = None
    else:  # Isolation Forest never sees labels: it isolates rare, unusual rows
        model = IsolationForest(n_estimators=200, random_state=seed).fit(X)
        squash = Squash.fit(-model.score_samples(X[y == 0]))
    notices = [f"{LABELS[name]}: {note}."] if note else []
    return Scorer(name, model, squash=squash, seconds=time.perf_counter() - t0, notices=notices)



# ---- scoring new rows ------------------------------------------------------------------------------

def score_frame(scorer: Scorer, pre: Preprocessor, frame: "pd.DataFrame", threshold: float,
                label_col: str | None = None, score_column: str = "fraud_score") -> tuple["pd.DataFrame", list[str]]:
    """Score new rows: the (complete) rows with `score_column` and `flagged` added."""
    notices: list[str] = []
    if not math.isfinite(threshold):
        raise InputError(f"The threshold must be a number, got {threshold}.")
    if label_col and label_col in frame.columns:
        frame = frame.drop(columns=[label_col])
        notices.append(f"The label column {label_col!r} was ignored for scoring.")
    X, ok, extra = pre.transform(frame)
    notices += extra
    out = frame.loc[ok].copy()
    out[score_column] = np.round(scorer.score(X), 6)
    out["flagged"] = out[score_column] >= threshold
    return out, notices


