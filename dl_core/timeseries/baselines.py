"""The baselines a forecaster tries first, forecasting from the same origins as the networks.

naive (the last value), seasonal naive (the value one season back), a linear autoregression on the
same windows and scaling as the networks (ridge least squares, direct multi-step), and Holt-Winters
exponential smoothing (ETS, damped additive trend + additive season) fitted by statsmodels before the
held-out tail and run forward over it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .windows import Prepared

BASELINES = ("naive", "seasonal_naive", "linear_ar", "ets")


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
