"""The settings of one forecaster, checked once where they enter the engine.

Every size a person controls is bounded here or in `windows.prepare` before memory is allocated: the
window per model (a transformer's attention is window² per layer and sample), the horizon, and the
windows × length the training and evaluation matrices hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ..errors import InputError

MODELS = ("lstm", "gru", "rnn", "transformer", "mlp")
MODEL_LABELS = {"lstm": "LSTM", "gru": "GRU", "rnn": "Simple RNN", "transformer": "Transformer encoder",
                "mlp": "MLP on the window"}
Scaling = Literal["window", "standard", "minmax", "none"]
SCALINGS = ("window", "standard", "minmax", "none")

# Longest input window per model. Recurrent nets step through the window one point at a time (time
# grows with it); the transformer's attention holds batch x 4 heads x window² numbers per layer
# (window 2,500 asked for ~13 GB); the MLP's first layer is window x hidden.
MAX_WINDOW = {"lstm": 1_000, "gru": 1_000, "rnn": 1_000, "transformer": 256, "mlp": 2_000}
MAX_HORIZON = 500
# Attention scores a transformer batch holds in one layer (batch x heads x window²), times layers:
# 128M floats is ~0.5 GB, and autograd keeps a few such tensors per layer.
MAX_ATTENTION_VALUES = 128_000_000
HEADS = 4


@dataclass
class ForecastConfig:
    model: str = "lstm"
    window: int | None = None  # input length; None = 2 seasons (at least 2 horizons, 8 points)
    horizon: int | None = None  # steps ahead; None = one season (at least 1), at most 60
    season: int | None = None  # seasonal period for seasonal naive, ETS and MASE; None = the series'
    hidden: int = 32
    layers: int = 1
    dropout: float = 0.1
    lr: float = 3e-3
    epochs: int = 100
    batch_size: int | None = None  # None = about 8 batches an epoch, 16 to 128: small series need many steps
    scaling: Scaling = "window"  # "window": each input window minus its mean, so trends extrapolate
    seed: int = 0
    test_fraction: float = 0.2  # the held-out tail used by the backtest
    patience: int | None = 20  # early stopping on the validation windows (None = never)
    monitor_mode: Literal["min"] = "min"  # early stopping watches val_loss, the quantile loss: lower is better

    def check(self) -> None:
        """Raise InputError naming the first bad setting and its valid range."""
        if self.model not in MODELS:
            raise InputError(f"Unknown model {self.model!r}; choose one of {', '.join(MODELS)}.")
        if self.scaling not in SCALINGS:
            raise InputError(f"scaling must be one of {', '.join(SCALINGS)}, got {self.scaling!r}.")
        if not 1 <= self.hidden <= 1024:
            raise InputError(f"hidden size must be between 1 and 1024, got {self.hidden}.")
        if not 1 <= self.layers <= 8:
            raise InputError(f"layers must be between 1 and 8, got {self.layers}.")
        if not 0 <= self.dropout < 1:
            raise InputError(f"dropout must be in [0, 1), got {self.dropout}.")
        if not (0 < self.lr <= 1) or math.isnan(self.lr):
            raise InputError(f"learning rate must be in (0, 1], got {self.lr}.")
        if not 1 <= self.epochs <= 10_000:
            raise InputError(f"epochs must be between 1 and 10,000, got {self.epochs}.")
        if not 0.05 <= self.test_fraction <= 0.5:
            raise InputError(f"the test tail must be 5% to 50% of the series, got {self.test_fraction:.0%}.")
        if self.patience is not None and self.patience < 1:
            raise InputError(f"patience must be at least 1 epoch (or None for never), got {self.patience}.")
        if self.monitor_mode != "min":
            raise InputError(f"the forecasters monitor the validation quantile loss, a loss: monitor_mode must "
                             f"be 'min', got {self.monitor_mode!r}.")
        for name, top in (("window", MAX_WINDOW[self.model]), ("horizon", MAX_HORIZON), ("season", 10_000),
                          ("batch_size", 4096)):
            v = getattr(self, name)
            if v is not None and not 1 <= v <= top:
                extra = f" for the {MODEL_LABELS[self.model]}" if name == "window" else ""
                raise InputError(f"{name} must be between 1 and {top:,}{extra}, got {v:,}.")
        if self.window is not None and self.window < 2:
            raise InputError(f"window must be at least 2 steps, got {self.window}.")
        if self.model == "transformer" and self.window and self.batch_size:
            values = self.batch_size * HEADS * self.window ** 2 * self.layers
            if values > MAX_ATTENTION_VALUES:
                raise InputError(
                    f"The transformer's attention would hold {values:,} numbers per batch (batch "
                    f"{self.batch_size} x {HEADS} heads x window {self.window}² x {self.layers} layer(s)); the "
                    f"limit is {MAX_ATTENTION_VALUES:,}. Shorten the window, or lower the batch size or the layers.")
