"""Time series: forecast with RNN, GRU, LSTM, a transformer encoder or an MLP, against honest baselines.

The public API that the page, the command line and the benchmark use. Modules:
`data` (bundled / synthetic / uploaded series), `config` (ForecastConfig and its bounds), `windows`
(split, origins, scaler), `networks`, `baselines`, `backtest` (metrics, calibrated band, residuals),
`forecaster` (`train_forecaster`, the one call that trains, evaluates and logs), `cli`.
"""

from .backtest import (
    METRICS,
    Backtest,
    Residuals,
    backtest,
    band,
    conformal_margin,
    forecast_future,
    mase_scale,
    metrics,
    one_step_forecasts,
    residuals,
)
from .baselines import BASELINES, ets, holt_winters_forecasts, linear_ar, naive, seasonal_naive
from .config import MAX_ATTENTION_VALUES, MAX_HORIZON, MAX_WINDOW, MODEL_LABELS, MODELS, SCALINGS, ForecastConfig
from .data import (
    BUNDLED,
    MAX_POINTS,
    MIN_POINTS,
    Series,
    SyntheticConfig,
    bundled_names,
    from_frame,
    grid_length,
    load_bundled,
    read_table,
    synthetic,
)
from .forecaster import evaluate_forecaster, fit_network, series_params, train_config, train_forecaster
from .networks import QUANTILES, build_model, pinball_loss, predict_quantiles
from .windows import MAX_WINDOW_VALUES, Prepared, Scaler, prepare, resolve

__all__ = [
    "BASELINES", "BUNDLED", "MAX_ATTENTION_VALUES", "MAX_HORIZON", "MAX_POINTS", "MAX_WINDOW", "MAX_WINDOW_VALUES",
    "METRICS", "MIN_POINTS", "MODELS", "MODEL_LABELS", "QUANTILES", "SCALINGS",
    "Backtest", "ForecastConfig", "Prepared", "Residuals", "Scaler", "Series", "SyntheticConfig",
    "backtest", "band", "build_model", "bundled_names", "conformal_margin", "ets", "evaluate_forecaster",
    "fit_network", "forecast_future", "from_frame", "grid_length", "holt_winters_forecasts", "linear_ar",
    "load_bundled", "mase_scale", "metrics", "naive", "one_step_forecasts", "pinball_loss", "predict_quantiles",
    "prepare", "read_table", "residuals", "resolve", "seasonal_naive", "series_params", "synthetic",
    "train_config", "train_forecaster",
]
