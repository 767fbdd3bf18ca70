"""The two networks: a feed-forward classifier (supervised) and an autoencoder trained on normal rows
only (unsupervised: a row it rebuilds badly is unusual), with the losses for rare positives."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .config import AEConfig, MLPConfig

if TYPE_CHECKING:
    import torch
    from torch import nn


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
    """A fresh MLP; its weight initialisation draws from torch's global generator: build it under
    `training.seeded(cfg.seed)`."""
    return _mlp(n_features, cfg.layers, cfg.width, cfg.dropout)


def build_autoencoder(n_features: int, cfg: AEConfig) -> "nn.Module":
    """A fresh autoencoder (build it under `training.seeded(cfg.seed)`)."""
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


def loss_fn(cfg: MLPConfig, pos_weight: float):
    """The MLP's loss on (logits, 0/1 targets): class-weighted BCE or focal loss."""
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


