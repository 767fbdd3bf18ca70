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


@functools.cache
def tunables() -> dict[str, Tunable]:
    """Every tunable model by name."""
    found = [
        Tunable("vision-digits", "the digits CNN (Vision page)", "val_accuracy", "maximize",
                _digits_space, _digits_train, _digits_data),
    ]
    return {t.name: t for t in found}


def get(name: str) -> Tunable:
    table = tunables()
    if name not in table:
        raise InputError(f"Unknown model to tune {name!r}. Valid: {', '.join(sorted(table)) or 'none'}.")
    return table[name]
