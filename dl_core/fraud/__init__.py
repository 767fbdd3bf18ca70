"""Fraud detection (or any rare positive class in a labelled table): a supervised MLP, an autoencoder
trained on normal rows only, and the baselines a fraud team would try first (logistic regression,
Isolation Forest, gradient-boosted trees), judged the way fraud teams judge them: precision/recall at a
threshold, PR-AUC, ROC-AUC and money.

The public API that the page, the command line and the benchmark use. Modules: `generator` (synthetic
card transactions), `labels` (label column -> 0/1, the words for the classes), `features` (columns ->
float32 features), `data` (read, prepare, split), `config`, `networks`, `scorers` (one interface for
every model; baselines; scoring new rows), `metrics`, `attribution`, `trainers` (the engine calls
`train_mlp`, `train_autoencoder`, `train_baseline`), `cli`.
"""

from .attribution import explain
from .config import BASELINE_MAX_ROWS, BASELINES, LABELS, MODELS, AEConfig, BaselineConfig, MLPConfig
from .data import CSV_MAX_BYTES, MAX_COLUMNS, MIN_POSITIVES, FraudData, prepare, read_table
from .features import MAX_CATEGORIES, MAX_CELLS, MAX_FEATURES, Preprocessor
from .generator import CATEGORIES, MAX_ROWS, PATTERNS, GeneratorConfig, generate
from .labels import FRAUD_TERMS, Labels, Terms, binary_labels, detect_label, is_creditcard_layout, label_values
from .metrics import (
    Evaluation,
    best_cost_threshold,
    best_f1_threshold,
    confusion,
    cost_curve,
    cost_per_1000,
    curves,
    evaluate,
    metrics_at,
    metrics_table,
    rates,
)
from .networks import auto_batch, build_autoencoder, build_mlp, class_weight, focal_loss
from .scorers import Scorer, Squash, autoencoder_scorer, fit_baseline, score_frame, scorer_for
from .trainers import (
    Report,
    baseline_scorer,
    compare,
    data_params,
    train_autoencoder,
    train_baseline,
    train_mlp,
    train_model,
    train_report,
)

__all__ = [
    "BASELINES", "BASELINE_MAX_ROWS", "CATEGORIES", "CSV_MAX_BYTES", "FRAUD_TERMS", "LABELS", "MAX_CATEGORIES",
    "MAX_CELLS", "MAX_COLUMNS", "MAX_FEATURES", "MAX_ROWS", "MIN_POSITIVES", "MODELS", "PATTERNS",
    "AEConfig", "BaselineConfig", "Evaluation", "FraudData", "GeneratorConfig", "Labels", "MLPConfig",
    "Preprocessor", "Report", "Scorer", "Squash", "Terms",
    "auto_batch", "autoencoder_scorer", "baseline_scorer", "best_cost_threshold", "best_f1_threshold", "binary_labels",
    "build_autoencoder", "build_mlp", "class_weight", "compare", "confusion", "cost_curve", "cost_per_1000",
    "curves", "data_params", "detect_label", "evaluate", "explain", "fit_baseline", "focal_loss", "generate",
    "is_creditcard_layout", "label_values", "metrics_at", "metrics_table", "prepare", "rates", "read_table",
    "score_frame", "scorer_for", "train_autoencoder", "train_baseline", "train_mlp", "train_model",
    "train_report",
]
