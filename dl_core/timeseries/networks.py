"""The forecasting networks: (B, W) windows in, (B, H, Q) quantile forecasts out, in the scaled space.

RNN / GRU / LSTM read the window one step at a time; the transformer encoder attends over the whole
window (4 heads, learned positions); the MLP reads the window as one vector, with a linear skip path
so that it is never worse than a linear autoregression. All are trained with the pinball (quantile)
loss, which gives the median forecast and a 5%-95% band at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .config import HEADS, ForecastConfig

if TYPE_CHECKING:
    import torch
    from torch import nn

    from .windows import Prepared

QUANTILES = (0.05, 0.5, 0.95)  # the band is a 90% prediction interval; the median is the forecast
INFERENCE_VALUES = 32_000_000  # numbers one inference batch may hold (the transformer's attention rules)


def build_model(cfg: ForecastConfig) -> "nn.Module":
    """A freshly initialised network for a resolved config (`prepare(...).config`).

    Weight initialisation draws from torch's global generator: build it under `training.seeded(seed)`
    so that a seed gives the same network whatever other sessions are doing.
    """
    if cfg.window is None or cfg.horizon is None:
        raise ValueError("resolve the config first (prepare(...).config)")
    import torch
    from torch import nn

    Q, H, W = len(QUANTILES), cfg.horizon, cfg.window

    class Recurrent(nn.Module):
        def __init__(self, cell: type[nn.Module]) -> None:
            super().__init__()
            self.rnn = cell(1, cfg.hidden, num_layers=cfg.layers, batch_first=True,
                            dropout=cfg.dropout if cfg.layers > 1 else 0.0)
            self.drop = nn.Dropout(cfg.dropout)
            self.head = nn.Linear(cfg.hidden, H * Q)

        def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, W)
            out, _ = self.rnn(x.unsqueeze(-1))  # (B, W, hidden)
            return self.head(self.drop(out[:, -1])).view(-1, H, Q)

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            d = max(8, cfg.hidden - cfg.hidden % HEADS)  # divisible by the heads
            self.embed = nn.Linear(1, d)
            self.pos = nn.Parameter(torch.randn(1, W, d) * 0.02)  # learned positions
            layer = nn.TransformerEncoderLayer(d, nhead=HEADS, dim_feedforward=2 * d, dropout=cfg.dropout,
                                               batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, cfg.layers, enable_nested_tensor=False)
            self.head = nn.Linear(d * 2, H * Q)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = self.encoder(self.embed(x.unsqueeze(-1)) + self.pos)  # (B, W, d)
            pooled = torch.cat([h[:, -1], h.mean(dim=1)], dim=-1)  # last step and the whole window
            return self.head(pooled).view(-1, H, Q)

    class Mlp(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            layers: list[nn.Module] = []
            width = W
            for _ in range(cfg.layers):
                layers += [nn.Linear(width, cfg.hidden), nn.ReLU(), nn.Dropout(cfg.dropout)]
                width = cfg.hidden
            self.body = nn.Sequential(*layers)
            self.head = nn.Linear(width, H * Q)
            self.skip = nn.Linear(W, H * Q)  # a linear path, so the MLP is never worse than linear AR

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return (self.head(self.body(x)) + self.skip(x)).view(-1, H, Q)

    cells = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
    if cfg.model in cells:
        return Recurrent(cells[cfg.model])
    return Encoder() if cfg.model == "transformer" else Mlp()


def pinball_loss(pred: "torch.Tensor", target: "torch.Tensor") -> "torch.Tensor":
    """Quantile loss over (B, H, Q) predictions and (B, H) targets: trains the median and the band."""
    import torch

    q = torch.tensor(QUANTILES, dtype=pred.dtype, device=pred.device)
    err = target.unsqueeze(-1) - pred
    return torch.maximum(q * err, (q - 1) * err).mean()


def inference_batch(cfg: ForecastConfig) -> int:
    """Windows per forward pass when predicting: bounded by the attention matrix for the transformer."""
    per_window = HEADS * cfg.window ** 2 * cfg.layers if cfg.model == "transformer" else cfg.window * cfg.hidden
    return int(max(1, min(4096, INFERENCE_VALUES // max(per_window, 1))))


def tensors(prep: "Prepared", ends: np.ndarray) -> tuple["torch.Tensor", "torch.Tensor"]:
    """Scaled float32 (inputs, targets) for the windows ending at `ends`."""
    import torch

    X, Y = prep.windows(ends)
    level = prep.scaler.level(X)
    return (torch.from_numpy(prep.scaler.forward(X, level).astype(np.float32)),
            torch.from_numpy(prep.scaler.forward(Y, level).astype(np.float32)))


def predict_quantiles(net: "nn.Module", prep: "Prepared", ends: np.ndarray) -> np.ndarray:
    """(len(ends), H, Q) forecasts in the data's units from the windows ending at `ends`."""
    import torch

    net.eval()
    dev = next(net.parameters()).device
    step = inference_batch(prep.config)
    out = []
    with torch.no_grad():
        for i in range(0, len(ends), step):
            X, _ = prep.windows(ends[i:i + step])
            level = prep.scaler.level(X)
            xb = torch.tensor(prep.scaler.forward(X, level), dtype=torch.float32)
            z = np.sort(net(xb.to(dev)).float().cpu().numpy(), axis=-1)  # sorting stops quantile crossing
            out.append(prep.scaler.inverse(z, level[:, :, None]))
    return np.concatenate(out) if out else np.zeros((0, prep.config.horizon, len(QUANTILES)))
