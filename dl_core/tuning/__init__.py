"""Hyperparameter tuning with Optuna for every trainable model: sweeps, their storage, the CLI.

    from dl_core import tuning
    tunable = tuning.get("vision-digits")
    result = tuning.sweep(tunable, data=None, n_trials=10, seed=0)
"""

from .models import get, tunables
from .study import (
    MAX_TRIALS,
    STORAGE_VAR,
    SweepResult,
    Tunable,
    best_validation,
    default_storage,
    open_study,
    sweep,
    trials_table,
)

__all__ = ["MAX_TRIALS", "STORAGE_VAR", "SweepResult", "Tunable", "best_validation", "default_storage", "get",
           "open_study", "sweep", "trials_table", "tunables"]
