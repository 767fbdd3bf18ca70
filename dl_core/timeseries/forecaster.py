"""The one engine call that trains, evaluates and logs a forecaster; the page and the CLI both call it.

    series = timeseries.load_bundled("air_passengers")
    result = timeseries.train_forecaster(series, timeseries.ForecastConfig(model="lstm"), caller="cli")
    result.metrics["mase"], result.metrics["seasonal_naive_mase"]   # the network beside its baselines
    result.details["backtest"].metrics_table(), result.details["future"]
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .. import training
from ..tracking import Caller
from .backtest import backtest, conformal_margin, forecast_future, one_step_forecasts
from .config import ForecastConfig
from .data import Series
from .networks import build_model, pinball_loss, tensors
from .windows import Prepared, prepare

if TYPE_CHECKING:
    from torch import nn

    from ..training import Callback, CancelToken, FitResult, TrainedModel


def train_config(cfg: ForecastConfig) -> training.TrainConfig:
    """The fit loop's settings for a resolved forecaster config (early stopping on the quantile loss)."""
    return training.TrainConfig(epochs=cfg.epochs, lr=cfg.lr, batch_size=cfg.batch_size, seed=cfg.seed,
                                patience=cfg.patience, grad_clip=1.0, monitor="val_loss",
                                monitor_mode=cfg.monitor_mode)


def fit_network(net: "nn.Module", prep: Prepared, callbacks: Sequence["Callback"] = (),
                cancel: "CancelToken | None" = None) -> "FitResult":
    """Fit `net` on the windows before the test tail with the quantile loss (dl_core.training.fit)."""
    from .. import device

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

    device.get()  # sets the process' thread count, once
    return training.fit(net, tensors(prep, prep.train_idx), tensors(prep, prep.val_idx),
                        config=train_config(prep.config), batch_loss=batch_loss, evaluate=evaluate,
                        callbacks=callbacks, cancel=cancel)


def evaluate_forecaster(prep: Prepared, net: "nn.Module") -> tuple[dict[str, float], dict[str, Any]]:
    """Backtest `net` beside every baseline, forecast beyond the data, and the one-step residual inputs.

    Returns (metrics, details): metrics are the network's `mae rmse smape mase`, `coverage_90`
    (calibrated band), `coverage_90_uncalibrated`, and `<baseline>_<metric>` for every baseline;
    details hold `prep`, `backtest`, `future` (a frame) and `one_step` (for residuals).
    Also what a page calls on a partly trained network after Stop.
    """
    margin = conformal_margin(net, prep)
    bt = backtest(prep, net, margin=margin)
    table = bt.metrics
    metrics: dict[str, float] = dict(table[prep.config.model])
    metrics["coverage_90"] = bt.coverage
    metrics["coverage_90_uncalibrated"] = bt.raw_coverage
    for name, values in table.items():
        if name != prep.config.model:
            metrics.update({f"{name}_{k}": v for k, v in values.items()})
    details = {"prep": prep, "backtest": bt, "future": forecast_future(prep, net, margin=margin),
               "one_step": one_step_forecasts(prep, net),
               "notices": [*prep.series.notices, *prep.notices]}
    return metrics, details


def series_params(series: Series) -> dict[str, Any]:
    """What MLflow records about the data: never an upload's file name."""
    return {"series": series.name if series.kind != "upload" else "upload", "points": len(series),
            "freq": series.freq or "steps"}


def train_forecaster(data: Series, config: ForecastConfig, *, callbacks: Sequence["Callback"] = (),
                     cancel: "CancelToken | None" = None, caller: Caller = "app",
                     track: bool = True) -> "TrainedModel":
    """Prepare the windows, train the network (early-stopped on the validation windows), backtest it
    beside naive, seasonal naive, linear AR and ETS, forecast beyond the data; log it all to MLflow
    (experiment `timeseries/<model>`, unless `track=False`).

    `config` is checked first (InputError names the bad value and its range); window, horizon, season
    and batch size left as None are filled in from the series, and that resolved config is what is
    trained and logged. See `evaluate_forecaster` for `metrics` and `details`.
    """
    from .. import tracking
    from ..training import TrainedModel

    config.check()
    prep = prepare(data, config)
    cfg = prep.config
    with training.seeded(cfg.seed):
        net = build_model(cfg)
    run_ctx = (tracking.training_run(f"timeseries/{cfg.model}", cfg, caller=caller, extra_params=series_params(data))
               if track else contextlib.nullcontext())
    with run_ctx as run:
        fit = fit_network(net, prep, callbacks=[*callbacks, *([run.callback] if run else [])], cancel=cancel)
        metrics, details = evaluate_forecaster(prep, net)
        if run:
            run.log_final(metrics, model=net, extra={"config": asdict(cfg)})
    return TrainedModel(model=net, history=fit.history, metrics=metrics, run_id=run.run_id if run else None,
                        fit=fit, details=details)

