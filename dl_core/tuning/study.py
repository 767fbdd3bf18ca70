"""Optuna sweeps over the engine's trainable models, logged to MLflow as a parent run with one child
run per trial, on an Optuna storage that several workers (processes, machines) can share.

    result = sweep("vision-digits", data, n_trials=10, seed=0)        # one process, default storage
    # several machines on one study:
    #   python -m dl_core tune vision-digits --study s1 --storage postgresql://... --trials 50

Each trial trains through the model's one engine call, reports its validation metric epoch by epoch
to Optuna (so the median pruner can stop hopeless trials), and returns the best validation value,
never a test-split number.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .. import paths, store, tracking
from ..errors import InputError
from ..training import CancelToken, EpochLog

if TYPE_CHECKING:
    import optuna

STORAGE_VAR = "DLX_OPTUNA_STORAGE"
MAX_TRIALS = 500
Direction = Literal["maximize", "minimize"]


@dataclass(frozen=True)
class Tunable:
    """A trainable model as Optuna sees it.

    `space(trial)` suggests the settings (the same ranges as the page's sliders) and returns them as
    a dict; `train(params, data, callbacks, cancel)` builds the model's config from them, calls the
    model's engine call, and returns its `TrainedModel`. `metric` names the validation value in the
    per-epoch history (`val_loss` or a key of `EpochLog.metrics`).
    """

    name: str
    description: str
    metric: str
    direction: Direction
    space: Callable[["optuna.Trial"], dict[str, Any]]
    train: Callable[..., Any]
    load_data: Callable[[Any], Any] = lambda args: None  # argparse namespace -> the data to train on
    options: tuple[str, ...] = ()  # command-line data options this model needs (e.g. "csv")

    def value(self, log: EpochLog) -> float | None:
        return log.val_loss if self.metric == "val_loss" else log.metrics.get(self.metric)


def default_storage() -> str:
    """$DLX_OPTUNA_STORAGE, else a SQLite file in the data folder (no server needed)."""
    return os.environ.get(STORAGE_VAR) or f"sqlite:///{paths.data_dir() / 'optuna.db'}"


def open_study(name: str, direction: Direction, storage: str | None = None, seed: int = 0,
               pruner: bool = True) -> "optuna.Study":
    """Create or join the study `name`. Workers that start together on a fresh storage race to create
    its tables and the study; a local SQLite file is created under a file lock, any other storage
    (PostgreSQL, MySQL on other machines) is retried a few times."""
    import optuna
    from sqlalchemy.exc import IntegrityError, OperationalError

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = storage or default_storage()
    sampler = optuna.samplers.TPESampler(seed=seed)
    chosen = optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1) if pruner \
        else optuna.pruners.NopPruner()

    def create():
        return optuna.create_study(study_name=name, storage=storage, direction=direction, sampler=sampler,
                                   pruner=chosen, load_if_exists=True)

    if storage.startswith("sqlite:///"):
        with store.build_lock("optuna-storage"):
            return create()
    for attempt in range(5):
        try:
            return create()
        except (IntegrityError, OperationalError, optuna.exceptions.DuplicatedStudyError):
            if attempt == 4:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


class _Reporter:
    """A training callback that reports each epoch's validation value to the trial and prunes."""

    def __init__(self, trial: "optuna.Trial", tunable: Tunable) -> None:
        self.trial, self.tunable = trial, tunable

    def on_batch_end(self, epoch: int, batch: int, batches: int, loss: float) -> None:
        pass

    def on_epoch_end(self, log: EpochLog, history: list[EpochLog], model: Any) -> None:
        import optuna

        value = self.tunable.value(log)
        if value is None or not math.isfinite(value):
            return
        self.trial.report(value, log.epoch)
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"pruned after epoch {log.epoch}")


def best_validation(tunable: Tunable, history: Sequence[EpochLog]) -> float:
    values = [v for v in (tunable.value(h) for h in history) if v is not None and math.isfinite(v)]
    if not values:
        raise InputError(f"the training reported no {tunable.metric}; nothing to optimise.")
    return max(values) if tunable.direction == "maximize" else min(values)


@dataclass
class SweepResult:
    study: str
    model: str
    metric: str
    direction: Direction
    best_value: float | None
    best_params: dict[str, Any]
    trials: list[dict[str, Any]]
    parent_run_id: str | None = None
    storage_is_default: bool = True

    def as_json(self) -> dict[str, Any]:
        return {"study": self.study, "model": self.model, "metric": self.metric, "direction": self.direction,
                "best_value": self.best_value, "best_params": self.best_params, "n_trials": len(self.trials),
                "trials": self.trials}


def trials_table(study: "optuna.Study") -> list[dict[str, Any]]:
    """Every trial of the study (from every worker): number, params, value, state."""
    return [{"number": t.number, "params": dict(t.params),
             "value": t.value if t.value is None or math.isfinite(t.value) else None,
             "state": t.state.name} for t in study.get_trials(deepcopy=False)]


def sweep(tunable: Tunable, data: Any, *, n_trials: int, timeout: float | None = None, seed: int = 0,
          study_name: str | None = None, storage: str | None = None, pruner: bool = True,
          caller: tracking.Caller = "cli", cancel: CancelToken | None = None,
          on_trial: Callable[[SweepResult], None] | None = None,
          make_callbacks: Callable[[], Sequence[Any]] = tuple) -> SweepResult:
    """Run trials until the study holds `n_trials` finished ones (counting other workers'), the
    `timeout` passes, or `cancel` is set. Finished trials are kept whatever stops the sweep."""
    from optuna.study import MaxTrialsCallback
    from optuna.trial import TrialState

    if not 1 <= n_trials <= MAX_TRIALS:
        raise InputError(f"--trials must be between 1 and {MAX_TRIALS}, got {n_trials}.")
    if timeout is not None and not timeout > 0:
        raise InputError(f"the time budget must be positive seconds, got {timeout}.")
    name = study_name or f"{tunable.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    # A named study may be shared by several workers: the same sampler seed in each would make them
    # propose the same settings, so a worker joining one mixes its process id into the seed.
    sampler_seed = seed if study_name is None else seed * 100_003 + os.getpid()
    study = open_study(name, tunable.direction, storage, seed=sampler_seed, pruner=pruner)
    cancel = cancel or CancelToken()

    def objective(trial: optuna.Trial) -> float:
        params = tunable.space(trial)
        if not params:
            raise InputError(f"{tunable.name} has an empty search space.")
        with tracking.children_of(parent.run_id):
            trained = tunable.train(params, data, callbacks=[_Reporter(trial, tunable), *make_callbacks()],
                                    cancel=cancel, caller=caller)
        if trained.fit is not None and trained.fit.cancelled:
            study.stop()
        return best_validation(tunable, trained.history)

    def after_trial(st: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        if cancel.cancelled:
            st.stop()
        if on_trial is not None:
            on_trial(_result(st))

    def _result(st: optuna.Study) -> SweepResult:
        done = list(st.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
        best = (max if tunable.direction == "maximize" else min)(done, key=lambda t: t.value) if done else None
        return SweepResult(study=name, model=tunable.name, metric=tunable.metric, direction=tunable.direction,
                           best_value=best.value if best else None, best_params=dict(best.params) if best else {},
                           trials=trials_table(st), parent_run_id=parent.run_id,
                           storage_is_default=storage is None)

    sweep_params = {"model": tunable.name, "study": name, "trials": n_trials, "timeout": timeout,
                    "pruner": "median" if pruner else "none", "metric": tunable.metric,
                    "direction": tunable.direction}
    with tracking.start_run(f"sweeps/{tunable.name}", sweep_params, seed=seed, source=caller,
                            run_name=name) as parent:
        study.optimize(objective, n_trials=n_trials, timeout=timeout, catch=(),
                       callbacks=[MaxTrialsCallback(n_trials, states=(TrialState.COMPLETE, TrialState.PRUNED)),
                                  after_trial])
        result = _result(study)
        if result.best_value is not None:
            parent.log_final({"best_value": result.best_value,
                              "completed_trials": sum(t["state"] == "COMPLETE" for t in result.trials)})
    return result
