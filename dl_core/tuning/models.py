"""The tunable models: for each, the search space (the same ranges and steps as its page's controls,
so that "use the best settings" can load a result into them), the validation metric with its
direction, and how to train it through the model's one engine call."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from ..errors import InputError
from .study import Tunable


def _epochs(args: Any, default: int) -> int:
    return int(getattr(args, "epochs", None) or default)


# ---- vision: the digits CNN ----------------------------------------------------------------------

def _digits_space(trial) -> dict[str, Any]:
    # ui/vision/digits.py: the same options as its sliders
    return {"conv_layers": trial.suggest_int("conv_layers", 1, 3),
            "filters": trial.suggest_categorical("filters", [4, 8, 16, 32, 64]),
            "kernel_size": trial.suggest_categorical("kernel_size", [1, 3, 5]),
            "dropout": trial.suggest_float("dropout", 0.0, 0.8, step=0.05),
            "lr": trial.suggest_categorical("lr", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1]),
            "batch_size": trial.suggest_categorical("batch_size", [8, 16, 32, 64, 128, 256])}


def _digits_data(args: Any) -> Any:
    from .. import vision

    epochs = _epochs(args, vision.DigitsCNNConfig().epochs)
    base = replace(vision.DigitsCNNConfig(), epochs=epochs)
    return {"data": vision.load_digits_data(base.train_fraction, base.seed), "base": base}


def _digits_train(params: dict[str, Any], data: Any, **kw: Any) -> Any:
    from .. import vision

    data = data or _digits_data(None)
    return vision.train_digits_cnn(data["data"], replace(data["base"], **params), **kw)


# ---- NLP: the sentiment head on frozen MiniLM embeddings -----------------------------------------

def _sentiment_space(trial) -> dict[str, Any]:
    # ui/nlp/sentiment_training.py
    return {"hidden": trial.suggest_categorical("hidden", [0, 32, 64, 128, 256, 512, 1024]),
            "lr": trial.suggest_categorical("lr", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2])}


def _sentiment_data(args: Any) -> Any:
    from .. import nlp

    n = getattr(args, "reviews", None)
    return {"reviews": nlp.load_review_set(n), "base": replace(nlp.SentimentConfig(),
                                                               epochs=_epochs(args, nlp.SentimentConfig().epochs))}


def _sentiment_train(params: dict[str, Any], data: Any, **kw: Any) -> Any:
    from .. import nlp

    data = data or _sentiment_data(None)
    # The page passes its shared, already loaded MiniLM ("encoder") and the progress of the first
    # embedding of the reviews (cached for the later trials); the CLI loads MiniLM here.
    return nlp.train_sentiment_head(data["reviews"], replace(data["base"], **params), encoder=data.get("encoder"),
                                    progress=data.get("progress"), on_wait=data.get("on_wait"), **kw)


# ---- fraud: the supervised MLP -------------------------------------------------------------------

def _fraud_space(trial) -> dict[str, Any]:
    # ui/fraud/train.py
    return {"loss": trial.suggest_categorical("loss", ["weighted", "focal"]),
            "layers": trial.suggest_int("layers", 1, 4),
            "width": trial.suggest_categorical("width", [8, 16, 32, 64, 128, 256]),
            "dropout": trial.suggest_float("dropout", 0.0, 0.5, step=0.05),
            "lr": trial.suggest_categorical("lr", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2])}


def _fraud_data(args: Any) -> Any:
    from pathlib import Path

    from .. import fraud

    frame, _ = fraud.read_table(Path(args.csv))
    data = fraud.prepare(frame, label_col=args.label_col, seed=0)
    # Trials are judged on validation PR-AUC; the baselines are the page's business, not the sweep's.
    base = replace(fraud.MLPConfig(), epochs=_epochs(args, fraud.MLPConfig().epochs), baselines=(),
                   monitor="val_pr_auc", monitor_mode="max")
    return {"data": data, "base": base}


def _fraud_train(params: dict[str, Any], data: Any, **kw: Any) -> Any:
    from .. import fraud

    return fraud.train_mlp(data["data"], replace(data["base"], **params), **kw)


# ---- time series: a forecaster -------------------------------------------------------------------

def _forecast_space(trial) -> dict[str, Any]:
    # ui/timeseries/model.py
    return {"hidden": trial.suggest_categorical("hidden", [8, 16, 32, 64, 128]),
            "layers": trial.suggest_int("layers", 1, 4),
            "dropout": trial.suggest_float("dropout", 0.0, 0.5, step=0.05),
            "lr": trial.suggest_categorical("lr", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2])}


def _forecast_data(args: Any) -> Any:
    from pathlib import Path

    from .. import timeseries

    if str(args.csv).startswith("bundled:"):
        series = timeseries.load_bundled(str(args.csv).split(":", 1)[1])
    else:
        frame, _ = timeseries.read_table(Path(args.csv))
        series = timeseries.from_frame(frame, args.time_col, args.value_col, name=Path(args.csv).stem)
    base = timeseries.ForecastConfig(model=args.model_kind or "lstm", horizon=args.horizon, season=args.season,
                                     epochs=_epochs(args, timeseries.ForecastConfig().epochs))
    return {"series": series, "base": base}


def _forecast_train(params: dict[str, Any], data: Any, **kw: Any) -> Any:
    from .. import timeseries

    return timeseries.train_forecaster(data["series"], replace(data["base"], **params), **kw)


@functools.cache
def tunables() -> dict[str, Tunable]:
    """Every tunable model by name."""
    found = [
        Tunable("vision-digits", "the digits CNN (Vision page)", "val_accuracy", "maximize",
                _digits_space, _digits_train, _digits_data),
        Tunable("nlp-sentiment", "the sentiment head on MiniLM embeddings (Language page)", "val_accuracy",
                "maximize", _sentiment_space, _sentiment_train, _sentiment_data),
        Tunable("fraud-mlp", "the fraud MLP (Fraud page; --csv P --label-col C)", "val_pr_auc", "maximize",
                _fraud_space, _fraud_train, _fraud_data, options=("csv",)),
        Tunable("timeseries", "a forecaster (Time series page; --csv P --time-col T --value-col V "
                "--horizon H --season S --model-kind lstm)", "val_loss", "minimize",
                _forecast_space, _forecast_train, _forecast_data, options=("csv",)),
    ]
    return {t.name: t for t in found}


def get(name: str) -> Tunable:
    table = tunables()
    if name not in table:
        raise InputError(f"Unknown model to tune {name!r}. Valid: {', '.join(sorted(table)) or 'none'}.")
    return table[name]
