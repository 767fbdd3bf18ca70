"""A series cut into (window -> horizon) examples: the split, the backtest origins and the scaler.

The held-out tail is the last `test_fraction` of the series; training and validation windows end
before it (validation later in time than training), and the backtest forecasts from origins inside it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import InputError
from .config import MAX_HORIZON, ForecastConfig
from .data import Series

MAX_ORIGINS = 60  # backtest origins; more adds time (ETS is re-filtered at each) but little information
# Windows x (window + horizon) numbers the training and evaluation matrices hold at once: 20M float64
# is 160 MB (100k points with a 50,000-step window asked for ~12 GB).
MAX_WINDOW_VALUES = 20_000_000


@dataclass
class Scaler:
    """Maps values to the network's scale. "window" subtracts each window's own mean (per sample)."""

    kind: str
    center: float = 0.0
    scale: float = 1.0

    def level(self, windows: np.ndarray) -> np.ndarray:  # (B, W) -> (B, 1)
        if self.kind == "window":
            return windows.mean(axis=1, keepdims=True)
        return np.full((len(windows), 1), self.center)

    def forward(self, x: np.ndarray, level: np.ndarray) -> np.ndarray:
        return (x - level) / self.scale

    def inverse(self, z: np.ndarray, level: np.ndarray) -> np.ndarray:
        return z * self.scale + level


@dataclass
class Prepared:
    """The series cut into windows, the split and the scaler: everything the models share."""

    series: Series
    config: ForecastConfig  # with window/horizon/season/batch_size resolved
    test_start: int  # first index of the held-out tail
    origins: np.ndarray  # backtest origins t: forecast y[t:t+H] from y[:t]
    train_idx: np.ndarray  # window end points used for training
    val_idx: np.ndarray  # window end points used for early stopping
    scaler: Scaler
    notices: list[str] = field(default_factory=list)

    @property
    def y(self) -> np.ndarray:
        return self.series.values

    def windows(self, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inputs y[t-W:t] and targets y[t:t+H] for each t in `ends` (targets past the end are NaN)."""
        W, H = self.config.window, self.config.horizon
        y = np.concatenate([self.y, np.full(H, np.nan)])
        ends = np.asarray(ends, dtype=np.int64)
        if not len(ends):
            return np.zeros((0, W)), np.zeros((0, H))
        view = np.lib.stride_tricks.sliding_window_view(y, W + H)  # (N+1, W+H), no copy
        both = view[ends - W]  # (B, W+H): the only copy
        return both[:, :W], both[:, W:]


def resolve(series: Series, cfg: ForecastConfig) -> ForecastConfig:
    """Fill the None settings from the series (season, horizon, window, batch size)."""
    season = cfg.season or series.season or 1
    horizon = cfg.horizon or min(max(season, 1), 60)
    if season == 1 and cfg.horizon is None:
        horizon = max(1, min(12, len(series) // 20))
    window = cfg.window or max(2 * season, 2 * horizon, 8)
    batch = cfg.batch_size
    if batch is None:
        # ~8 steps an epoch: the short bundled series have under 100 windows and need small batches
        # to get enough updates; long ones (co2: 1,600 windows) would crawl with them.
        windows = max(1, int(len(series) * (1 - cfg.test_fraction)) - window - horizon)
        batch = int(min(128, max(16, 2 ** round(math.log2(max(windows / 8, 1))))))
    return ForecastConfig(**{**asdict(cfg), "season": season, "horizon": horizon, "window": window,
                             "batch_size": batch})


def prepare(series: Series, cfg: ForecastConfig) -> Prepared:
    """Validate the settings against the series; split it; pick backtest origins; fit the scaler."""
    cfg.check()
    cfg = resolve(series, cfg)
    cfg.check()  # the filled-in window and batch size are bounded too
    n, W, H, m = len(series), cfg.window, cfg.horizon, cfg.season
    if H > MAX_HORIZON:
        raise InputError(f"horizon {H} is too long; forecast at most {MAX_HORIZON} steps ahead.")
    if n < W + H:
        raise InputError(f"The series has {n} points, fewer than window + horizon = {W} + {H}. Shorten the "
                         "window or the horizon, or use a longer series.")
    values = (n - W + 1) * (W + H)  # every window once (training, validation, residuals), with its targets
    if values > MAX_WINDOW_VALUES:
        raise InputError(f"{n:,} points with a window of {W:,} and a horizon of {H:,} make {n - W + 1:,} windows "
                         f"of {W + H:,} numbers ({values:,}); the limit is {MAX_WINDOW_VALUES:,}. Shorten the window "
                         "(a few seasons is usually enough), or aggregate the series to a coarser frequency.")
    test_start = max(n - max(int(round(n * cfg.test_fraction)), H), W)
    n_train_windows = test_start - H - W + 1  # windows whose targets end before the tail
    if n_train_windows < 8:
        raise InputError(f"Only {max(n_train_windows, 0)} training window(s) fit before the test tail "
                         f"({n} points, window {W}, horizon {H}, tail {n - test_start}); shorten the window "
                         "or the horizon, or use a longer series.")
    notices = []
    if m >= test_start // 2:
        notices.append(f"The season ({m}) is long for this series; seasonal naive and ETS use little history.")
    ends = np.arange(W, test_start - H + 1)
    n_val = max(1, int(len(ends) * 0.15))
    train_idx, val_idx = ends[:-n_val], ends[-n_val:]
    all_origins = np.arange(test_start, n - H + 1)
    stride = max(1, math.ceil(len(all_origins) / MAX_ORIGINS))
    origins = all_origins[::stride]
    scaler = _fit_scaler(series.values[:test_start], cfg.scaling, W)
    return Prepared(series=series, config=cfg, test_start=test_start, origins=origins, train_idx=train_idx,
                    val_idx=val_idx, scaler=scaler, notices=notices)


def _fit_scaler(y_train: np.ndarray, kind: str, window: int) -> Scaler:
    """Fitted on the data before the test tail only, so nothing leaks from it."""
    if kind == "none":
        return Scaler("none")
    if kind == "minmax":
        lo, hi = float(y_train.min()), float(y_train.max())
        return Scaler("minmax", lo, max(hi - lo, 1e-8))
    if kind == "standard":
        return Scaler("standard", float(y_train.mean()), max(float(y_train.std()), 1e-8))
    # window: the typical spread of a window around its own mean (a view; mean and std stream over it)
    wins = np.lib.stride_tricks.sliding_window_view(y_train, window)
    spread = float(np.sqrt(np.mean(wins.var(axis=1))))
    return Scaler("window", 0.0, max(spread, 1e-8 * max(1.0, float(np.abs(y_train).max()))))
