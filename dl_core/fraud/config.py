"""The settings of each fraud model, checked once where they enter the engine.

Each config names the baselines its model is compared with side by side (fitted once per prepared
data and shared between the MLP's and the autoencoder's comparisons), and what early stopping
watches: the validation loss (lower is better) or, for the MLP, the validation PR-AUC (higher).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ..errors import InputError

MODELS = ("mlp", "autoencoder", "logreg", "iforest", "hgb")
BASELINES = ("logreg", "iforest", "hgb")
LABELS = {"mlp": "MLP (supervised)", "autoencoder": "Autoencoder (unsupervised)",
          "logreg": "Logistic regression", "iforest": "Isolation Forest", "hgb": "Gradient-boosted trees"}
BASELINE_MAX_ROWS = 200_000  # slow baselines train on a stratified sample above this


def _check_baselines(baselines: tuple[str, ...], own: str | None = None) -> None:
    unknown = [b for b in baselines if b not in BASELINES]
    if unknown:
        raise InputError(f"Unknown baseline(s) {', '.join(map(repr, unknown))}; choose from {', '.join(BASELINES)}.")
    if own is not None and own in baselines:
        raise InputError(f"{own!r} cannot be its own baseline; leave it out of baselines.")


def _check_training(epochs: int, lr: float, batch_size: int | None, patience: int | None) -> None:
    if not 1 <= epochs <= 1_000:
        raise InputError(f"epochs must be between 1 and 1,000, got {epochs}.")
    if not (0 < lr <= 1) or math.isnan(lr):
        raise InputError(f"learning rate must be in (0, 1], got {lr}.")
    if batch_size is not None and not 1 <= batch_size <= 65_536:
        raise InputError(f"batch size must be between 1 and 65,536 (or None for automatic), got {batch_size}.")
    if patience is not None and not 1 <= patience <= 1_000:
        raise InputError(f"patience must be between 1 and 1,000 epochs (or None for never), got {patience}.")


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
    patience: int | None = 5  # stop when the monitored value stalls this many epochs
    monitor: Literal["val_loss", "val_pr_auc"] = "val_loss"  # what early stopping and "best epoch" watch
    monitor_mode: Literal["min", "max"] = "min"  # "min" for val_loss, "max" for val_pr_auc
    seed: int = 0
    baselines: tuple[str, ...] = BASELINES  # compared side by side on the same test split

    def check(self) -> None:
        """Raise InputError naming the first bad setting and its valid range."""
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
        _check_training(self.epochs, self.lr, self.batch_size, self.patience)
        wanted = {"val_loss": "min", "val_pr_auc": "max"}
        if self.monitor not in wanted:
            raise InputError(f"monitor must be 'val_loss' or 'val_pr_auc', got {self.monitor!r}.")
        if self.monitor_mode != wanted[self.monitor]:
            raise InputError(f"{self.monitor} is {'a loss' if self.monitor == 'val_loss' else 'a score'}: monitor it "
                             f"with monitor_mode={wanted[self.monitor]!r}, got {self.monitor_mode!r}.")
        _check_baselines(self.baselines)


@dataclass
class AEConfig:
    width: int = 32
    bottleneck: int = 6  # narrower than the input: the network must learn what "normal" looks like
    lr: float = 3e-3
    epochs: int = 20
    batch_size: int | None = None
    patience: int | None = 5
    monitor_mode: Literal["min"] = "min"  # early stopping watches the reconstruction loss of normal rows
    seed: int = 0
    baselines: tuple[str, ...] = BASELINES

    def check(self) -> None:
        if not 1 <= self.bottleneck <= self.width <= 1024:
            raise InputError(f"need 1 ≤ bottleneck ≤ width ≤ 1024, got bottleneck {self.bottleneck} and "
                             f"width {self.width}.")
        _check_training(self.epochs, self.lr, self.batch_size, self.patience)
        if self.monitor_mode != "min":
            raise InputError(f"the autoencoder watches its reconstruction loss: monitor_mode must be 'min', "
                             f"got {self.monitor_mode!r}.")
        _check_baselines(self.baselines)


@dataclass
class BaselineConfig:
    """One of the classic models (no epochs), trained through the same engine call shape."""

    name: str = "hgb"
    seed: int = 0
    max_rows: int = BASELINE_MAX_ROWS  # a stratified sample (every positive kept) above this
    baselines: tuple[str, ...] = ()  # other baselines beside it

    def check(self) -> None:
        if self.name not in BASELINES:
            raise InputError(f"Unknown baseline {self.name!r}; choose one of {', '.join(BASELINES)}.")
        if not 100 <= self.max_rows <= 1_000_000:
            raise InputError(f"max_rows must be between 100 and 1,000,000, got {self.max_rows:,}.")
        _check_baselines(self.baselines, own=self.name)
