"""The rolling-origin backtest, the calibrated band, the forecast beyond the data, and residuals.

At every origin t in the held-out tail each model sees y[:t] (the networks and the linear AR only its
last `window` points) and forecasts y[t:t+horizon]. Every model, deep or baseline, is scored on exactly
the same origins, so the MAE / RMSE / sMAPE / MASE table compares like with like. Models are fitted
once, on the data before the tail (the usual "fixed origin parameters, rolling forecasts" scheme),
never on the tail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from . import baselines as base
from .networks import predict_quantiles
from .windows import Prepared

if TYPE_CHECKING:
    import pandas as pd
    from torch import nn

METRICS = ("mae", "rmse", "smape", "mase")


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


def backtest(prep: Prepared, net: "nn.Module", baselines: Sequence[str] = base.BASELINES,
             margin: float | None = None) -> Backtest:
    """The deep model and every baseline forecast from the same origins over the held-out tail."""
    cfg, y, o = prep.config, prep.y, prep.origins
    _, truth = prep.windows(o)
    q = predict_quantiles(net, prep, o)
    forecasts = {cfg.model: q[..., 1]}
    ets_form = ""
    for name in baselines:
        if name == "naive":
            forecasts[name] = base.naive(y, o, cfg.horizon)
        elif name == "seasonal_naive":
            forecasts[name] = base.seasonal_naive(y, o, cfg.horizon, cfg.season)
        elif name == "linear_ar":
            forecasts[name] = base.linear_ar(prep)
        elif name == "ets":
            forecasts[name], ets_form = base.ets(prep)
        else:
            raise InputError(f"Unknown baseline {name!r}; choose from {', '.join(base.BASELINES)}.")
    margin = conformal_margin(net, prep) if margin is None else margin
    lower, upper = band(q, margin)
    raw = float(np.mean((truth >= q[..., 0]) & (truth <= q[..., 2])))
    return Backtest(origins=o, truth=truth, forecasts=forecasts, lower=lower, upper=upper, model=cfg.model,
                    scale=mase_scale(y[:prep.test_start], cfg.season), ets_form=ets_form, margin=margin,
                    raw_coverage=raw)


# ---- beyond the data, residuals and anomalies ------------------------------------------------------

def forecast_future(prep: Prepared, net: "nn.Module", margin: float | None = None) -> "pd.DataFrame":
    """The next `horizon` steps after the data, from the last window, with the 90% band."""
    import pandas as pd

    q = predict_quantiles(net, prep, np.array([len(prep.y)]))[0]  # (H, Q)
    lower, upper = band(q, conformal_margin(net, prep) if margin is None else margin)
    return pd.DataFrame({"time": prep.series.future_index(prep.config.horizon), "forecast": q[:, 1],
                         "lower_90": lower, "upper_90": upper})


def one_step_forecasts(prep: Prepared, net: "nn.Module") -> np.ndarray:
    """The network's one-step-ahead median forecast at every point after the first window: (N - W,)."""
    ends = np.arange(prep.config.window, len(prep.y))
    return predict_quantiles(net, prep, ends)[:, 0, 1]


@dataclass
class Residuals:
    index: "pd.Index"  # time of each one-step-ahead forecast
    actual: np.ndarray
    predicted: np.ndarray
    residual: np.ndarray
    threshold: float  # |residual| above this is flagged
    anomaly: np.ndarray  # bool
    in_test: np.ndarray  # bool: inside the held-out tail


def residuals(prep: Prepared, one_step: np.ndarray, k: float = 4.0) -> Residuals:
    """One-step-ahead errors (from `one_step_forecasts`) at every point after the first window; points
    whose error exceeds k robust standard deviations (1.4826 x MAD of the training errors) are flagged.
    Cheap: moving k only redoes this arithmetic, never the network."""
    if not k > 0:
        raise InputError(f"the anomaly threshold must be positive, got {k}.")
    ends = np.arange(prep.config.window, len(prep.y))
    if len(one_step) != len(ends):
        raise ValueError("one_step must come from one_step_forecasts(prep, net) for this prep")
    actual = prep.y[ends]
    res = actual - one_step
    train_res = res[ends < prep.test_start]
    mad = float(np.median(np.abs(train_res - np.median(train_res)))) * 1.4826
    spread = mad if mad > 0 else float(np.std(train_res)) or 1.0
    threshold = k * spread
    return Residuals(index=prep.series.index[ends], actual=actual, predicted=one_step, residual=res,
                     threshold=threshold, anomaly=np.abs(res) > threshold, in_test=ends >= prep.test_start)
