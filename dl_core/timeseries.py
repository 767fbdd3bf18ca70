"""Forecasting with RNN, GRU, LSTM, a transformer encoder and an MLP, against honest baselines.

The evaluation is a rolling-origin backtest on the held-out tail of the series: at every origin t
each model sees y[:t] (the deep models and the linear AR only its last `window` points) and
forecasts y[t:t+horizon]. Every model, deep or baseline, is scored on exactly the same origins, so
the MAE / RMSE / sMAPE / MASE table compares like with like. Models are fitted once, on the data
before the tail (the usual "fixed origin parameters, rolling forecasts" scheme), never on the tail.

    series = timeseries_data.load_bundled("air_passengers")
    prep = prepare(series, ForecastConfig(model="lstm"))
    net = build_model(prep.config)
    fit_result = train(net, prep)
    bt = backtest(prep, net)          # bt.metrics_table(), bt.coverage, bt.forecasts["lstm"] ...
    future = forecast_future(prep, net)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .errors import InputError
from .timeseries_data import Series

if TYPE_CHECKING:
    import pandas as pd
    import torch
    from torch import nn

    from .training import Callback, CancelToken, FitResult

MODELS = ("lstm", "gru", "rnn", "transformer", "mlp")
MODEL_LABELS = {"lstm": "LSTM", "gru": "GRU", "rnn": "Simple RNN", "transformer": "Transformer encoder",
                "mlp": "MLP on the window"}
BASELINES = ("naive", "seasonal_naive", "linear_ar", "ets")
QUANTILES = (0.05, 0.5, 0.95)  # the band is a 90% prediction interval; the median is the forecast
Scaling = Literal["window", "standard", "minmax", "none"]
MAX_ORIGINS = 60  # backtest origins; more adds time (ETS is re-filtered at each) but little information


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

    def check(self) -> None:
        if self.model not in MODELS:
            raise InputError(f"Unknown model {self.model!r}; choose one of {', '.join(MODELS)}.")
        if self.scaling not in ("window", "standard", "minmax", "none"):
            raise InputError(f"scaling must be window, standard, minmax or none, got {self.scaling!r}.")
        if not 1 <= self.hidden <= 1024:
            raise InputError(f"hidden size must be between 1 and 1024, got {self.hidden}.")
        if not 1 <= self.layers <= 8:
            raise InputError(f"layers must be between 1 and 8, got {self.layers}.")
        if not 0 <= self.dropout < 1:
            raise InputError(f"dropout must be in [0, 1), got {self.dropout}.")
        if not 0.05 <= self.test_fraction <= 0.5:
            raise InputError(f"the test tail must be 5% to 50% of the series, got {self.test_fraction:.0%}.")
        for name in ("window", "horizon", "season", "batch_size"):
            v = getattr(self, name)
            if v is not None and v < 1:
                raise InputError(f"{name} must be at least 1, got {v}.")


# ---- data preparation ------------------------------------------------------------------------------

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
    config: ForecastConfig  # with window/horizon/season resolved
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
        X = np.stack([y[t - W:t] for t in ends]) if len(ends) else np.zeros((0, W))
        Y = np.stack([y[t:t + H] for t in ends]) if len(ends) else np.zeros((0, H))
        return X, Y


def resolve(series: Series, cfg: ForecastConfig) -> ForecastConfig:
    """Fill the None settings from the series (season, horizon, window)."""
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
    n, W, H, m = len(series), cfg.window, cfg.horizon, cfg.season
    if H > 500:
        raise InputError(f"horizon {H} is too long; forecast at most 500 steps ahead.")
    if n < W + H:
        raise InputError(f"The series has {n} points, fewer than window + horizon = {W} + {H}. Shorten the "
                         "window or the horizon, or use a longer series.")
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
    # window: the typical spread of a window around its own mean
    wins = np.lib.stride_tricks.sliding_window_view(y_train, window)
    spread = float((wins - wins.mean(axis=1, keepdims=True)).std())
    return Scaler("window", 0.0, max(spread, 1e-8 * max(1.0, float(np.abs(y_train).max()))))


# ---- networks --------------------------------------------------------------------------------------

def build_model(cfg: ForecastConfig) -> "nn.Module":
    """A network mapping (B, W) windows to (B, H, Q) quantile forecasts in the scaled space."""
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
            d = max(8, cfg.hidden - cfg.hidden % 4)  # divisible by the 4 heads
            self.embed = nn.Linear(1, d)
            self.pos = nn.Parameter(torch.randn(1, W, d) * 0.02)  # learned positions
            layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=2 * d, dropout=cfg.dropout,
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

    torch.manual_seed(cfg.seed)
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


def _tensors(prep: Prepared, ends: np.ndarray) -> tuple["torch.Tensor", "torch.Tensor"]:
    import torch

    X, Y = prep.windows(ends)
    level = prep.scaler.level(X)
    return (torch.tensor(prep.scaler.forward(X, level), dtype=torch.float32),
            torch.tensor(prep.scaler.forward(Y, level), dtype=torch.float32))


def train_config(cfg: ForecastConfig) -> "Any":
    from .training import TrainConfig

    return TrainConfig(epochs=cfg.epochs, lr=cfg.lr, batch_size=cfg.batch_size, seed=cfg.seed,
                       patience=cfg.patience, grad_clip=1.0)


def train(net: "nn.Module", prep: Prepared, callbacks: Sequence["Callback"] = (),
          cancel: "CancelToken | None" = None) -> "FitResult":
    """Fit `net` on the windows before the test tail with the quantile loss (dl_core.training.fit)."""
    from . import training

    def batch_loss(model, batch):
        return pinball_loss(model(batch[0]), batch[1])

    def evaluate(model, loader):
        # val_loss is the quantile loss; val_mae (scaled) is what a person reads more easily.
        loss, mae, count = 0.0, 0.0, 0
        for x, y in loader:
            out = model(x)
            loss += pinball_loss(out, y).item() * len(x)
            mae += (out[..., 1] - y).abs().mean().item() * len(x)
            count += len(x)
        return {"val_loss": loss / count, "val_mae_scaled": mae / count}


    from . import device

    device.get()  # sets the process' thread count once; tiny networks then use one thread
    with device.few_threads(1):
        return training.fit(net, _tensors(prep, prep.train_idx), _tensors(prep, prep.val_idx),
                            config=train_config(prep.config), batch_loss=batch_loss, evaluate=evaluate,
                            callbacks=callbacks, cancel=cancel)


def predict_quantiles(net: "nn.Module", prep: Prepared, ends: np.ndarray) -> np.ndarray:
    """(len(ends), H, Q) forecasts in the data's units from the windows ending at `ends`."""
    import torch

    X, _ = prep.windows(ends)
    level = prep.scaler.level(X)
    net.eval()
    dev = next(net.parameters()).device
    out = []
    with torch.no_grad():
        for i in range(0, len(X), 4096):
            xb = torch.tensor(prep.scaler.forward(X[i:i + 4096], level[i:i + 4096]), dtype=torch.float32)
            out.append(net(xb.to(dev)).float().cpu().numpy())
    z = np.sort(np.concatenate(out), axis=-1) if out else np.zeros((0, prep.config.horizon, len(QUANTILES)))
    return prep.scaler.inverse(z, level[:, :, None])  # sorting stops the quantiles from crossing


def conformal_margin(net: "nn.Module", prep: Prepared, coverage: float = 0.9) -> float:
    """Conformalised quantile regression: how much to widen (or narrow) the quantile band so that
    `coverage` of the validation truths fall inside it. The validation windows come just before the
    tail and were not trained on (they did pick the best epoch, so this is slightly optimistic)."""
    q = predict_quantiles(net, prep, prep.val_idx)
    _, Y = prep.windows(prep.val_idx)
    scores = np.maximum(q[..., 0] - Y, Y - q[..., 2]).ravel()  # > 0: truth outside the band
    level = min(1.0, coverage * (1 + 1 / len(scores)))
    return float(np.quantile(scores, level))


def band(q: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """The calibrated 90% band around the median of (..., Q) quantile forecasts."""
    return np.minimum(q[..., 0] - margin, q[..., 1]), np.maximum(q[..., 2] + margin, q[..., 1])


# ---- baselines -------------------------------------------------------------------------------------

def naive(y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """The last observed value, repeated."""
    return np.repeat(y[origins - 1][:, None], horizon, axis=1)


def seasonal_naive(y: np.ndarray, origins: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """The value one season before each target step (from the last observed season)."""
    h = np.arange(horizon)
    back = season * (h // season + 1)  # whole seasons back from t+h, landing before t
    idx = origins[:, None] + (h - back)[None, :]
    return y[np.clip(idx, 0, None)]


def linear_ar(prep: Prepared) -> np.ndarray:
    """Least-squares (ridge) direct forecasts from the same windows and the same scaling as the nets."""
    X, Y = prep.windows(prep.train_idx)
    Xt, _ = prep.windows(prep.origins)
    lx, lt = prep.scaler.level(X), prep.scaler.level(Xt)
    A = np.hstack([prep.scaler.forward(X, lx), np.ones((len(X), 1))])
    B = prep.scaler.forward(Y, lx)
    ridge = 1e-3 * np.eye(A.shape[1])
    coef = np.linalg.solve(A.T @ A + ridge, A.T @ B)  # (W+1, H)
    return prep.scaler.inverse(np.hstack([prep.scaler.forward(Xt, lt), np.ones((len(Xt), 1))]) @ coef, lt)


def ets(prep: Prepared) -> tuple[np.ndarray, str]:
    """Holt-Winters exponential smoothing (damped additive trend, additive season): parameters fitted
    by statsmodels on the data before the tail, then its recursions run forward over the series
    (not re-fitted) so each origin forecasts from the state after y[:t], like the networks."""
    import warnings

    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y, m, H = prep.y, prep.config.season, prep.config.horizon
    train = y[:prep.test_start]
    seasonal = m > 1 and len(train) >= 2 * m + 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter from statsmodels
        fitted = ExponentialSmoothing(train, trend="add", damped_trend=True, seasonal="add" if seasonal else None,
                                      seasonal_periods=m if seasonal else None,
                                      initialization_method="estimated").fit(use_brute=False)
    p = fitted.params
    out = holt_winters_forecasts(y, prep.origins, H, m if seasonal else 0, p)
    form = "damped trend" + (f" + additive season {m}" if seasonal else "")
    return out, form


def holt_winters_forecasts(y: np.ndarray, origins: np.ndarray, horizon: int, season: int,
                           p: dict[str, Any]) -> np.ndarray:
    """Run the Holt-Winters recursions (statsmodels' parameterisation) once over y and forecast
    `horizon` steps from the state after y[:t] for each origin t. O(len(y)), not O(origins x len(y))."""
    a, b_, phi = p["smoothing_level"], p["smoothing_trend"], p["damping_trend"]
    g = p.get("smoothing_seasonal") if season else 0.0
    level, trend = p["initial_level"], p["initial_trend"]
    seas = list(np.asarray(p["initial_seasons"], dtype=float)) if season else []
    damp = np.cumsum(phi ** np.arange(1, horizon + 1))  # phi + phi^2 + ... + phi^h
    wanted = {int(t): i for i, t in enumerate(origins)}
    out = np.empty((len(origins), horizon))
    for t in range(len(y) + 1):
        if t in wanted:
            s_future = ([seas[len(seas) - season + (h % season)] for h in range(horizon)]
                        if season else np.zeros(horizon))
            out[wanted[t]] = level + damp * trend + np.asarray(s_future)
        if t == len(y):
            break
        s_old = seas[-season] if season else 0.0
        new_level = a * (y[t] - s_old) + (1 - a) * (level + phi * trend)
        if season:
            seas.append(g * (y[t] - level - phi * trend) + (1 - g) * s_old)
        trend = b_ * (new_level - level) + (1 - b_) * phi * trend
        level = new_level
    return out


# ---- metrics and the backtest ----------------------------------------------------------------------

def mase_scale(y_train: np.ndarray, season: int) -> float:
    """Mean absolute seasonal difference in the training part (falls back to lag 1)."""
    m = season if len(y_train) > season + 1 else 1
    diffs = np.abs(y_train[m:] - y_train[:-m])
    scale = float(diffs.mean()) if len(diffs) else 0.0
    return scale if scale > 0 else float(np.abs(np.diff(y_train)).mean() or 1.0)


def metrics(truth: np.ndarray, pred: np.ndarray, scale: float) -> dict[str, float]:
    err = pred - truth
    denom = np.abs(truth) + np.abs(pred)
    smape = np.where(denom > 0, 2 * np.abs(err) / np.where(denom > 0, denom, 1), 0.0)
    return {"mae": float(np.mean(np.abs(err))), "rmse": float(np.sqrt(np.mean(err ** 2))),
            "smape": float(100 * np.mean(smape)), "mase": float(np.mean(np.abs(err)) / scale)}


@dataclass
class Backtest:
    origins: np.ndarray  # (K,) origin indices into the series
    truth: np.ndarray  # (K, H)
    forecasts: dict[str, np.ndarray]  # model name -> (K, H); the deep model first
    lower: np.ndarray  # (K, H) the deep model's 5% quantile, conformally calibrated
    upper: np.ndarray  # (K, H) its 95% quantile, idem
    model: str
    scale: float  # MASE denominator
    ets_form: str = ""
    margin: float = 0.0  # conformal widening applied to the raw quantile band
    raw_coverage: float = float("nan")  # coverage of the uncalibrated 5%-95% quantile band

    @property
    def metrics(self) -> dict[str, dict[str, float]]:
        return {name: metrics(self.truth, f, self.scale) for name, f in self.forecasts.items()}

    @property
    def coverage(self) -> float:
        """Share of backtest truths inside the calibrated 90% band (should be close to 0.90)."""
        return float(np.mean((self.truth >= self.lower) & (self.truth <= self.upper)))

    def metrics_table(self) -> "pd.DataFrame":
        import pandas as pd

        rows = [{"model": name, **m} for name, m in self.metrics.items()]
        return pd.DataFrame(rows).set_index("model")

    def best(self, metric: str = "mase") -> str:
        return min(self.metrics.items(), key=lambda kv: kv[1][metric])[0]


def backtest(prep: Prepared, net: "nn.Module", baselines: Sequence[str] = BASELINES) -> Backtest:
    """The deep model and every baseline forecast from the same origins over the held-out tail."""
    cfg, y, o = prep.config, prep.y, prep.origins
    _, truth = prep.windows(o)
    q = predict_quantiles(net, prep, o)
    forecasts = {cfg.model: q[..., 1]}
    ets_form = ""
    for name in baselines:
        if name == "naive":
            forecasts[name] = naive(y, o, cfg.horizon)
        elif name == "seasonal_naive":
            forecasts[name] = seasonal_naive(y, o, cfg.horizon, cfg.season)
        elif name == "linear_ar":
            forecasts[name] = linear_ar(prep)
        elif name == "ets":
            forecasts[name], ets_form = ets(prep)
        else:
            raise InputError(f"Unknown baseline {name!r}; choose from {', '.join(BASELINES)}.")
    margin = conformal_margin(net, prep)
    lower, upper = band(q, margin)
    raw = float(np.mean((truth >= q[..., 0]) & (truth <= q[..., 2])))
    return Backtest(origins=o, truth=truth, forecasts=forecasts, lower=lower, upper=upper, model=cfg.model,
                    scale=mase_scale(y[:prep.test_start], cfg.season), ets_form=ets_form, margin=margin,
                    raw_coverage=raw)


# ---- beyond the data, residuals and anomalies ------------------------------------------------------

def forecast_future(prep: Prepared, net: "nn.Module") -> "pd.DataFrame":
    """The next `horizon` steps after the data, from the last window, with the 90% band."""
    import pandas as pd

    q = predict_quantiles(net, prep, np.array([len(prep.y)]))[0]  # (H, Q)
    lower, upper = band(q, conformal_margin(net, prep))
    return pd.DataFrame({"time": prep.series.future_index(prep.config.horizon), "forecast": q[:, 1],
                         "lower_90": lower, "upper_90": upper})


@dataclass
class Residuals:
    index: "pd.Index"  # time of each one-step-ahead forecast
    actual: np.ndarray
    predicted: np.ndarray
    residual: np.ndarray
    threshold: float  # |residual| above this is flagged
    anomaly: np.ndarray  # bool
    in_test: np.ndarray  # bool: inside the held-out tail


def residuals(prep: Prepared, net: "nn.Module", k: float = 4.0) -> Residuals:
    """One-step-ahead errors at every point after the first window; points whose error exceeds
    k robust standard deviations (1.4826 x MAD of the training errors) are flagged as anomalies."""
    if k <= 0:
        raise InputError(f"the anomaly threshold must be positive, got {k}.")
    W = prep.config.window
    ends = np.arange(W, len(prep.y))
    pred = predict_quantiles(net, prep, ends)[:, 0, 1]
    actual = prep.y[ends]
    res = actual - pred
    train_res = res[ends < prep.test_start]
    mad = float(np.median(np.abs(train_res - np.median(train_res)))) * 1.4826
    spread = mad if mad > 0 else float(np.std(train_res)) or 1.0
    threshold = k * spread
    return Residuals(index=prep.series.index[ends], actual=actual, predicted=pred, residual=res,
                     threshold=threshold, anomaly=np.abs(res) > threshold, in_test=ends >= prep.test_start)


# ---- one call for the command line and the benchmark -----------------------------------------------

@dataclass
class Outcome:
    prep: Prepared
    net: Any
    fit: Any
    backtest: Backtest
    future: "pd.DataFrame"


def run(series: Series, cfg: ForecastConfig, callbacks: Sequence["Callback"] = (), source: str = "cli",
        track: bool = True) -> Outcome:
    """Prepare, train (logged to MLflow when `track`), backtest and forecast beyond the data."""
    import contextlib

    from . import tracking

    prep = prepare(series, cfg)
    net = build_model(prep.config)
    params = {**asdict(prep.config), "series": series.name, "points": len(series)}
    ctx = tracking.start_run(f"timeseries/{prep.config.model}", params, seed=cfg.seed, source=source) \
        if track else contextlib.nullcontext()
    with ctx as tracked:
        result = train(net, prep, callbacks=[*callbacks, *([tracked.callback] if tracked else [])])
        bt = backtest(prep, net)
        if tracked:
            final = {f"{k}": v for k, v in bt.metrics[prep.config.model].items()}
            final.update({f"seasonal_naive_{k}": v for k, v in bt.metrics["seasonal_naive"].items()})
            final["coverage_90"] = bt.coverage
            tracked.log_final(final, model=net, extra={"config": asdict(prep.config)})
    return Outcome(prep=prep, net=net, fit=result, backtest=bt, future=forecast_future(prep, net))
