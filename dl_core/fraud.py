"""Fraud detection: a supervised MLP, an autoencoder trained on normal transactions, and the
baselines a fraud team would try first (logistic regression, Isolation Forest, gradient-boosted trees),
judged the way fraud teams judge them: precision/recall at a threshold, PR-AUC, ROC-AUC and money.

Every model becomes a `Scorer`: `score(X) -> (N,)` in [0, 1], higher = more suspicious. For the
probability models that is the predicted fraud probability; for the two anomaly detectors it is a
monotone squashing of the anomaly score (so AUCs are unchanged), centred on normal behaviour.

Data, labels and preprocessing live in `fraud_data.py` (re-exported here).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from . import device, training
from .errors import InputError
from .fraud_data import (  # noqa: F401 (re-exported: one import for pages and the CLI)
    CSV_MAX_BYTES,
    FraudData,
    GeneratorConfig,
    Preprocessor,
    binary_labels,
    detect_label,
    generate,
    is_creditcard_layout,
    label_values,
    prepare,
    read_table,
)

if TYPE_CHECKING:
    import pandas as pd
    import torch
    from torch import nn

    from .training import Callback, CancelToken, FitResult

MODELS = ("mlp", "autoencoder", "logreg", "iforest", "hgb")
BASELINES = ("logreg", "iforest", "hgb")
LABELS = {"mlp": "MLP (supervised)", "autoencoder": "Autoencoder (unsupervised)",
          "logreg": "Logistic regression", "iforest": "Isolation Forest", "hgb": "Gradient-boosted trees"}
BASELINE_MAX_ROWS = 200_000  # slow baselines train on a stratified sample above this


# ---- configs -------------------------------------------------------------------------------------

@dataclass
class MLPConfig:
    layers: int = 2
    width: int = 64
    dropout: float = 0.1
    lr: float = 3e-3
    epochs: int = 20
    batch_size: int | None = None  # None: about 50 steps per epoch (n_train / 50, 128 to 2048)
    loss: Literal["weighted", "focal"] = "weighted"  # class-weighted BCE, or focal loss
    focal_gamma: float = 2.0  # focal loss: how much easy (confident) examples are down-weighted
    patience: int | None = 5  # stop when validation loss stalls this many epochs
    seed: int = 0

    def check(self) -> None:
        if not 1 <= self.layers <= 6:
            raise InputError(f"layers must be between 1 and 6, got {self.layers}.")
        if not 4 <= self.width <= 1024:
            raise InputError(f"width must be between 4 and 1024, got {self.width}.")
        if not 0 <= self.dropout < 1:
            raise InputError(f"dropout must be in [0, 1), got {self.dropout}.")
        if self.loss not in ("weighted", "focal"):
            raise InputError(f"loss must be 'weighted' or 'focal', got {self.loss!r}.")
        if not 0 <= self.focal_gamma <= 10:
            raise InputError(f"focal gamma must be between 0 and 10, got {self.focal_gamma}.")


@dataclass
class AEConfig:
    width: int = 32
    bottleneck: int = 6  # narrower than the input: the network must learn what "normal" looks like
    lr: float = 3e-3
    epochs: int = 20
    batch_size: int | None = None
    patience: int | None = 5
    seed: int = 0

    def check(self) -> None:
        if not 1 <= self.bottleneck <= self.width <= 1024:
            raise InputError(f"need 1 ≤ bottleneck ≤ width ≤ 1024, got {self.bottleneck} and {self.width}.")


# ---- networks ------------------------------------------------------------------------------------

def _mlp(n_in: int, layers: int, width: int, dropout: float) -> "nn.Module":
    from torch import nn

    class FraudMLP(nn.Module):
        """Feed-forward classifier: (B, F) features → (B,) fraud logits."""

        def __init__(self) -> None:
            super().__init__()
            blocks: list[nn.Module] = []
            d = n_in
            for _ in range(layers):
                blocks += [nn.Linear(d, width), nn.ReLU(), nn.Dropout(dropout)]
                d = width
            blocks.append(nn.Linear(d, 1))
            self.net = nn.Sequential(*blocks)

        def forward(self, x):
            return self.net(x).squeeze(-1)

    return FraudMLP()


def _autoencoder(n_in: int, width: int, bottleneck: int) -> "nn.Module":
    from torch import nn

    class Autoencoder(nn.Module):
        """(B, F) → (B, bottleneck) → (B, F): rebuilds a transaction through a narrow code."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = nn.Sequential(nn.Linear(n_in, width), nn.ReLU(), nn.Linear(width, bottleneck))
            self.decoder = nn.Sequential(nn.Linear(bottleneck, width), nn.ReLU(), nn.Linear(width, n_in))

        def forward(self, x):
            return self.decoder(self.encoder(x))

    return Autoencoder()


def build_mlp(n_features: int, cfg: MLPConfig) -> "nn.Module":
    cfg.check()
    return _mlp(n_features, cfg.layers, cfg.width, cfg.dropout)


def build_autoencoder(n_features: int, cfg: AEConfig) -> "nn.Module":
    cfg.check()
    return _autoencoder(n_features, cfg.width, cfg.bottleneck)


def focal_loss(logits: "torch.Tensor", y: "torch.Tensor", gamma: float = 2.0, alpha: float = 0.75) -> "torch.Tensor":
    """Binary focal loss (Lin et al. 2017): cross-entropy scaled by (1 - p_t)^gamma, so the many easy
    normal transactions stop dominating; alpha weights the rare positives."""
    import torch
    import torch.nn.functional as F

    bce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    p_t = torch.exp(-bce)  # probability given to the true class
    alpha_t = alpha * y + (1 - alpha) * (1 - y)
    return (alpha_t * (1 - p_t) ** gamma * bce).mean()


def _loss_fn(cfg: MLPConfig, pos_weight: float):
    import torch
    import torch.nn.functional as F

    if cfg.loss == "focal":
        return lambda logits, y: focal_loss(logits, y, cfg.focal_gamma)
    w = torch.tensor(pos_weight)
    return lambda logits, y: F.binary_cross_entropy_with_logits(logits, y, pos_weight=w.to(logits.device))


def auto_batch(n_rows: int, batch_size: int | None) -> int:
    """About 50 optimizer steps per epoch: small tables still get enough updates, big ones stay fast."""
    return batch_size or int(np.clip(n_rows // 50, 128, 2048))


def class_weight(y: np.ndarray) -> float:
    """Weight of a fraud example so both classes count equally ("balanced"), capped to stay stable."""
    pos = max(int(y.sum()), 1)
    return float(np.clip((len(y) - pos) / pos, 1.0, 1000.0))


# ---- scorers -------------------------------------------------------------------------------------

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
    with torch.inference_mode(), device.few_threads():
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


# ---- training ------------------------------------------------------------------------------------

def _val_metrics(loss_fn):
    """fit's evaluate: validation loss plus PR-AUC, the number a fraud team watches."""
    import torch
    from sklearn.metrics import average_precision_score

    def evaluate(model, loader) -> dict[str, float]:
        logits, ys = [], []
        for x, y in loader:
            logits.append(model(x).float())
            ys.append(y)
        lg, yy = torch.cat(logits), torch.cat(ys)
        out = {"val_loss": float(loss_fn(lg, yy))}
        if 0 < yy.sum() < len(yy):
            out["val_pr_auc"] = float(average_precision_score(yy.cpu().numpy(), lg.cpu().numpy()))
        return out

    return evaluate


def train_mlp(data: FraudData, cfg: MLPConfig | None = None, callbacks: Sequence["Callback"] = (),
              cancel: "CancelToken | None" = None) -> tuple[Scorer, "FitResult"]:
    """The supervised MLP on the training split, early-stopped on the validation split."""
    import torch

    from .training import TrainConfig, fit

    cfg = cfg or MLPConfig()
    cfg.check()
    torch.manual_seed(cfg.seed)
    model = build_mlp(data.X_train.shape[1], cfg)
    loss = _loss_fn(cfg, class_weight(data.y_train))
    tc = TrainConfig(epochs=cfg.epochs, lr=cfg.lr, batch_size=auto_batch(len(data.y_train), cfg.batch_size),
                     seed=cfg.seed, patience=cfg.patience)
    tc.check()
    train = training.make_loader((torch.from_numpy(data.X_train), torch.from_numpy(data.y_train.astype(np.float32))),
                         tc.batch_size, shuffle=True, seed=cfg.seed)
    val = training.make_loader((torch.from_numpy(data.X_val), torch.from_numpy(data.y_val.astype(np.float32))),
                       4096, shuffle=False, seed=cfg.seed)
    with device.few_threads():
        result = fit(model, train, val, config=tc, batch_loss=lambda m, b: loss(m(b[0]), b[1]),
                     evaluate=_val_metrics(loss), callbacks=callbacks, cancel=cancel)
    return Scorer("mlp", model, seconds=result.seconds, complete=not result.cancelled), result


def train_autoencoder(data: FraudData, cfg: AEConfig | None = None, callbacks: Sequence["Callback"] = (),
                      cancel: "CancelToken | None" = None) -> tuple[Scorer, "FitResult"]:
    """The autoencoder on normal training transactions only: fraud is whatever it rebuilds badly."""
    import torch
    import torch.nn.functional as F

    from .training import TrainConfig, fit

    cfg = cfg or AEConfig()
    cfg.check()
    torch.manual_seed(cfg.seed)
    model = build_autoencoder(data.X_train.shape[1], cfg)
    normal = data.X_train[data.y_train == 0]
    tc = TrainConfig(epochs=cfg.epochs, lr=cfg.lr, batch_size=auto_batch(len(normal), cfg.batch_size),
                     seed=cfg.seed, patience=cfg.patience)
    tc.check()
    train = training.make_loader((torch.from_numpy(normal),), tc.batch_size, shuffle=True, seed=cfg.seed)
    val = training.make_loader((torch.from_numpy(data.X_val[data.y_val == 0]),), 4096, shuffle=False, seed=cfg.seed)
    with device.few_threads():
        result = fit(model, train, val, config=tc, batch_loss=lambda m, b: F.mse_loss(m(b[0]), b[0]),
                     callbacks=callbacks, cancel=cancel)
    return autoencoder_scorer(model, data, result.seconds, complete=not result.cancelled), result


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
    """logreg | iforest | hgb, with the settings a practitioner would start from."""
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


# ---- evaluation ----------------------------------------------------------------------------------

def metrics_at(y: np.ndarray, score: np.ndarray, threshold: float) -> dict[str, float]:
    """Precision, recall, F1 at `threshold` (flag when score ≥ threshold), PR-AUC and ROC-AUC."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    if y.sum() == 0 or y.sum() == len(y):
        raise InputError("This split has only one class, so precision/recall cannot be measured; "
                         "add more labelled fraud.")
    tp, fp, fn, _ = confusion(y, score, threshold).ravel()[[3, 1, 2, 0]]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1),
            "pr_auc": float(average_precision_score(y, score)), "roc_auc": float(roc_auc_score(y, score))}


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


# ---- explanations and scoring --------------------------------------------------------------------

def explain(scorer: Scorer, data: FraudData, row: int, n_steps: int = 32) -> "pd.DataFrame":
    """Integrated-gradients attributions (captum) for test row `row`: how much each original column
    pushed the fraud score (MLP: the logit; autoencoder: the reconstruction error) away from an average
    normal transaction. One-hot columns are summed back into their original column."""
    import pandas as pd
    import torch

    from . import explain as attributions

    if not scorer.is_torch:
        raise InputError(f"Attributions are computed for the neural networks (MLP, autoencoder), not {scorer.name}.")
    if not 0 <= row < len(data.X_test):
        raise InputError(f"Row {row} is not in the test split (0 to {len(data.X_test) - 1}).")
    model = scorer.model.eval()
    dev = next(model.parameters()).device
    x = torch.from_numpy(data.X_test[row:row + 1]).to(dev)  # (1, F)
    base = torch.from_numpy(data.X_train[data.y_train == 0].mean(0, keepdims=True)).to(dev)  # (1, F)
    if scorer.name == "mlp":
        forward = model
    else:
        def forward(z):
            return ((model(z) - z) ** 2).mean(-1)
    attr = attributions.integrated_gradients(forward, x, baseline=base, n_steps=n_steps)[0]  # (F,)
    original = data.test_rows.iloc[row]
    rows = [{"feature": name, "value": original.get(name), "attribution": float(attr[ix].sum())}
            for name, ix in data.preprocessor.groups()]
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype(str)
    return frame.reindex(frame["attribution"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def score_frame(scorer: Scorer, pre: Preprocessor, frame: "pd.DataFrame", threshold: float,
                label_col: str | None = None) -> tuple["pd.DataFrame", list[str]]:
    """Score new transactions: the rows (complete ones) with `fraud_score` and `flagged` added."""
    notices: list[str] = []
    if not math.isfinite(threshold):
        raise InputError(f"The threshold must be a number, got {threshold}.")
    if label_col and label_col in frame.columns:
        frame = frame.drop(columns=[label_col])
        notices.append(f"The label column {label_col!r} was ignored for scoring.")
    X, ok, extra = pre.transform(frame)
    notices += extra
    out = frame.loc[ok].copy()
    out["fraud_score"] = np.round(scorer.score(X), 6)
    out["flagged"] = out["fraud_score"] >= threshold
    return out, notices


# ---- the command line's whole pipeline -----------------------------------------------------------

@dataclass
class Report:
    model: str
    test: dict[str, float]
    baselines: dict[str, dict[str, float]]
    threshold: float
    data: dict[str, Any]
    notices: list[str]
    seconds: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run(frame: "pd.DataFrame", model: str = "mlp", label_col: str | None = None, positive: str | None = None,
        seed: int = 0, mlp: MLPConfig | None = None, ae: AEConfig | None = None,
        callbacks: Sequence["Callback"] = (), source: str = "cli") -> Report:
    """Prepare, split, train `model` and the baselines, and evaluate all on the same test split.
    Every run is logged through `tracking` (experiment `fraud/<model>`)."""
    if model not in MODELS:
        raise InputError(f"Unknown model {model!r}; choose one of {', '.join(MODELS)}.")
    data = prepare(frame, label_col=label_col, positive=positive, seed=seed)
    notices = list(data.notices)
    evals: dict[str, Evaluation] = {}
    seconds: dict[str, float] = {}
    for name in [model, *[b for b in BASELINES if b != model]]:
        scorer, _ = train_tracked(name, data, seed=seed, mlp=mlp, ae=ae, callbacks=callbacks, source=source)
        notices += scorer.notices
        evals[name] = evaluate(scorer, data)
        seconds[name] = round(scorer.seconds, 3)
    main = evals[model]
    return Report(model=model, test=main.test, baselines={n: e.test for n, e in evals.items() if n != model},
                  threshold=main.threshold, data={**data.summary(), "label": data.label_col,
                                                  "positive": data.positive, "features": len(data.feature_names)},
                  notices=notices, seconds=seconds)


def train_tracked(name: str, data: FraudData, seed: int = 0, mlp: MLPConfig | None = None, ae: AEConfig | None = None,
                  callbacks: Sequence["Callback"] = (), source: str = "cli") -> tuple[Scorer, "FitResult | None"]:
    """Train one model inside an MLflow run (params, per-epoch curves, final test metrics, weights).
    Returns the scorer and, for the neural networks, fit's result."""
    from . import tracking

    if name == "mlp":
        cfg: Any = mlp or MLPConfig(seed=seed)
    elif name == "autoencoder":
        cfg = ae or AEConfig(seed=seed)
    else:
        cfg = None
    params = {"model": name, "rows_train": len(data.y_train), "features": len(data.feature_names),
              **(asdict(cfg) if cfg is not None else {})}
    with tracking.start_run(f"fraud/{name}", params, seed=seed, source=source) as run_:
        result = None
        if name == "mlp":
            scorer, result = train_mlp(data, cfg, callbacks=[*callbacks, run_.callback])
        elif name == "autoencoder":
            scorer, result = train_autoencoder(data, cfg, callbacks=[*callbacks, run_.callback])
        else:
            scorer = fit_baseline(name, data, seed=seed)
        e = evaluate(scorer, data)
        run_.log_final({f"test_{k}": v for k, v in e.test.items()} | {"threshold": e.threshold},
                       model=scorer.model if scorer.is_torch else None,
                       extra={"preprocessor": data.preprocessor.to_dict(), "positive": data.positive,
                              "label": data.label_col} if scorer.is_torch else None)
    return scorer, result
